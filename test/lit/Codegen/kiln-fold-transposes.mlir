// kiln-fold-transposes moves layout changes into the indexing maps of neighbouring generics.
// RUN: kiln-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(kiln-fold-transposes))' | FileCheck %s

// A transpose and its inverse cancel; two others compose into one.
// CHECK-LABEL: func @compose
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4x5xf32>)
// CHECK: %[[T:.*]] = linalg.transpose ins(%[[X]] : tensor<2x3x4x5xf32>) outs(%{{.*}} : tensor<3x2x4x5xf32>) permutation = [1, 0, 2, 3]
// CHECK-NOT: linalg.transpose
// CHECK: return %[[X]], %[[T]]
func.func @compose(%x: tensor<2x3x4x5xf32>) -> (tensor<2x3x4x5xf32>, tensor<3x2x4x5xf32>) {
  %e0 = tensor.empty() : tensor<2x4x5x3xf32>
  %nhwc = linalg.transpose ins(%x : tensor<2x3x4x5xf32>) outs(%e0 : tensor<2x4x5x3xf32>) permutation = [0, 2, 3, 1]
  %e1 = tensor.empty() : tensor<2x3x4x5xf32>
  %back = linalg.transpose ins(%nhwc : tensor<2x4x5x3xf32>) outs(%e1 : tensor<2x3x4x5xf32>) permutation = [0, 3, 1, 2]
  %e2 = tensor.empty() : tensor<3x2x4x5xf32>
  %swap = linalg.transpose ins(%nhwc : tensor<2x4x5x3xf32>) outs(%e2 : tensor<3x2x4x5xf32>) permutation = [3, 0, 1, 2]
  return %back, %swap : tensor<2x3x4x5xf32>, tensor<3x2x4x5xf32>
}

// -----

// An elementwise op on a transposed tensor reads the original through a permuted map and
// then iterates in the order of its result.
// CHECK-DAG: #[[$NHWC_AS_NCHW:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d2, d3, d1)>
// CHECK-DAG: #[[$ID:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func @read_through
// CHECK-SAME: (%[[Y:.*]]: tensor<2x4x5x3xf32>)
// CHECK-NOT: linalg.transpose
// CHECK: linalg.generic {indexing_maps = [#[[$NHWC_AS_NCHW]], #[[$ID]]], {{.*}} ins(%[[Y]] : tensor<2x4x5x3xf32>) outs(%{{.*}} : tensor<2x3x4x5xf32>)
func.func @read_through(%y: tensor<2x4x5x3xf32>) -> tensor<2x3x4x5xf32> {
  %e0 = tensor.empty() : tensor<2x3x4x5xf32>
  %nchw = linalg.transpose ins(%y : tensor<2x4x5x3xf32>) outs(%e0 : tensor<2x3x4x5xf32>) permutation = [0, 3, 1, 2]
  %relu = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%nchw : tensor<2x3x4x5xf32>) outs(%e0 : tensor<2x3x4x5xf32>) {
  ^bb0(%in: f32, %out: f32):
    %zero = arith.constant 0.0 : f32
    %m = arith.maximumf %in, %zero : f32
    linalg.yield %m : f32
  } -> tensor<2x3x4x5xf32>
  return %relu : tensor<2x3x4x5xf32>
}

// -----

