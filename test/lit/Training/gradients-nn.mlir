// Gradients of convolution, pooling, normalisation, softmax, contractions and reductions
// against central finite differences, in f64: one group of arguments per op (and variant).
// RUN: kiln-opt %s --kiln-autodiff -o %t.mlir
// RUN: kilnc %t.mlir -o %t.kx
// RUN: kiln-gradcheck %t.kx --positive bn_inference.4 | FileCheck %s
// CHECK-NOT: FAIL
// CHECK: 38 passed, 0 failed

func.func @nn(%conv_0: tensor<2x3x5x5xf64> {kiln.buffer = "conv.0", kiln.role = "parameter", kiln.wrt},
    %conv_1: tensor<4x3x3x3xf64> {kiln.buffer = "conv.1", kiln.role = "parameter", kiln.wrt},
    %conv_2: tensor<4xf64> {kiln.buffer = "conv.2", kiln.role = "parameter", kiln.wrt},
    %conv_r: tensor<2x4x5x5xf64> {kiln.buffer = "conv.r", kiln.role = "input"},
    %conv_strided_0: tensor<1x2x7x6xf64> {kiln.buffer = "conv_strided.0", kiln.role = "parameter", kiln.wrt},
    %conv_strided_1: tensor<3x2x3x2xf64> {kiln.buffer = "conv_strided.1", kiln.role = "parameter", kiln.wrt},
    %conv_strided_r: tensor<1x3x3x3xf64> {kiln.buffer = "conv_strided.r", kiln.role = "input"},
    %conv_dilated_grouped_0: tensor<1x4x6x6xf64> {kiln.buffer = "conv_dilated_grouped.0", kiln.role = "parameter", kiln.wrt},
    %conv_dilated_grouped_1: tensor<4x2x2x2xf64> {kiln.buffer = "conv_dilated_grouped.1", kiln.role = "parameter", kiln.wrt},
    %conv_dilated_grouped_2: tensor<4xf64> {kiln.buffer = "conv_dilated_grouped.2", kiln.role = "parameter", kiln.wrt},
    %conv_dilated_grouped_r: tensor<1x4x4x2xf64> {kiln.buffer = "conv_dilated_grouped.r", kiln.role = "input"},
    %max_pool_0: tensor<1x2x5x5xf64> {kiln.buffer = "max_pool.0", kiln.role = "parameter", kiln.wrt},
    %max_pool_r: tensor<1x2x3x3xf64> {kiln.buffer = "max_pool.r", kiln.role = "input"},
    %max_pool_ceil_0: tensor<1x1x5x5xf64> {kiln.buffer = "max_pool_ceil.0", kiln.role = "parameter", kiln.wrt},
    %max_pool_ceil_r: tensor<1x1x3x3xf64> {kiln.buffer = "max_pool_ceil.r", kiln.role = "input"},
    %avg_pool_0: tensor<1x2x5x5xf64> {kiln.buffer = "avg_pool.0", kiln.role = "parameter", kiln.wrt},
    %avg_pool_r: tensor<1x2x3x3xf64> {kiln.buffer = "avg_pool.r", kiln.role = "input"},
    %avg_pool_include_pad_0: tensor<1x1x4x4xf64> {kiln.buffer = "avg_pool_include_pad.0", kiln.role = "parameter", kiln.wrt},
    %avg_pool_include_pad_r: tensor<1x1x3x3xf64> {kiln.buffer = "avg_pool_include_pad.r", kiln.role = "input"},
    %global_avg_pool_0: tensor<2x3x2x3xf64> {kiln.buffer = "global_avg_pool.0", kiln.role = "parameter", kiln.wrt},
    %global_avg_pool_r: tensor<2x3x1x1xf64> {kiln.buffer = "global_avg_pool.r", kiln.role = "input"},
    %global_max_pool_0: tensor<2x3x2x3xf64> {kiln.buffer = "global_max_pool.0", kiln.role = "parameter", kiln.wrt},
    %global_max_pool_r: tensor<2x3x1x1xf64> {kiln.buffer = "global_max_pool.r", kiln.role = "input"},
    %softmax_0: tensor<3x5xf64> {kiln.buffer = "softmax.0", kiln.role = "parameter", kiln.wrt},
    %softmax_r: tensor<3x5xf64> {kiln.buffer = "softmax.r", kiln.role = "input"},
    %log_softmax_0: tensor<3x5xf64> {kiln.buffer = "log_softmax.0", kiln.role = "parameter", kiln.wrt},
    %log_softmax_r: tensor<3x5xf64> {kiln.buffer = "log_softmax.r", kiln.role = "input"},
    %reduce_sum_0: tensor<2x3x4xf64> {kiln.buffer = "reduce_sum.0", kiln.role = "parameter", kiln.wrt},
    %reduce_sum_r: tensor<1x3x1xf64> {kiln.buffer = "reduce_sum.r", kiln.role = "input"},
    %reduce_mean_0: tensor<2x3x4xf64> {kiln.buffer = "reduce_mean.0", kiln.role = "parameter", kiln.wrt},
    %reduce_mean_r: tensor<2x4xf64> {kiln.buffer = "reduce_mean.r", kiln.role = "input"},
    %reduce_max_0: tensor<2x3x4xf64> {kiln.buffer = "reduce_max.0", kiln.role = "parameter", kiln.wrt},
    %reduce_max_r: tensor<2x3xf64> {kiln.buffer = "reduce_max.r", kiln.role = "input"},
    %bn_inference_0: tensor<2x3x2x2xf64> {kiln.buffer = "bn_inference.0", kiln.role = "parameter", kiln.wrt},
    %bn_inference_1: tensor<3xf64> {kiln.buffer = "bn_inference.1", kiln.role = "parameter", kiln.wrt},
    %bn_inference_2: tensor<3xf64> {kiln.buffer = "bn_inference.2", kiln.role = "parameter", kiln.wrt},
    %bn_inference_3: tensor<3xf64> {kiln.buffer = "bn_inference.3", kiln.role = "parameter", kiln.wrt},
    %bn_inference_4: tensor<3xf64> {kiln.buffer = "bn_inference.4", kiln.role = "parameter", kiln.wrt},
    %bn_inference_r: tensor<2x3x2x2xf64> {kiln.buffer = "bn_inference.r", kiln.role = "input"},
    %bn_training_0: tensor<3x2x2x2xf64> {kiln.buffer = "bn_training.0", kiln.role = "parameter", kiln.wrt},
    %bn_training_1: tensor<2xf64> {kiln.buffer = "bn_training.1", kiln.role = "parameter", kiln.wrt},
    %bn_training_2: tensor<2xf64> {kiln.buffer = "bn_training.2", kiln.role = "parameter", kiln.wrt},
    %bn_training_r: tensor<3x2x2x2xf64> {kiln.buffer = "bn_training.r", kiln.role = "input"},
    %gemm_0: tensor<2x3xf64> {kiln.buffer = "gemm.0", kiln.role = "parameter", kiln.wrt},
    %gemm_1: tensor<3x4xf64> {kiln.buffer = "gemm.1", kiln.role = "parameter", kiln.wrt},
    %gemm_2: tensor<4xf64> {kiln.buffer = "gemm.2", kiln.role = "parameter", kiln.wrt},
    %gemm_r: tensor<2x4xf64> {kiln.buffer = "gemm.r", kiln.role = "input"},
    %gemm_transposed_0: tensor<3x2xf64> {kiln.buffer = "gemm_transposed.0", kiln.role = "parameter", kiln.wrt},
    %gemm_transposed_1: tensor<4x3xf64> {kiln.buffer = "gemm_transposed.1", kiln.role = "parameter", kiln.wrt},
    %gemm_transposed_2: tensor<2x1xf64> {kiln.buffer = "gemm_transposed.2", kiln.role = "parameter", kiln.wrt},
    %gemm_transposed_r: tensor<2x4xf64> {kiln.buffer = "gemm_transposed.r", kiln.role = "input"},
    %matmul_0: tensor<2x3x4xf64> {kiln.buffer = "matmul.0", kiln.role = "parameter", kiln.wrt},
    %matmul_1: tensor<4x5xf64> {kiln.buffer = "matmul.1", kiln.role = "parameter", kiln.wrt},
    %matmul_r: tensor<2x3x5xf64> {kiln.buffer = "matmul.r", kiln.role = "input"})
    -> (tensor<f64> {kiln.buffer = "loss", kiln.role = "output"})
    attributes {kiln.autodiff = "nn_grad"} {
  %conv_o = kiln.conv2d %conv_0, %conv_1, %conv_2 {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<2x3x5x5xf64>, tensor<4x3x3x3xf64>, tensor<4xf64>) -> tensor<2x4x5x5xf64>
  %conv_w = kiln.mul %conv_o, %conv_r : (tensor<2x4x5x5xf64>, tensor<2x4x5x5xf64>) -> tensor<2x4x5x5xf64>
  %conv_s = kiln.reduce_sum %conv_w {axes = array<i64: 0, 1, 2, 3>, keepdims = false} : (tensor<2x4x5x5xf64>) -> tensor<f64>
  %conv_strided_o = kiln.conv2d %conv_strided_0, %conv_strided_1 {strides = array<i64: 2, 2>, pads = array<i64: 0, 1, 1, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x2x7x6xf64>, tensor<3x2x3x2xf64>) -> tensor<1x3x3x3xf64>
  %conv_strided_w = kiln.mul %conv_strided_o, %conv_strided_r : (tensor<1x3x3x3xf64>, tensor<1x3x3x3xf64>) -> tensor<1x3x3x3xf64>
  %conv_strided_s = kiln.reduce_sum %conv_strided_w {axes = array<i64: 0, 1, 2, 3>, keepdims = false} : (tensor<1x3x3x3xf64>) -> tensor<f64>
  %conv_dilated_grouped_o = kiln.conv2d %conv_dilated_grouped_0, %conv_dilated_grouped_1, %conv_dilated_grouped_2 {strides = array<i64: 1, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 2, 2>, groups = 2 : i64} : (tensor<1x4x6x6xf64>, tensor<4x2x2x2xf64>, tensor<4xf64>) -> tensor<1x4x4x2xf64>
  %conv_dilated_grouped_w = kiln.mul %conv_dilated_grouped_o, %conv_dilated_grouped_r : (tensor<1x4x4x2xf64>, tensor<1x4x4x2xf64>) -> tensor<1x4x4x2xf64>
  %conv_dilated_grouped_s = kiln.reduce_sum %conv_dilated_grouped_w {axes = array<i64: 0, 1, 2, 3>, keepdims = false} : (tensor<1x4x4x2xf64>) -> tensor<f64>
  %max_pool_o = kiln.max_pool2d %max_pool_0 {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>} : (tensor<1x2x5x5xf64>) -> tensor<1x2x3x3xf64>
  %max_pool_w = kiln.mul %max_pool_o, %max_pool_r : (tensor<1x2x3x3xf64>, tensor<1x2x3x3xf64>) -> tensor<1x2x3x3xf64>
  %max_pool_s = kiln.reduce_sum %max_pool_w {axes = array<i64: 0, 1, 2, 3>, keepdims = false} : (tensor<1x2x3x3xf64>) -> tensor<f64>
  %max_pool_ceil_o = kiln.max_pool2d %max_pool_ceil_0 {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = true} : (tensor<1x1x5x5xf64>) -> tensor<1x1x3x3xf64>
  %max_pool_ceil_w = kiln.mul %max_pool_ceil_o, %max_pool_ceil_r : (tensor<1x1x3x3xf64>, tensor<1x1x3x3xf64>) -> tensor<1x1x3x3xf64>
  %max_pool_ceil_s = kiln.reduce_sum %max_pool_ceil_w {axes = array<i64: 0, 1, 2, 3>, keepdims = false} : (tensor<1x1x3x3xf64>) -> tensor<f64>
  %avg_pool_o = kiln.avg_pool2d %avg_pool_0 {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x2x5x5xf64>) -> tensor<1x2x3x3xf64>
  %avg_pool_w = kiln.mul %avg_pool_o, %avg_pool_r : (tensor<1x2x3x3xf64>, tensor<1x2x3x3xf64>) -> tensor<1x2x3x3xf64>
  %avg_pool_s = kiln.reduce_sum %avg_pool_w {axes = array<i64: 0, 1, 2, 3>, keepdims = false} : (tensor<1x2x3x3xf64>) -> tensor<f64>
  %avg_pool_include_pad_o = kiln.avg_pool2d %avg_pool_include_pad_0 {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, count_include_pad = true} : (tensor<1x1x4x4xf64>) -> tensor<1x1x3x3xf64>
  %avg_pool_include_pad_w = kiln.mul %avg_pool_include_pad_o, %avg_pool_include_pad_r : (tensor<1x1x3x3xf64>, tensor<1x1x3x3xf64>) -> tensor<1x1x3x3xf64>
  %avg_pool_include_pad_s = kiln.reduce_sum %avg_pool_include_pad_w {axes = array<i64: 0, 1, 2, 3>, keepdims = false} : (tensor<1x1x3x3xf64>) -> tensor<f64>
  %global_avg_pool_o = kiln.global_avg_pool %global_avg_pool_0 : (tensor<2x3x2x3xf64>) -> tensor<2x3x1x1xf64>
  %global_avg_pool_w = kiln.mul %global_avg_pool_o, %global_avg_pool_r : (tensor<2x3x1x1xf64>, tensor<2x3x1x1xf64>) -> tensor<2x3x1x1xf64>
  %global_avg_pool_s = kiln.reduce_sum %global_avg_pool_w {axes = array<i64: 0, 1, 2, 3>, keepdims = false} : (tensor<2x3x1x1xf64>) -> tensor<f64>
  %global_max_pool_o = kiln.global_max_pool %global_max_pool_0 : (tensor<2x3x2x3xf64>) -> tensor<2x3x1x1xf64>
  %global_max_pool_w = kiln.mul %global_max_pool_o, %global_max_pool_r : (tensor<2x3x1x1xf64>, tensor<2x3x1x1xf64>) -> tensor<2x3x1x1xf64>
  %global_max_pool_s = kiln.reduce_sum %global_max_pool_w {axes = array<i64: 0, 1, 2, 3>, keepdims = false} : (tensor<2x3x1x1xf64>) -> tensor<f64>
  %softmax_o = kiln.softmax %softmax_0 {axis = 1 : i64} : tensor<3x5xf64>
  %softmax_w = kiln.mul %softmax_o, %softmax_r : (tensor<3x5xf64>, tensor<3x5xf64>) -> tensor<3x5xf64>
  %softmax_s = kiln.reduce_sum %softmax_w {axes = array<i64: 0, 1>, keepdims = false} : (tensor<3x5xf64>) -> tensor<f64>
  %log_softmax_o = kiln.log_softmax %log_softmax_0 {axis = 0 : i64} : tensor<3x5xf64>
  %log_softmax_w = kiln.mul %log_softmax_o, %log_softmax_r : (tensor<3x5xf64>, tensor<3x5xf64>) -> tensor<3x5xf64>
  %log_softmax_s = kiln.reduce_sum %log_softmax_w {axes = array<i64: 0, 1>, keepdims = false} : (tensor<3x5xf64>) -> tensor<f64>
  %reduce_sum_o = kiln.reduce_sum %reduce_sum_0 {axes = array<i64: 0, 2>, keepdims = true} : (tensor<2x3x4xf64>) -> tensor<1x3x1xf64>
  %reduce_sum_w = kiln.mul %reduce_sum_o, %reduce_sum_r : (tensor<1x3x1xf64>, tensor<1x3x1xf64>) -> tensor<1x3x1xf64>
  %reduce_sum_s = kiln.reduce_sum %reduce_sum_w {axes = array<i64: 0, 1, 2>, keepdims = false} : (tensor<1x3x1xf64>) -> tensor<f64>
  %reduce_mean_o = kiln.reduce_mean %reduce_mean_0 {axes = array<i64: 1>, keepdims = false} : (tensor<2x3x4xf64>) -> tensor<2x4xf64>
  %reduce_mean_w = kiln.mul %reduce_mean_o, %reduce_mean_r : (tensor<2x4xf64>, tensor<2x4xf64>) -> tensor<2x4xf64>
  %reduce_mean_s = kiln.reduce_sum %reduce_mean_w {axes = array<i64: 0, 1>, keepdims = false} : (tensor<2x4xf64>) -> tensor<f64>
  %reduce_max_o = kiln.reduce_max %reduce_max_0 {axes = array<i64: 2>, keepdims = false} : (tensor<2x3x4xf64>) -> tensor<2x3xf64>
  %reduce_max_w = kiln.mul %reduce_max_o, %reduce_max_r : (tensor<2x3xf64>, tensor<2x3xf64>) -> tensor<2x3xf64>
  %reduce_max_s = kiln.reduce_sum %reduce_max_w {axes = array<i64: 0, 1>, keepdims = false} : (tensor<2x3xf64>) -> tensor<f64>
  %bn_inference_o = kiln.batch_norm_inference %bn_inference_0, %bn_inference_1, %bn_inference_2, %bn_inference_3, %bn_inference_4 {epsilon = 1.0e-03 : f64} : tensor<2x3x2x2xf64>, tensor<3xf64>
  %bn_inference_w = kiln.mul %bn_inference_o, %bn_inference_r : (tensor<2x3x2x2xf64>, tensor<2x3x2x2xf64>) -> tensor<2x3x2x2xf64>
  %bn_inference_s = kiln.reduce_sum %bn_inference_w {axes = array<i64: 0, 1, 2, 3>, keepdims = false} : (tensor<2x3x2x2xf64>) -> tensor<f64>
  %bn_training_o, %bn_training_m, %bn_training_v = kiln.batch_norm_training %bn_training_0, %bn_training_1, %bn_training_2 {epsilon = 1.0e-03 : f64} : (tensor<3x2x2x2xf64>, tensor<2xf64>, tensor<2xf64>) -> (tensor<3x2x2x2xf64>, tensor<2xf64>, tensor<2xf64>)
  %bn_training_w = kiln.mul %bn_training_o, %bn_training_r : (tensor<3x2x2x2xf64>, tensor<3x2x2x2xf64>) -> tensor<3x2x2x2xf64>
  %bn_training_s = kiln.reduce_sum %bn_training_w {axes = array<i64: 0, 1, 2, 3>, keepdims = false} : (tensor<3x2x2x2xf64>) -> tensor<f64>
  %gemm_o = kiln.gemm %gemm_0, %gemm_1, %gemm_2 {trans_a = false, trans_b = false, alpha = 1.5 : f64, beta = 0.5 : f64} : (tensor<2x3xf64>, tensor<3x4xf64>, tensor<4xf64>) -> tensor<2x4xf64>
  %gemm_w = kiln.mul %gemm_o, %gemm_r : (tensor<2x4xf64>, tensor<2x4xf64>) -> tensor<2x4xf64>
  %gemm_s = kiln.reduce_sum %gemm_w {axes = array<i64: 0, 1>, keepdims = false} : (tensor<2x4xf64>) -> tensor<f64>
  %gemm_transposed_o = kiln.gemm %gemm_transposed_0, %gemm_transposed_1, %gemm_transposed_2 {trans_a = true, trans_b = true, alpha = 1.0 : f64, beta = 2.0 : f64} : (tensor<3x2xf64>, tensor<4x3xf64>, tensor<2x1xf64>) -> tensor<2x4xf64>
  %gemm_transposed_w = kiln.mul %gemm_transposed_o, %gemm_transposed_r : (tensor<2x4xf64>, tensor<2x4xf64>) -> tensor<2x4xf64>
  %gemm_transposed_s = kiln.reduce_sum %gemm_transposed_w {axes = array<i64: 0, 1>, keepdims = false} : (tensor<2x4xf64>) -> tensor<f64>
  %matmul_o = kiln.matmul %matmul_0, %matmul_1 : (tensor<2x3x4xf64>, tensor<4x5xf64>) -> tensor<2x3x5xf64>
  %matmul_w = kiln.mul %matmul_o, %matmul_r : (tensor<2x3x5xf64>, tensor<2x3x5xf64>) -> tensor<2x3x5xf64>
  %matmul_s = kiln.reduce_sum %matmul_w {axes = array<i64: 0, 1, 2>, keepdims = false} : (tensor<2x3x5xf64>) -> tensor<f64>
  %acc0 = kiln.add %conv_s, %conv_strided_s : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %acc1 = kiln.add %acc0, %conv_dilated_grouped_s : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %acc2 = kiln.add %acc1, %max_pool_s : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %acc3 = kiln.add %acc2, %max_pool_ceil_s : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %acc4 = kiln.add %acc3, %avg_pool_s : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %acc5 = kiln.add %acc4, %avg_pool_include_pad_s : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %acc6 = kiln.add %acc5, %global_avg_pool_s : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %acc7 = kiln.add %acc6, %global_max_pool_s : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %acc8 = kiln.add %acc7, %softmax_s : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %acc9 = kiln.add %acc8, %log_softmax_s : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %acc10 = kiln.add %acc9, %reduce_sum_s : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %acc11 = kiln.add %acc10, %reduce_mean_s : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %acc12 = kiln.add %acc11, %reduce_max_s : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %acc13 = kiln.add %acc12, %bn_inference_s : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %acc14 = kiln.add %acc13, %bn_training_s : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %acc15 = kiln.add %acc14, %gemm_s : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %acc16 = kiln.add %acc15, %gemm_transposed_s : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %acc17 = kiln.add %acc16, %matmul_s : (tensor<f64>, tensor<f64>) -> tensor<f64>
  return %acc17 : tensor<f64>
}

