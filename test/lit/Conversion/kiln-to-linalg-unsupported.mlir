// Unsigned arithmetic is not supported yet: kiln-to-linalg fails and names the op.
// RUN: not kiln-opt %s --pass-pipeline='builtin.module(func.func(kiln-to-linalg))' 2>&1 | FileCheck %s --check-prefix=REJECTED
// REJECTED: error: failed to legalize operation 'kiln.add'
func.func @unsigned_add(%x: tensor<4xui8>) -> tensor<4xui8> {
  %0 = kiln.add %x, %x : (tensor<4xui8>, tensor<4xui8>) -> tensor<4xui8>
  return %0 : tensor<4xui8>
}