// A transpose that feeds an op without indexing maps (the padding of the next convolution)
// moves into the generic that produces its input: the generic writes channels-last. Its other
// (generic) user reads through the inverse, as in @read_through.
// CHECK-LABEL: func @write_transposed
// CHECK-NOT: linalg.transpose
// CHECK: %[[RELU:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<2x4x5x3xf32>)
// CHECK: tensor.pad %[[RELU]]
// CHECK: linalg.generic {{.*}} ins(%[[RELU]], %{{.*}} : tensor<2x4x5x3xf32>, tensor<2x3x4x5xf32>)
// CHECK-NOT: linalg.transpose
// CHECK: return
func.func @write_transposed(%x: tensor<2x3x4x5xf32>) -> (tensor<2x6x7x3xf32>, tensor<2x3x4x5xf32>) {
  %e0 = tensor.empty() : tensor<2x3x4x5xf32>
  %relu = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%x : tensor<2x3x4x5xf32>) outs(%e0 : tensor<2x3x4x5xf32>) {
  ^bb0(%in: f32, %out: f32):
    %zero = arith.constant 0.0 : f32
    %m = arith.maximumf %in, %zero : f32
    linalg.yield %m : f32
  } -> tensor<2x3x4x5xf32>
  %e1 = tensor.empty() : tensor<2x4x5x3xf32>
  %nhwc = linalg.transpose ins(%relu : tensor<2x3x4x5xf32>) outs(%e1 : tensor<2x4x5x3xf32>) permutation = [0, 2, 3, 1]
  %pad = arith.constant 0.0 : f32
  %padded = tensor.pad %nhwc low[0, 1, 1, 0] high[0, 1, 1, 0] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %pad : f32
  } : tensor<2x4x5x3xf32> to tensor<2x6x7x3xf32>
  %residual = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%relu, %x : tensor<2x3x4x5xf32>, tensor<2x3x4x5xf32>) outs(%e0 : tensor<2x3x4x5xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  } -> tensor<2x3x4x5xf32>
  return %padded, %residual : tensor<2x6x7x3xf32>, tensor<2x3x4x5xf32>
}

// -----

// A generic that reads its own output (a reduction's accumulator) keeps its layout: the
// transpose stays.
// CHECK-LABEL: func @accumulating_producer_kept
// CHECK: linalg.generic
// CHECK: linalg.transpose
func.func @accumulating_producer_kept(%x: tensor<2x3xf32>, %acc: tensor<2x3xf32>) -> tensor<3x2xf32> {
  %sum = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<2x3xf32>) outs(%acc : tensor<2x3xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s = arith.addf %in, %out : f32
    linalg.yield %s : f32
  } -> tensor<2x3xf32>
  %e = tensor.empty() : tensor<3x2xf32>
  %t = linalg.transpose ins(%sum : tensor<2x3xf32>) outs(%e : tensor<3x2xf32>) permutation = [1, 0]
  return %t : tensor<3x2xf32>
}

// -----

// A generic that accumulates into the producer's result (its init) cannot take a transposed
// tensor there: the producer keeps its layout.
// CHECK-LABEL: func @init_user_kept
// CHECK: %[[P:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<2x3xf32>)
// CHECK: linalg.transpose ins(%[[P]]
// CHECK: linalg.generic {{.*}} outs(%[[P]] : tensor<2x3xf32>)
func.func @init_user_kept(%x: tensor<2x3xf32>) -> (tensor<3x2xf32>, tensor<2x3xf32>) {
  %e = tensor.empty() : tensor<2x3xf32>
  %p = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<2x3xf32>) outs(%e : tensor<2x3xf32>) {
  ^bb0(%in: f32, %out: f32):
    %n = arith.negf %in : f32
    linalg.yield %n : f32
  } -> tensor<2x3xf32>
  %et = tensor.empty() : tensor<3x2xf32>
  %t = linalg.transpose ins(%p : tensor<2x3xf32>) outs(%et : tensor<3x2xf32>) permutation = [1, 0]
  %pad = arith.constant 0.0 : f32
  %acc = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<2x3xf32>) outs(%p : tensor<2x3xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s = arith.addf %in, %out : f32
    linalg.yield %s : f32
  } -> tensor<2x3xf32>
  %r = tensor.pad %t low[0, 0] high[0, 0] {
  ^bb0(%i: index, %j: index):
    tensor.yield %pad : f32
  } : tensor<3x2xf32> to tensor<3x2xf32>
  return %r, %acc : tensor<3x2xf32>, tensor<2x3xf32>
}

// -----

