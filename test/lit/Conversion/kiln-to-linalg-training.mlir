// RUN: kiln-opt %s --kiln-lower-to-linalg --split-input-file | FileCheck %s

// The input gradient: the output gradient spread by the stride into a zero tensor with a
// (K-1)*d halo, correlated with the filter read at mirrored taps over the padded input, then
// cropped by the forward pads.
// CHECK-DAG: #[[SPREAD:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d5, d3 + -d6 + 2, d4 + -d7 + 2)>
// CHECK-DAG: #[[FILTER:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d1, d5, d2, d6, d7)>
// CHECK-LABEL: func.func @conv_backward_data
// CHECK: %[[DY:.*]] = tensor.expand_shape %arg0 {{\[}}[0], [1, 2], [3], [4]]
// CHECK: tensor.insert_slice %[[DY]] into %{{.*}}[0, 0, 0, 2, 2] [1, 2, 2, 3, 3] [1, 1, 1, 2, 2] : tensor<1x2x2x3x3xf32> into tensor<1x2x2x9x9xf32>
// CHECK: linalg.generic {indexing_maps = [#[[SPREAD]], #[[FILTER]], {{.*}}], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
// CHECK: tensor.extract_slice %{{.*}}[0, 0, 1, 1] [1, 4, 6, 6] [1, 1, 1, 1] : tensor<1x4x7x7xf32> to tensor<1x4x6x6xf32>
func.func @conv_backward_data(%dy: tensor<1x4x3x3xf32>, %w: tensor<4x2x3x3xf32>) -> tensor<1x4x6x6xf32> {
  %dx = kiln.conv2d_backward_data %dy, %w {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 0, 0>, dilations = array<i64: 1, 1>, groups = 2 : i64} : (tensor<1x4x3x3xf32>, tensor<4x2x3x3xf32>) -> tensor<1x4x6x6xf32>
  return %dx : tensor<1x4x6x6xf32>
}

// -----

// The filter gradient accumulates per output column, then sums the columns.
// CHECK-DAG: #[[X:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d6, d0, d2, d7 * 2 + d3, d5 * 2 + d4)>
// CHECK-DAG: #[[DYMAP:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d6, d0, d1, d7, d5)>
// CHECK-LABEL: func.func @conv_backward_filter
// CHECK: tensor.pad %arg0 low[0, 0, 1, 1] high[0, 0, 0, 0]
// CHECK: %[[COLUMNS:.*]] = linalg.generic {indexing_maps = [#[[X]], #[[DYMAP]], {{.*}}], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
// CHECK: } -> tensor<2x2x2x3x3x3xf32>
// CHECK: linalg.generic {{.*}} ins(%[[COLUMNS]] : tensor<2x2x2x3x3x3xf32>) outs(%{{.*}} : tensor<2x2x2x3x3xf32>)
// CHECK: tensor.collapse_shape %{{.*}} {{\[}}[0, 1], [2], [3], [4]] : tensor<2x2x2x3x3xf32> into tensor<4x2x3x3xf32>
func.func @conv_backward_filter(%x: tensor<1x4x6x6xf32>, %dy: tensor<1x4x3x3xf32>) -> tensor<4x2x3x3xf32> {
  %dw = kiln.conv2d_backward_filter %x, %dy {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 0, 0>, dilations = array<i64: 1, 1>, groups = 2 : i64} : (tensor<1x4x6x6xf32>, tensor<1x4x3x3xf32>) -> tensor<4x2x3x3xf32>
  return %dw : tensor<4x2x3x3xf32>
}

// -----

// Max-pool gradient: the first maximum of each window (strictly greater wins), then a gather
// that sends each window's gradient to the position that won it. The argmax has one result,
// the winners' indices: the running maximum is read back from the padded input.
// CHECK-LABEL: func.func @max_pool_backward
// CHECK: %[[ARGMAX:.*]] = linalg.generic
// CHECK-SAME: outs(%{{.*}} : tensor<1x1x2x2xi64>)
// CHECK: %[[BEST:.*]] = tensor.extract %arg0
// CHECK: arith.cmpf ogt, %{{.*}}, %[[BEST]]
// CHECK: linalg.generic
// CHECK: tensor.extract %[[ARGMAX]]
// CHECK: tensor.extract %arg1
func.func @max_pool_backward(%x: tensor<1x1x4x4xf32>, %dy: tensor<1x1x2x2xf32>) -> tensor<1x1x4x4xf32> {
  %dx = kiln.max_pool2d_backward %x, %dy {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x1x4x4xf32>, tensor<1x1x2x2xf32>) -> tensor<1x1x4x4xf32>
  return %dx : tensor<1x1x4x4xf32>
}

