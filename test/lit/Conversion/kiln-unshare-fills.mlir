// kiln-unshare-fills: two ops that accumulate into one zero-filled tensor (what CSE makes of
// two convolutions' zero outputs) each get a fill of their own, so bufferization fills two
// buffers instead of filling one and copying it.
// RUN: kiln-opt %s --kiln-unshare-fills | FileCheck %s
// RUN: kiln-opt %s --kiln-unshare-fills --one-shot-bufferize --cse --canonicalize | FileCheck %s --check-prefix=FILLED
// Without the pass, bufferization copies the filled buffer for the second writer.
// RUN: kiln-opt %s --one-shot-bufferize --cse --canonicalize | FileCheck %s --check-prefix=SHARED

// CHECK-LABEL: func.func @tasks
// CHECK: %[[E1:.*]] = tensor.empty() : tensor<4x8xf32>
// CHECK: %[[Z1:.*]] = scf.forall {{.*}} shared_outs(%{{.*}} = %[[E1]])
// CHECK: linalg.fill
// CHECK: linalg.matmul {{.*}} outs(%[[Z1]] : tensor<4x8xf32>)
// CHECK: %[[E2:.*]] = tensor.empty() : tensor<4x8xf32>
// CHECK: %[[Z2:.*]] = scf.forall {{.*}} shared_outs(%{{.*}} = %[[E2]])
// CHECK: linalg.fill
// CHECK: linalg.matmul {{.*}} outs(%[[Z2]] : tensor<4x8xf32>)
// FILLED-LABEL: func.func @tasks
// FILLED-NOT: memref.copy
// FILLED-COUNT-2: linalg.fill
// FILLED-NOT: memref.copy
// FILLED-LABEL: func.func @loop_user
// SHARED-LABEL: func.func @tasks
// SHARED: memref.copy
// SHARED-LABEL: func.func @loop_user
func.func @tasks(%a: tensor<4x8xf32>, %b: tensor<8x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  %cst = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x8xf32>
  %z = scf.forall (%i) = (0) to (4) step (2) shared_outs(%o = %e) -> (tensor<4x8xf32>) {
    %s = tensor.extract_slice %o[%i, 0] [2, 8] [1, 1] : tensor<4x8xf32> to tensor<2x8xf32>
    %f = linalg.fill ins(%cst : f32) outs(%s : tensor<2x8xf32>) -> tensor<2x8xf32>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %f into %o[%i, 0] [2, 8] [1, 1] : tensor<2x8xf32> into tensor<4x8xf32>
    }
  }
  %x = linalg.matmul ins(%a, %b : tensor<4x8xf32>, tensor<8x8xf32>) outs(%z : tensor<4x8xf32>) -> tensor<4x8xf32>
  %y = linalg.matmul ins(%a, %b : tensor<4x8xf32>, tensor<8x8xf32>) outs(%z : tensor<4x8xf32>) -> tensor<4x8xf32>
  return %x, %y : tensor<4x8xf32>, tensor<4x8xf32>
}

// A plain fill, its second user inside a loop: the clone goes before the loop, not into it.
// CHECK-LABEL: func.func @loop_user
// CHECK: linalg.fill
// CHECK: linalg.exp
// CHECK: %[[E:.*]] = tensor.empty() : tensor<8xf32>
// CHECK-NEXT: %[[F:.*]] = linalg.fill {{.*}} outs(%[[E]] : tensor<8xf32>)
// CHECK-NEXT: scf.for
// CHECK: linalg.add ins(%{{.*}}, %[[F]] : tensor<8xf32>, tensor<8xf32>)
func.func @loop_user(%a: tensor<8xf32>, %n: index) -> (tensor<8xf32>, tensor<8xf32>) {
  %cst = arith.constant 0.0 : f32
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %e = tensor.empty() : tensor<8xf32>
  %z = linalg.fill ins(%cst : f32) outs(%e : tensor<8xf32>) -> tensor<8xf32>
  %x = linalg.exp ins(%a : tensor<8xf32>) outs(%z : tensor<8xf32>) -> tensor<8xf32>
  %r = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %a) -> (tensor<8xf32>) {
    %s = linalg.add ins(%acc, %z : tensor<8xf32>, tensor<8xf32>) outs(%acc : tensor<8xf32>) -> tensor<8xf32>
    scf.yield %s : tensor<8xf32>
  }
  return %x, %r : tensor<8xf32>, tensor<8xf32>
}

// A fill of something that is not a fresh tensor is left alone.
// CHECK-LABEL: func.func @not_fresh
// CHECK-COUNT-1: linalg.fill
// CHECK-NOT: linalg.fill
func.func @not_fresh(%a: tensor<8xf32>, %b: tensor<8xf32>) -> (tensor<8xf32>, tensor<8xf32>) {
  %cst = arith.constant 0.0 : f32
  %z = linalg.fill ins(%cst : f32) outs(%b : tensor<8xf32>) -> tensor<8xf32>
  %x = linalg.exp ins(%a : tensor<8xf32>) outs(%z : tensor<8xf32>) -> tensor<8xf32>
  %y = linalg.abs ins(%a : tensor<8xf32>) outs(%z : tensor<8xf32>) -> tensor<8xf32>
  return %x, %y : tensor<8xf32>, tensor<8xf32>
}
