// kiln-fuse-elementwise computes an elementwise producer with one use inside its consumer;
// with kiln-fold-transposes after it, a residual add that channels-last operands wrote in
// NCHW only for the ReLU after it becomes one channels-last pass.
// RUN: kiln-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(kiln-fuse-elementwise))' | FileCheck %s
// RUN: kiln-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(kiln-fuse-elementwise,kiln-fold-transposes))' | FileCheck %s --check-prefix=LAYOUT

#nhwc_as_nchw = affine_map<(d0, d1, d2, d3) -> (d0, d2, d3, d1)>
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#nchw_as_nhwc = affine_map<(d0, d1, d2, d3) -> (d0, d3, d1, d2)>

// CHECK-LABEL: func @add_relu
// CHECK-SAME: (%[[A:.*]]: tensor<2x4x5x3xf32>, %[[B:.*]]: tensor<2x4x5x3xf32>)
// CHECK: %[[FUSED:.*]] = linalg.generic {{.*}} ins(%[[A]], %[[B]] : tensor<2x4x5x3xf32>, tensor<2x4x5x3xf32>)
// CHECK: arith.addf
// CHECK: arith.maximumf
// CHECK-NOT: linalg.generic
// CHECK: return %[[FUSED]]
// The fused op reads and writes channels-last: it iterates in its result's order and reads
// both operands with the same map.
// LAYOUT-DAG: #[[$ID:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// LAYOUT-LABEL: func @add_relu
// LAYOUT: linalg.generic {indexing_maps = [#[[$ID]], #[[$ID]], #[[$ID]]]
func.func @add_relu(%a: tensor<2x4x5x3xf32>, %b: tensor<2x4x5x3xf32>) -> tensor<2x4x5x3xf32> {
  %e0 = tensor.empty() : tensor<2x3x4x5xf32>
  %sum = linalg.generic {indexing_maps = [#nhwc_as_nchw, #nhwc_as_nchw, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%a, %b : tensor<2x4x5x3xf32>, tensor<2x4x5x3xf32>) outs(%e0 : tensor<2x3x4x5xf32>) {
  ^bb0(%x: f32, %y: f32, %out: f32):
    %s = arith.addf %x, %y : f32
    linalg.yield %s : f32
  } -> tensor<2x3x4x5xf32>
  %e1 = tensor.empty() : tensor<2x4x5x3xf32>
  %relu = linalg.generic {indexing_maps = [#nchw_as_nhwc, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%sum : tensor<2x3x4x5xf32>) outs(%e1 : tensor<2x4x5x3xf32>) {
  ^bb0(%in: f32, %out: f32):
    %zero = arith.constant 0.0 : f32
    %m = arith.maximumf %in, %zero : f32
    linalg.yield %m : f32
  } -> tensor<2x4x5x3xf32>
  return %relu : tensor<2x4x5x3xf32>
}

// -----

// A result with two uses (here: returned, as an activation kept for the backward pass
// would be) stays a tensor of its own: fusing it would compute it twice.
// CHECK-LABEL: func @kept
// CHECK: %[[SUM:.*]] = linalg.generic
// CHECK: arith.addf
// CHECK: %[[RELU:.*]] = linalg.generic {{.*}} ins(%[[SUM]] :
// CHECK: return %[[SUM]], %[[RELU]]
func.func @kept(%a: tensor<8xf32>, %b: tensor<8xf32>) -> (tensor<8xf32>, tensor<8xf32>) {
  %e = tensor.empty() : tensor<8xf32>
  %sum = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%a, %b : tensor<8xf32>, tensor<8xf32>) outs(%e : tensor<8xf32>) {
  ^bb0(%x: f32, %y: f32, %out: f32):
    %s = arith.addf %x, %y : f32
    linalg.yield %s : f32
  } -> tensor<8xf32>
  %relu = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%sum : tensor<8xf32>) outs(%e : tensor<8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %zero = arith.constant 0.0 : f32
    %m = arith.maximumf %in, %zero : f32
    linalg.yield %m : f32
  } -> tensor<8xf32>
  return %sum, %relu : tensor<8xf32>, tensor<8xf32>
}