// A ReLU whose result a channels-last convolution reads (transpose [0, 2, 3, 1]), a filter
// gradient reads in another layout and the backward pass reads as it is: the ReLU writes
// channels-last, the convolution's transpose is gone and the other one starts from
// channels-last; the generic reads through its map.
// CHECK-LABEL: func @channels_last
// CHECK-SAME: (%[[Y:.*]]: tensor<2x4x5x3xf32>)
// CHECK: %[[RELU:.*]] = linalg.generic {{.*}} ins(%[[Y]] : tensor<2x4x5x3xf32>) outs(%{{.*}} : tensor<2x4x5x3xf32>) attrs = {kiln.channels_last}
// CHECK: %[[HWNC:.*]] = linalg.transpose ins(%[[RELU]] : tensor<2x4x5x3xf32>) outs(%{{.*}} : tensor<4x5x2x3xf32>) permutation = [1, 2, 0, 3]
// CHECK-NOT: linalg.transpose
// CHECK: %[[MASK:.*]] = linalg.generic {{.*}} ins(%[[RELU]] : tensor<2x4x5x3xf32>)
// CHECK: return %[[RELU]], %[[HWNC]], %[[MASK]]
func.func @channels_last(%y: tensor<2x4x5x3xf32>) -> (tensor<2x4x5x3xf32>, tensor<4x5x2x3xf32>, tensor<2x3x4x5xf32>) {
  %e0 = tensor.empty() : tensor<2x3x4x5xf32>
  %nchw = linalg.transpose ins(%y : tensor<2x4x5x3xf32>) outs(%e0 : tensor<2x3x4x5xf32>) permutation = [0, 3, 1, 2]
  %relu = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%nchw : tensor<2x3x4x5xf32>) outs(%e0 : tensor<2x3x4x5xf32>) {
  ^bb0(%in: f32, %out: f32):
    %zero = arith.constant 0.0 : f32
    %m = arith.maximumf %in, %zero : f32
    linalg.yield %m : f32
  } -> tensor<2x3x4x5xf32>
  %e1 = tensor.empty() : tensor<2x4x5x3xf32>
  %nhwc = linalg.transpose ins(%relu : tensor<2x3x4x5xf32>) outs(%e1 : tensor<2x4x5x3xf32>) permutation = [0, 2, 3, 1]
  %e2 = tensor.empty() : tensor<4x5x2x3xf32>
  %hwnc = linalg.transpose ins(%relu : tensor<2x3x4x5xf32>) outs(%e2 : tensor<4x5x2x3xf32>) permutation = [2, 3, 0, 1]
  %mask = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%relu : tensor<2x3x4x5xf32>) outs(%e0 : tensor<2x3x4x5xf32>) {
  ^bb0(%in: f32, %out: f32):
    %zero = arith.constant 0.0 : f32
    %gt = arith.cmpf ogt, %in, %zero : f32
    %one = arith.uitofp %gt : i1 to f32
    linalg.yield %one : f32
  } -> tensor<2x3x4x5xf32>
  return %nhwc, %hwnc, %mask : tensor<2x4x5x3xf32>, tensor<4x5x2x3xf32>, tensor<2x3x4x5xf32>
}

// -----

