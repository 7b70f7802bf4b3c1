// Lowering of kiln ops to linalg / tensor / arith / math on tensors.
// RUN: kiln-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(kiln-to-linalg))' | FileCheck %s

// Padding becomes tensor.pad with zeros, bias becomes the accumulator's initial value.
// CHECK-LABEL: func @conv_with_bias_and_pads
// CHECK: %[[PADDED:.*]] = tensor.pad %{{.*}} low[0, 0, 1, 2] high[0, 0, 3, 4]
// CHECK: %[[INIT:.*]] = linalg.generic {{.*}} ins(%{{.*}} : tensor<8xf32>)
// CHECK: linalg.conv_2d_nchw_fchw {dilations = dense<[1, 2]> : tensor<2xi64>, strides = dense<[2, 1]> : tensor<2xi64>} ins(%[[PADDED]], %{{.*}} : tensor<1x3x12x14xf32>, tensor<8x3x3x3xf32>) outs(%[[INIT]] : tensor<1x8x5x10xf32>)
func.func @conv_with_bias_and_pads(%x: tensor<1x3x8x8xf32>, %w: tensor<8x3x3x3xf32>, %b: tensor<8xf32>) -> tensor<1x8x5x10xf32> {
  %0 = kiln.conv2d %x, %w, %b {strides = array<i64: 2, 1>, pads = array<i64: 1, 2, 3, 4>, dilations = array<i64: 1, 2>} : (tensor<1x3x8x8xf32>, tensor<8x3x3x3xf32>, tensor<8xf32>) -> tensor<1x8x5x10xf32>
  return %0 : tensor<1x8x5x10xf32>
}

// -----

// A convolution marked channels-last (kiln-choose-layout) computes in NHWC / HWCF between
// transposes that keep its NCHW meaning; pads go on H and W, the bias along the last dim.
// CHECK-LABEL: func @conv_channels_last
// CHECK: %[[X:.*]] = linalg.transpose ins(%{{.*}} : tensor<1x3x8x8xf32>) {{.*}} permutation = [0, 2, 3, 1]
// CHECK: %[[PADDED:.*]] = tensor.pad %[[X]] low[0, 1, 2, 0] high[0, 3, 4, 0]
// CHECK: %[[W:.*]] = linalg.transpose ins(%{{.*}} : tensor<8x3x3x3xf32>) {{.*}} permutation = [2, 3, 1, 0]
// CHECK: %[[INIT:.*]] = linalg.generic {{.*}} ins(%{{.*}} : tensor<8xf32>) outs(%{{.*}} : tensor<1x5x10x8xf32>)
// CHECK: %[[Y:.*]] = linalg.conv_2d_nhwc_hwcf {dilations = dense<[1, 2]> : tensor<2xi64>, strides = dense<[2, 1]> : tensor<2xi64>} ins(%[[PADDED]], %[[W]] : tensor<1x12x14x3xf32>, tensor<3x3x3x8xf32>) outs(%[[INIT]] : tensor<1x5x10x8xf32>)
// CHECK: linalg.transpose ins(%[[Y]] : tensor<1x5x10x8xf32>) {{.*}} permutation = [0, 3, 1, 2]
func.func @conv_channels_last(%x: tensor<1x3x8x8xf32>, %w: tensor<8x3x3x3xf32>, %b: tensor<8xf32>) -> tensor<1x8x5x10xf32> {
  %0 = kiln.conv2d %x, %w, %b {strides = array<i64: 2, 1>, pads = array<i64: 1, 2, 3, 4>, dilations = array<i64: 1, 2>, kiln.layout = "nhwc"} : (tensor<1x3x8x8xf32>, tensor<8x3x3x3xf32>, tensor<8xf32>) -> tensor<1x8x5x10xf32>
  return %0 : tensor<1x8x5x10xf32>
}

// -----

// Groups split the channel dimension and use the grouped named op.
// CHECK-LABEL: func @grouped_conv
// CHECK: tensor.expand_shape {{.*}} : tensor<1x4x6x6xf32> into tensor<1x2x2x6x6xf32>
// CHECK: tensor.expand_shape {{.*}} : tensor<6x2x3x3xf32> into tensor<2x3x2x3x3xf32>
// CHECK: linalg.conv_2d_ngchw_gfchw
// CHECK: tensor.collapse_shape {{.*}} : tensor<1x2x3x4x4xf32> into tensor<1x6x4x4xf32>
func.func @grouped_conv(%x: tensor<1x4x6x6xf32>, %w: tensor<6x2x3x3xf32>) -> tensor<1x6x4x4xf32> {
  %0 = kiln.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 2} : (tensor<1x4x6x6xf32>, tensor<6x2x3x3xf32>) -> tensor<1x6x4x4xf32>
  return %0 : tensor<1x6x4x4xf32>
}