// -----

// A per-channel value that the consumer broadcasts over the image is not fused: inside the
// consumer it would be computed again for every pixel.
// CHECK-LABEL: func @broadcast_kept
// CHECK: %[[SHIFT:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<3xf32>)
// CHECK: arith.negf
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %[[SHIFT]] : tensor<2x3x4x5xf32>, tensor<3xf32>)
func.func @broadcast_kept(%x: tensor<2x3x4x5xf32>, %mean: tensor<3xf32>) -> tensor<2x3x4x5xf32> {
  %e0 = tensor.empty() : tensor<3xf32>
  %shift = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%mean : tensor<3xf32>) outs(%e0 : tensor<3xf32>) {
  ^bb0(%in: f32, %out: f32):
    %n = arith.negf %in : f32
    linalg.yield %n : f32
  } -> tensor<3xf32>
  %e1 = tensor.empty() : tensor<2x3x4x5xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d1)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%x, %shift : tensor<2x3x4x5xf32>, tensor<3xf32>) outs(%e1 : tensor<2x3x4x5xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  } -> tensor<2x3x4x5xf32>
  return %y : tensor<2x3x4x5xf32>
}

// -----

// A batch norm's x - mean, used by the variance's sum of squares and by a scale: cheaper to
// recompute than to keep (one full-size input, the mean broadcast, one subtraction), so
// each user gets its own copy and fuses it, and the difference is never written.
// CHECK-LABEL: func @recomputed
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4x5xf32>, %[[MEAN:.*]]: tensor<3xf32>, %[[SCALE:.*]]: tensor<3xf32>)
// CHECK: %[[SQUARES:.*]] = linalg.generic {{.*}} iterator_types = ["reduction", "parallel", "reduction", "reduction"]} ins(%[[X]], %[[MEAN]] :
// CHECK: arith.subf
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: %[[SCALED:.*]] = linalg.generic {{.*}} ins(%[[X]], %[[MEAN]], %[[SCALE]] :
// CHECK: arith.subf
// CHECK: arith.mulf
// CHECK-NOT: linalg.generic
// CHECK: return %[[SQUARES]], %[[SCALED]]
func.func @recomputed(%x: tensor<2x3x4x5xf32>, %mean: tensor<3xf32>, %scale: tensor<3xf32>) -> (tensor<3xf32>, tensor<2x3x4x5xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x3x4x5xf32>
  %centered = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d1)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%x, %mean : tensor<2x3x4x5xf32>, tensor<3xf32>) outs(%e : tensor<2x3x4x5xf32>) {
  ^bb0(%a: f32, %m: f32, %out: f32):
    %d = arith.subf %a, %m : f32
    linalg.yield %d : f32
  } -> tensor<2x3x4x5xf32>
  %e3 = tensor.empty() : tensor<3xf32>
  %init = linalg.fill ins(%zero : f32) outs(%e3 : tensor<3xf32>) -> tensor<3xf32>
  %squares = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d1)>], iterator_types = ["reduction", "parallel", "reduction", "reduction"]} ins(%centered : tensor<2x3x4x5xf32>) outs(%init : tensor<3xf32>) {
  ^bb0(%c: f32, %acc: f32):
    %sq = arith.mulf %c, %c : f32
    %s = arith.addf %sq, %acc : f32
    linalg.yield %s : f32
  } -> tensor<3xf32>
  %scaled = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d1)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%centered, %scale : tensor<2x3x4x5xf32>, tensor<3xf32>) outs(%e : tensor<2x3x4x5xf32>) {
  ^bb0(%c: f32, %k: f32, %out: f32):
    %p = arith.mulf %c, %k : f32
    linalg.yield %p : f32
  } -> tensor<2x3x4x5xf32>
  return %squares, %scaled : tensor<3xf32>, tensor<2x3x4x5xf32>
}
