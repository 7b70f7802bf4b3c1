// kiln-decompose-pads: a padded value whose producer writes into a fresh tensor is computed
// straight into the interior of the padded tensor (the pad becomes the insertion of the
// result into that same slice), so bufferization copies nothing, and only the border
// around that interior is filled, slab by slab; a pad of anything else (a function
// argument here) stays a tensor.pad. The same for a value given a halo by inserting it
// into a zero-filled tensor (an input gradient's), also when kiln-parallelize's tasks fill
// it, not for an insertion into a tensor that is not computed from fresh ones alone. A
// value read again after its insertion is read back from the padded tensor.
// RUN: kiln-opt %s --pass-pipeline='builtin.module(func.func(kiln-decompose-pads))' | FileCheck %s
// kiln-bufferize runs the pass before one-shot bufferization.
// RUN: kiln-opt %s --kiln-bufferize | FileCheck %s --check-prefix=BUFFERS

// CHECK-LABEL: func.func @relu_then_pad
// CHECK: %[[EMPTY:.*]] = tensor.empty() : tensor<2x6x6x16xf32>
// CHECK: %[[TOP:.*]] = tensor.extract_slice %[[EMPTY]][0, 0, 0, 0] [2, 1, 6, 16] [1, 1, 1, 1]
// CHECK: %[[TOP_ZEROS:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[TOP]] : tensor<2x1x6x16xf32>)
// CHECK: %[[PAD1:.*]] = tensor.insert_slice %[[TOP_ZEROS]] into %[[EMPTY]][0, 0, 0, 0] [2, 1, 6, 16]
// CHECK: %[[BOTTOM:.*]] = tensor.extract_slice %[[PAD1]][0, 5, 0, 0] [2, 1, 6, 16]
// CHECK: %[[PAD2:.*]] = tensor.insert_slice %{{.*}} into %[[PAD1]][0, 5, 0, 0] [2, 1, 6, 16]
// CHECK: %[[LEFT:.*]] = tensor.extract_slice %[[PAD2]][0, 1, 0, 0] [2, 4, 1, 16]
// CHECK: %[[PAD3:.*]] = tensor.insert_slice %{{.*}} into %[[PAD2]][0, 1, 0, 0] [2, 4, 1, 16]
// CHECK: %[[RIGHT:.*]] = tensor.extract_slice %[[PAD3]][0, 1, 5, 0] [2, 4, 1, 16]
// CHECK: %[[FILLED:.*]] = tensor.insert_slice %{{.*}} into %[[PAD3]][0, 1, 5, 0] [2, 4, 1, 16]
// CHECK-NOT: linalg.fill
// CHECK: %[[INTERIOR:.*]] = tensor.extract_slice %[[FILLED]][0, 1, 1, 0] [2, 4, 4, 16] [1, 1, 1, 1]
// CHECK: %[[RELU:.*]] = linalg.generic {{.*}} outs(%[[INTERIOR]] : tensor<2x4x4x16xf32>)
// CHECK: tensor.insert_slice %[[RELU]] into %[[FILLED]][0, 1, 1, 0] [2, 4, 4, 16] [1, 1, 1, 1]
// CHECK-NOT: tensor.pad
// BUFFERS-LABEL: func.func @relu_then_pad
// BUFFERS-COUNT-4: linalg.fill {{.*}} outs(%{{.*}} : memref<2x{{[14]}}x{{[16]}}x16xf32, strided
// BUFFERS-NOT: linalg.fill
// BUFFERS: %[[INTERIOR:.*]] = memref.subview %arg1[0, 1, 1, 0] [2, 4, 4, 16] [1, 1, 1, 1]
// BUFFERS: linalg.generic {{.*}} outs(%[[INTERIOR]] :
// BUFFERS-NOT: memref.copy
// BUFFERS-LABEL: func.func @argument_pad
func.func @relu_then_pad(%x: tensor<2x4x4x16xf32>) -> tensor<2x6x6x16xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x4x4x16xf32>
  %relu = linalg.generic {indexing_maps = [affine_map<(n, h, w, c) -> (n, h, w, c)>, affine_map<(n, h, w, c) -> (n, h, w, c)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%x : tensor<2x4x4x16xf32>) outs(%e : tensor<2x4x4x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %zero : f32
    linalg.yield %m : f32
  } -> tensor<2x4x4x16xf32>
  %padded = tensor.pad %relu low[0, 1, 1, 0] high[0, 1, 1, 0] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<2x4x4x16xf32> to tensor<2x6x6x16xf32>
  return %padded : tensor<2x6x6x16xf32>
}

// CHECK-LABEL: func.func @argument_pad
// CHECK: tensor.pad
// BUFFERS: memref.copy %arg0

func.func @argument_pad(%x: tensor<2x4x4x16xf32>) -> tensor<2x6x6x16xf32> {
  %zero = arith.constant 0.0 : f32
  %padded = tensor.pad %x low[0, 1, 1, 0] high[0, 1, 1, 0] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<2x4x4x16xf32> to tensor<2x6x6x16xf32>
  return %padded : tensor<2x6x6x16xf32>
}

