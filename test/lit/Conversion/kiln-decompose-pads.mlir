// kiln-decompose-pads: a padded value whose producer writes into a fresh tensor is computed
// straight into the interior of the filled padded tensor (the pad becomes the insertion of
// the result into that same slice), so bufferization copies nothing; a pad of anything else
// (a function argument here) stays a tensor.pad. The same for a value given a halo by
// inserting it into a zero-filled tensor (an input gradient's), not for an insertion into
// a tensor that is not computed from fresh ones alone.
// RUN: kiln-opt %s --pass-pipeline='builtin.module(func.func(kiln-decompose-pads))' | FileCheck %s
// kiln-bufferize runs the pass before one-shot bufferization.
// RUN: kiln-opt %s --kiln-bufferize | FileCheck %s --check-prefix=BUFFERS

// CHECK-LABEL: func.func @relu_then_pad
// CHECK: %[[EMPTY:.*]] = tensor.empty() : tensor<2x6x6x16xf32>
// CHECK: %[[FILLED:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[EMPTY]] : tensor<2x6x6x16xf32>)
// CHECK: %[[INTERIOR:.*]] = tensor.extract_slice %[[FILLED]][0, 1, 1, 0] [2, 4, 4, 16] [1, 1, 1, 1]
// CHECK: %[[RELU:.*]] = linalg.generic {{.*}} outs(%[[INTERIOR]] : tensor<2x4x4x16xf32>)
// CHECK: tensor.insert_slice %[[RELU]] into %[[FILLED]][0, 1, 1, 0] [2, 4, 4, 16] [1, 1, 1, 1]
// CHECK-NOT: tensor.pad
// BUFFERS-LABEL: func.func @relu_then_pad
// BUFFERS: linalg.fill
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
// CHECK: %[[EMPTY:.*]] = tensor.empty() : tensor<2x8x8x16xf32>
// CHECK: %[[ZEROS:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[EMPTY]] : tensor<2x8x8x16xf32>)
// CHECK: %[[INTERIOR:.*]] = tensor.extract_slice %[[ZEROS]][0, 2, 2, 0] [2, 4, 4, 16] [1, 1, 1, 1]
// CHECK: %[[GRAD:.*]] = linalg.generic {{.*}} outs(%[[INTERIOR]] : tensor<2x4x4x16xf32>)
// CHECK: tensor.insert_slice %[[GRAD]] into %[[ZEROS]][0, 2, 2, 0] [2, 4, 4, 16] [1, 1, 1, 1]
// BUFFERS-LABEL: func.func @halo
// BUFFERS: linalg.fill
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