// Batch norm's statistics of a convolution's channels-last result: the centred input, NCHW in
// the graph, is written channels-last like the input it reads; the sum of its squares reads
// it through its map, and the scaled result is written channels-last for the next
// convolution. No layout change is left.
// CHECK-LABEL: func @write_in_inputs_layout
// CHECK-SAME: (%[[X:.*]]: tensor<2x4x5x8xf32>, %[[MEAN:.*]]: tensor<8x1x1xf32>
// CHECK-NOT: linalg.transpose
// CHECK: %[[C:.*]] = linalg.generic {{.*}} ins(%[[X]], %[[MEAN]] : tensor<2x4x5x8xf32>, tensor<8x1x1xf32>) outs(%{{.*}} : tensor<2x4x5x8xf32>) attrs = {kiln.channels_last}
// CHECK: %[[SQUARES:.*]] = linalg.generic {{.*}} ins(%[[C]] : tensor<2x4x5x8xf32>) outs(%{{.*}} : tensor<8xf32>)
// CHECK: %[[SCALED:.*]] = linalg.generic {{.*}} ins(%[[C]] : tensor<2x4x5x8xf32>) outs(%{{.*}} : tensor<2x4x5x8xf32>)
// CHECK-NOT: linalg.transpose
// CHECK: return %[[SCALED]], %[[SQUARES]]
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#channel = affine_map<(d0, d1, d2, d3) -> (d1, 0, 0)>
#sum = affine_map<(d0, d1, d2, d3) -> (d1)>
func.func @write_in_inputs_layout(%x: tensor<2x4x5x8xf32>, %mean: tensor<8x1x1xf32>, %init: tensor<8xf32>)
    -> (tensor<2x4x5x8xf32>, tensor<8xf32>) {
  %e0 = tensor.empty() : tensor<2x8x4x5xf32>
  %nchw = linalg.transpose ins(%x : tensor<2x4x5x8xf32>) outs(%e0 : tensor<2x8x4x5xf32>) permutation = [0, 3, 1, 2]
  %centered = linalg.generic {indexing_maps = [#id, #channel, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%nchw, %mean : tensor<2x8x4x5xf32>, tensor<8x1x1xf32>) outs(%e0 : tensor<2x8x4x5xf32>) {
  ^bb0(%in: f32, %m: f32, %out: f32):
    %d = arith.subf %in, %m : f32
    linalg.yield %d : f32
  } -> tensor<2x8x4x5xf32>
  %squares = linalg.generic {indexing_maps = [#id, #sum], iterator_types = ["reduction", "parallel", "reduction", "reduction"]} ins(%centered : tensor<2x8x4x5xf32>) outs(%init : tensor<8xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %sq = arith.mulf %in, %in : f32
    %s = arith.addf %sq, %acc : f32
    linalg.yield %s : f32
  } -> tensor<8xf32>
  %scaled = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%centered : tensor<2x8x4x5xf32>) outs(%e0 : tensor<2x8x4x5xf32>) {
  ^bb0(%in: f32, %out: f32):
    %two = arith.constant 2.0 : f32
    %m = arith.mulf %in, %two : f32
    linalg.yield %m : f32
  } -> tensor<2x8x4x5xf32>
  %e1 = tensor.empty() : tensor<2x4x5x8xf32>
  %nhwc = linalg.transpose ins(%scaled : tensor<2x8x4x5xf32>) outs(%e1 : tensor<2x4x5x8xf32>) permutation = [0, 2, 3, 1]
  return %nhwc, %squares : tensor<2x4x5x8xf32>, tensor<8xf32>
}

// -----

// An op that reads more NCHW tensors than channels-last ones keeps writing NCHW.
// CHECK-LABEL: func @majority_nchw
// CHECK: %[[SUM:.*]] = linalg.generic {{.*}} ins(%arg0, %arg1, %arg2 : tensor<2x4x5x8xf32>, tensor<2x8x4x5xf32>, tensor<2x8x4x5xf32>) outs(%{{.*}} : tensor<2x8x4x5xf32>) {
// CHECK: linalg.generic {{.*}} ins(%[[SUM]] : tensor<2x8x4x5xf32>) outs(%{{.*}} : tensor<2x8x4x5xf32>) {
#id2 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @majority_nchw(%x: tensor<2x4x5x8xf32>, %a: tensor<2x8x4x5xf32>, %b: tensor<2x8x4x5xf32>) -> tensor<2x8x4x5xf32> {
  %e0 = tensor.empty() : tensor<2x8x4x5xf32>
  %nchw = linalg.transpose ins(%x : tensor<2x4x5x8xf32>) outs(%e0 : tensor<2x8x4x5xf32>) permutation = [0, 3, 1, 2]
  %sum = linalg.generic {indexing_maps = [#id2, #id2, #id2, #id2], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%nchw, %a, %b : tensor<2x8x4x5xf32>, tensor<2x8x4x5xf32>, tensor<2x8x4x5xf32>) outs(%e0 : tensor<2x8x4x5xf32>) {
  ^bb0(%p: f32, %q: f32, %r: f32, %out: f32):
    %s = arith.addf %p, %q : f32
    %t = arith.addf %s, %r : f32
    linalg.yield %t : f32
  } -> tensor<2x8x4x5xf32>
  %neg = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%sum : tensor<2x8x4x5xf32>) outs(%e0 : tensor<2x8x4x5xf32>) {
  ^bb0(%in: f32, %out: f32):
    %n = arith.negf %in : f32
    linalg.yield %n : f32
  } -> tensor<2x8x4x5xf32>
  return %neg : tensor<2x8x4x5xf32>
}