// CHECK-LABEL: func.func @halo
// CHECK: tensor.empty() : tensor<2x8x8x16xf32>
// CHECK-COUNT-4: linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<2x{{[24]}}x{{[28]}}x16xf32>)
// CHECK: %[[ZEROS:.*]] = tensor.insert_slice %{{.*}}[0, 2, 6, 0] [2, 4, 2, 16]
// CHECK: %[[INTERIOR:.*]] = tensor.extract_slice %[[ZEROS]][0, 2, 2, 0] [2, 4, 4, 16] [1, 1, 1, 1]
// CHECK: %[[GRAD:.*]] = linalg.generic {{.*}} outs(%[[INTERIOR]] : tensor<2x4x4x16xf32>)
// CHECK: tensor.insert_slice %[[GRAD]] into %[[ZEROS]][0, 2, 2, 0] [2, 4, 4, 16] [1, 1, 1, 1]
// CHECK-NOT: linalg.fill
// BUFFERS-LABEL: func.func @halo
// BUFFERS-COUNT-4: linalg.fill
// BUFFERS-NOT: linalg.fill
// BUFFERS: %[[INTERIOR:.*]] = memref.subview %arg2[0, 2, 2, 0] [2, 4, 4, 16] [1, 1, 1, 1]
// BUFFERS: linalg.generic {{.*}} outs(%[[INTERIOR]] :
// BUFFERS-NOT: memref.copy
// BUFFERS-LABEL: func.func @into_argument
func.func @halo(%dy: tensor<2x4x4x16xf32>, %mask: tensor<2x4x4x16xf32>) -> tensor<2x8x8x16xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x4x4x16xf32>
  %grad = linalg.generic {indexing_maps = [affine_map<(n, h, w, c) -> (n, h, w, c)>, affine_map<(n, h, w, c) -> (n, h, w, c)>, affine_map<(n, h, w, c) -> (n, h, w, c)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%dy, %mask : tensor<2x4x4x16xf32>, tensor<2x4x4x16xf32>) outs(%e : tensor<2x4x4x16xf32>) {
  ^bb0(%in: f32, %m: f32, %out: f32):
    %p = arith.mulf %in, %m : f32
    linalg.yield %p : f32
  } -> tensor<2x4x4x16xf32>
  %big = tensor.empty() : tensor<2x8x8x16xf32>
  %zeros = linalg.fill ins(%zero : f32) outs(%big : tensor<2x8x8x16xf32>) -> tensor<2x8x8x16xf32>
  %halo = tensor.insert_slice %grad into %zeros[0, 2, 2, 0] [2, 4, 4, 16] [1, 1, 1, 1] : tensor<2x4x4x16xf32> into tensor<2x8x8x16xf32>
  return %halo : tensor<2x8x8x16xf32>
}

// CHECK-LABEL: func.func @into_argument
// CHECK: %[[RELU:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<2x4x4x16xf32>)
// CHECK: tensor.insert_slice %[[RELU]] into %arg1[0, 2, 2, 0]
// BUFFERS: memref.copy
func.func @into_argument(%x: tensor<2x4x4x16xf32>, %into: tensor<2x8x8x16xf32>) -> tensor<2x8x8x16xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x4x4x16xf32>
  %relu = linalg.generic {indexing_maps = [affine_map<(n, h, w, c) -> (n, h, w, c)>, affine_map<(n, h, w, c) -> (n, h, w, c)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%x : tensor<2x4x4x16xf32>) outs(%e : tensor<2x4x4x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %zero : f32
    linalg.yield %m : f32
  } -> tensor<2x4x4x16xf32>
  %r = tensor.insert_slice %relu into %into[0, 2, 2, 0] [2, 4, 4, 16] [1, 1, 1, 1] : tensor<2x4x4x16xf32> into tensor<2x8x8x16xf32>
  return %r : tensor<2x8x8x16xf32>
}