// -----

// Average-pool gradient: divide by each window's count, then gather.
// CHECK-LABEL: func.func @avg_pool_backward
// CHECK: linalg.pooling_nchw_sum
// CHECK: arith.divf
// CHECK: tensor.extract
func.func @avg_pool_backward(%dy: tensor<1x1x3x3xf32>) -> tensor<1x1x4x4xf32> {
  %dx = kiln.avg_pool2d_backward %dy {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x1x3x3xf32>) -> tensor<1x1x4x4xf32>
  return %dx : tensor<1x1x4x4xf32>
}

// -----

// Training batch norm: batch mean and biased variance, then the inference formula.
// CHECK-LABEL: func.func @batch_norm_training
// CHECK-COUNT-2: iterator_types = ["reduction", "parallel", "reduction", "reduction"]
// CHECK: math.rsqrt
func.func @batch_norm_training(%x: tensor<2x3x2x2xf32>, %s: tensor<3xf32>, %b: tensor<3xf32>) -> (tensor<2x3x2x2xf32>, tensor<3xf32>, tensor<3xf32>) {
  %y, %m, %v = kiln.batch_norm_training %x, %s, %b : (tensor<2x3x2x2xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<2x3x2x2xf32>, tensor<3xf32>, tensor<3xf32>)
  return %y, %m, %v : tensor<2x3x2x2xf32>, tensor<3xf32>, tensor<3xf32>
}

// -----

// Compare, select and broadcast are elementwise generics, fused into one
// (kiln-fuse-elementwise) that writes the broadcast shape.
// CHECK-LABEL: func.func @masks
// CHECK: linalg.generic
// CHECK: arith.cmpf ogt
// CHECK: arith.select
// CHECK: } -> tensor<4x2x3xf32>
// CHECK-NOT: linalg.generic
func.func @masks(%x: tensor<2x3xf32>, %z: tensor<f32>) -> tensor<4x2x3xf32> {
  %c = kiln.compare %x, %z {predicate = "gt"} : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xi1>
  %s = kiln.select %c, %x, %z : (tensor<2x3xi1>, tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
  %b = kiln.broadcast_to %s : tensor<2x3xf32> -> tensor<4x2x3xf32>
  return %b : tensor<4x2x3xf32>
}

// -----

// one_hot compares each class index with the column; random_uniform hashes the position.
// CHECK-LABEL: func.func @generators
// CHECK: linalg.index 1
// CHECK: arith.cmpi eq
// CHECK: tensor.extract %arg1[]
// CHECK: arith.shrui
// CHECK: arith.uitofp
func.func @generators(%labels: tensor<4xi32>, %seed: tensor<i64>) -> (tensor<4x10xf32>, tensor<4x8xf32>) {
  %t = kiln.one_hot %labels {depth = 10 : i64} : tensor<4xi32> -> tensor<4x10xf32>
  %u = kiln.random_uniform %seed {stream = 1 : i64} : tensor<i64> -> tensor<4x8xf32>
  return %t, %u : tensor<4x10xf32>, tensor<4x8xf32>
}

// -----

// CHECK-LABEL: func.func @slice_backward
// CHECK: tensor.insert_slice %arg0 into %{{.*}}[1, 0] [2, 2] [1, 2] : tensor<2x2xf32> into tensor<4x4xf32>
func.func @slice_backward(%dy: tensor<2x2xf32>) -> tensor<4x4xf32> {
  %dx = kiln.slice_backward %dy {starts = array<i64: 1, 0>, steps = array<i64: 1, 2>} : (tensor<2x2xf32>) -> tensor<4x4xf32>
  return %dx : tensor<4x4xf32>
}
