// Returned arguments and values returned twice are copied, so each result gets its own buffer.
// RUN: kiln-opt %s --pass-pipeline='builtin.module(func.func(kiln-copy-returned-arguments))' | FileCheck %s
// RUN: kiln-opt %s --kiln-bufferize | FileCheck %s --check-prefix=BUFFERS

// CHECK-LABEL: func @returns_argument_twice
// CHECK: %[[C0:.*]] = linalg.copy ins(%arg0 : tensor<2xf32>)
// CHECK: %[[C1:.*]] = linalg.copy ins(%arg0 : tensor<2xf32>)
// CHECK: return %[[C0]], %[[C1]]
// BUFFERS-LABEL: func @returns_argument_twice
// BUFFERS-SAME: (%[[IN:.*]]: memref<2xf32>, %[[OUT0:.*]]: memref<2xf32>, %[[OUT1:.*]]: memref<2xf32>)
// BUFFERS: linalg.copy ins(%[[IN]] : memref<2xf32>) outs(%[[OUT0]] : memref<2xf32>)
// BUFFERS: linalg.copy ins(%[[IN]] : memref<2xf32>) outs(%[[OUT1]] : memref<2xf32>)
func.func @returns_argument_twice(%x: tensor<2xf32>) -> (tensor<2xf32>, tensor<2xf32>) {
  return %x, %x : tensor<2xf32>, tensor<2xf32>
}