// -----

// CHECK-LABEL: func @gemm_transposed_scaled
// CHECK: linalg.transpose
// CHECK: linalg.matmul
// CHECK: linalg.generic
// CHECK: arith.mulf
// CHECK: arith.addf
func.func @gemm_transposed_scaled(%a: tensor<3x2xf32>, %b: tensor<3x4xf32>, %c: tensor<4xf32>) -> tensor<2x4xf32> {
  %0 = kiln.gemm %a, %b, %c {trans_a = true, alpha = 2.0 : f64, beta = 0.5 : f64} : (tensor<3x2xf32>, tensor<3x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// Batch dimensions broadcast and flatten into one for linalg.batch_matmul.
// CHECK-LABEL: func @batched_matmul
// CHECK: linalg.batch_matmul ins(%{{.*}}, %{{.*}} : tensor<6x2x3xf32>, tensor<6x3x5xf32>)
func.func @batched_matmul(%a: tensor<2x3x2x3xf32>, %b: tensor<3x5xf32>) -> tensor<2x3x2x5xf32> {
  %0 = kiln.matmul %a, %b : (tensor<2x3x2x3xf32>, tensor<3x5xf32>) -> tensor<2x3x2x5xf32>
  return %0 : tensor<2x3x2x5xf32>
}

// -----

// A size-1 dimension facing a larger one reads index 0.
// CHECK: #[[BCAST:.*]] = affine_map<(d0, d1) -> (0, d1)>
// CHECK-LABEL: func @broadcast_add
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[BCAST]], #{{.*}}]
// CHECK: arith.addf
func.func @broadcast_add(%x: tensor<4x3xf32>, %y: tensor<1x3xf32>) -> tensor<4x3xf32> {
  %0 = kiln.add %x, %y : (tensor<4x3xf32>, tensor<1x3xf32>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

// CHECK-LABEL: func @integer_division_and_cast
// CHECK: arith.divsi
// CHECK: arith.sitofp
func.func @integer_division_and_cast(%x: tensor<4xi32>, %y: tensor<4xi32>) -> tensor<4xf32> {
  %0 = kiln.div %x, %y : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  %1 = kiln.cast %0 : tensor<4xi32> -> tensor<4xf32>
  return %1 : tensor<4xf32>
}

// -----

// Max pooling pads with -inf; ceil mode adds padding at the end.
// CHECK-LABEL: func @max_pool_ceil
// CHECK: %[[NEG_INF:.*]] = arith.constant 0xFF800000 : f32
// CHECK: tensor.pad %{{.*}} low[0, 0, 0, 0] high[0, 0, 1, 1]
// CHECK-NEXT: ^bb0
// CHECK-NEXT: tensor.yield %[[NEG_INF]]
// CHECK: linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
func.func @max_pool_ceil(%x: tensor<1x1x5x5xf32>) -> tensor<1x1x3x3xf32> {
  %0 = kiln.max_pool2d %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = true} : (tensor<1x1x5x5xf32>) -> tensor<1x1x3x3xf32>
  return %0 : tensor<1x1x3x3xf32>
}

// -----

// Without count_include_pad the divisor is the pooled count of ones over the input only.
// CHECK-LABEL: func @avg_pool_excluding_pad
// CHECK: linalg.pooling_nchw_sum
// CHECK: %[[ONES:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<1x1x4x4xf32>)
// CHECK: tensor.pad %[[ONES]] low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: linalg.pooling_nchw_sum
// CHECK: arith.divf
func.func @avg_pool_excluding_pad(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %0 = kiln.avg_pool2d %x {kernel = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
  return %0 : tensor<1x2x4x4xf32>
}

// -----

// Reductions are generics with reduction iterators (so that later passes can fold a layout
// change or an elementwise producer into them).
// CHECK-LABEL: func @reduce_mean_keepdims
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "reduction", "parallel"]{{.*}} ins(%{{.*}} : tensor<2x3x4xf32>) outs(%{{.*}} : tensor<2x4xf32>)
// CHECK: arith.divf
// CHECK: tensor.expand_shape {{.*}} into tensor<2x1x4xf32>
func.func @reduce_mean_keepdims(%x: tensor<2x3x4xf32>) -> tensor<2x1x4xf32> {
  %0 = kiln.reduce_mean %x {axes = array<i64: 1>, keepdims = true} : (tensor<2x3x4xf32>) -> tensor<2x1x4xf32>
  return %0 : tensor<2x1x4xf32>
}

// -----

// Softmax subtracts the maximum before exponentiating.
// CHECK-LABEL: func @softmax
// CHECK: linalg.generic {{.*}}"reduction"
// CHECK: arith.maximumf
// CHECK: arith.subf
// CHECK: math.exp
// CHECK: linalg.generic {{.*}}"reduction"
// CHECK: arith.addf
// CHECK: arith.divf
func.func @softmax(%x: tensor<2x5xf32>) -> tensor<2x5xf32> {
  %0 = kiln.softmax %x {axis = 1} : tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

// CHECK-LABEL: func @batch_norm
// CHECK: linalg.generic
// CHECK: math.rsqrt
func.func @batch_norm(%x: tensor<1x3x2x2xf32>, %s: tensor<3xf32>) -> tensor<1x3x2x2xf32> {
  %0 = kiln.batch_norm_inference %x, %s, %s, %s, %s : tensor<1x3x2x2xf32>, tensor<3xf32>
  return %0 : tensor<1x3x2x2xf32>
}

// -----

// CHECK-LABEL: func @concat
// CHECK: tensor.insert_slice %{{.*}} into %{{.*}}[0, 0] [2, 3] [1, 1]
// CHECK: tensor.insert_slice %{{.*}} into %{{.*}}[0, 3] [2, 2] [1, 1]
func.func @concat(%x: tensor<2x3xf32>, %y: tensor<2x2xf32>) -> tensor<2x5xf32> {
  %0 = kiln.concat %x, %y {axis = 1} : (tensor<2x3xf32>, tensor<2x2xf32>) -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

// A positive-step slice is an extract_slice; a negative step is an affine read.
// CHECK: #[[REVERSED:.*]] = affine_map<(d0) -> (-d0 + 3)>
// CHECK-LABEL: func @slices
// CHECK: tensor.extract_slice %{{.*}}[1] [2] [2]
// CHECK: linalg.generic {indexing_maps = [#[[REVERSED]]
func.func @slices(%x: tensor<4xf32>) -> (tensor<2xf32>, tensor<4xf32>) {
  %0 = kiln.slice %x {starts = array<i64: 1>, ends = array<i64: 4>, steps = array<i64: 2>} : (tensor<4xf32>) -> tensor<2xf32>
  %1 = kiln.slice %x {starts = array<i64: 3>, ends = array<i64: -1>, steps = array<i64: -1>} : (tensor<4xf32>) -> tensor<4xf32>
  return %0, %1 : tensor<2xf32>, tensor<4xf32>
}

// -----

// Reshape-like ops go through a 1-D tensor.
// CHECK-LABEL: func @reshapes
// CHECK: tensor.collapse_shape %{{.*}} {{\[\[}}0, 1, 2]] : tensor<2x3x1xf32> into tensor<6xf32>
// CHECK: tensor.expand_shape %{{.*}} {{\[\[}}0, 1]] output_shape [3, 2] : tensor<6xf32> into tensor<3x2xf32>
func.func @reshapes(%x: tensor<2x3x1xf32>) -> tensor<3x2xf32> {
  %0 = kiln.reshape %x : tensor<2x3x1xf32> -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

// CHECK-LABEL: func @transpose_and_pad
// CHECK: linalg.transpose ins(%{{.*}} : tensor<2x3xf32>) outs(%{{.*}} : tensor<3x2xf32>) permutation = [1, 0]
// CHECK: %[[VALUE:.*]] = arith.constant 2.500000e+00 : f32
// CHECK: tensor.pad %{{.*}} low[1, 0] high[0, 2]
// CHECK: tensor.yield %[[VALUE]]
func.func @transpose_and_pad(%x: tensor<2x3xf32>) -> tensor<4x4xf32> {
  %0 = kiln.transpose %x {perm = array<i64: 1, 0>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
  %1 = kiln.pad %0 {pads = array<i64: 1, 0, 0, 2>, value = 2.5 : f64} : (tensor<3x2xf32>) -> tensor<4x4xf32>
  return %1 : tensor<4x4xf32>
}