// kiln-parallelize's tasks fill the tensor the gradient goes into: only the border is
// filled, and the tasks go (dead, they would still fill a buffer of their own).
// CHECK-LABEL: func.func @halo_filled_by_tasks
// CHECK: %[[SHARED:.*]] = tensor.empty() : tensor<4x4x4x16xf32>
// CHECK-COUNT-4: linalg.fill
// CHECK: %[[INTERIOR:.*]] = tensor.extract_slice %{{.*}}[0, 2, 2, 0] [4, 4, 4, 16] [1, 1, 1, 1]
// CHECK: %[[GRAD:.*]] = scf.forall {{.*}} shared_outs(%{{.*}} = %[[INTERIOR]])
// CHECK-NOT: linalg.fill
// CHECK: tensor.insert_slice %[[GRAD]]
// CHECK-NOT: scf.forall
// BUFFERS-LABEL: func.func @halo_filled_by_tasks
// BUFFERS-COUNT-4: linalg.fill
// BUFFERS-NOT: linalg.fill
// BUFFERS-NOT: memref.copy
// BUFFERS: return
func.func @halo_filled_by_tasks(%dy: tensor<4x4x4x16xf32>) -> tensor<4x8x8x16xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x4x4x16xf32>
  %grad = scf.forall (%i) = (0) to (4) step (2) shared_outs(%out = %e) -> (tensor<4x4x4x16xf32>) {
    %in = tensor.extract_slice %dy[%i, 0, 0, 0] [2, 4, 4, 16] [1, 1, 1, 1] : tensor<4x4x4x16xf32> to tensor<2x4x4x16xf32>
    %o = tensor.extract_slice %out[%i, 0, 0, 0] [2, 4, 4, 16] [1, 1, 1, 1] : tensor<4x4x4x16xf32> to tensor<2x4x4x16xf32>
    %r = linalg.generic {indexing_maps = [affine_map<(n, h, w, c) -> (n, h, w, c)>, affine_map<(n, h, w, c) -> (n, h, w, c)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%in : tensor<2x4x4x16xf32>) outs(%o : tensor<2x4x4x16xf32>) {
    ^bb0(%a: f32, %b: f32):
      %m = arith.maximumf %a, %zero : f32
      linalg.yield %m : f32
    } -> tensor<2x4x4x16xf32>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %r into %out[%i, 0, 0, 0] [2, 4, 4, 16] [1, 1, 1, 1] : tensor<2x4x4x16xf32> into tensor<4x4x4x16xf32>
    }
  }
  %big = tensor.empty() : tensor<4x8x8x16xf32>
  %zeros = scf.forall (%i) = (0) to (4) step (2) shared_outs(%out = %big) -> (tensor<4x8x8x16xf32>) {
    %o = tensor.extract_slice %out[%i, 0, 0, 0] [2, 8, 8, 16] [1, 1, 1, 1] : tensor<4x8x8x16xf32> to tensor<2x8x8x16xf32>
    %f = linalg.fill ins(%zero : f32) outs(%o : tensor<2x8x8x16xf32>) -> tensor<2x8x8x16xf32>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %f into %out[%i, 0, 0, 0] [2, 8, 8, 16] [1, 1, 1, 1] : tensor<2x8x8x16xf32> into tensor<4x8x8x16xf32>
    }
  }
  %halo = tensor.insert_slice %grad into %zeros[0, 2, 2, 0] [4, 4, 4, 16] [1, 1, 1, 1] : tensor<4x4x4x16xf32> into tensor<4x8x8x16xf32>
  return %halo : tensor<4x8x8x16xf32>
}

// A padded activation also read by a later op (a residual add here): that op reads it back
// from the padded tensor, right after the insertion, which one-shot bufferization would
// otherwise take for a write between the producer and that read (and copy the activation
// out of the padded buffer and back in).
// CHECK-LABEL: func.func @read_again
// CHECK: %[[RELU:.*]] = linalg.generic
// CHECK-NEXT: ^bb0
// CHECK-NEXT: arith.maximumf
// CHECK-NEXT: linalg.yield
// CHECK-NEXT: }
// CHECK-NEXT: %[[PADDED:.*]] = tensor.insert_slice %[[RELU]] into %{{.*}}[0, 1, 1, 0] [2, 4, 4, 16]
// CHECK-NEXT: %[[BACK:.*]] = tensor.extract_slice %[[PADDED]][0, 1, 1, 0] [2, 4, 4, 16]
// CHECK: linalg.generic {{.*}} ins(%[[BACK]], %{{.*}} : tensor<2x4x4x16xf32>, tensor<2x4x4x16xf32>)
// BUFFERS-LABEL: func.func @read_again
// BUFFERS-NOT: memref.copy
// BUFFERS: return
func.func @read_again(%x: tensor<2x4x4x16xf32>, %y: tensor<2x4x4x16xf32>) -> (tensor<2x6x6x16xf32>, tensor<2x4x4x16xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x4x4x16xf32>
  %relu = linalg.generic {indexing_maps = [affine_map<(n, h, w, c) -> (n, h, w, c)>, affine_map<(n, h, w, c) -> (n, h, w, c)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%x : tensor<2x4x4x16xf32>) outs(%e : tensor<2x4x4x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %zero : f32
    linalg.yield %m : f32
  } -> tensor<2x4x4x16xf32>
  %padded = tensor.pad %relu low[0, 1, 1, 0] high[0, 1, 1, 0] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<2x4x4x16xf32> to tensor<2x6x6x16xf32>
  %e2 = tensor.empty() : tensor<2x4x4x16xf32>
  %sum = linalg.generic {indexing_maps = [affine_map<(n, h, w, c) -> (n, h, w, c)>, affine_map<(n, h, w, c) -> (n, h, w, c)>, affine_map<(n, h, w, c) -> (n, h, w, c)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%relu, %y : tensor<2x4x4x16xf32>, tensor<2x4x4x16xf32>) outs(%e2 : tensor<2x4x4x16xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  } -> tensor<2x4x4x16xf32>
  return %padded, %sum : tensor<2x6x6x16xf32>, tensor<2x4x4x16xf32>
}
