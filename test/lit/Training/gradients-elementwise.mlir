// Gradients of the elementwise ops against central finite differences, in f64. Each op reads
// its own arguments, so each gradient line of kiln-gradcheck checks exactly one op's VJP.
// RUN: kiln-opt %s --kiln-autodiff -o %t.mlir
// RUN: kilnc %t.mlir -o %t.kx
// RUN: kiln-gradcheck %t.kx --positive log.0,sqrt.0,reciprocal.0,div.1,pow.0 | FileCheck %s
// CHECK-NOT: FAIL
// CHECK: 33 passed, 0 failed

func.func @elementwise(%relu_0: tensor<3x4xf64> {kiln.buffer = "relu.0", kiln.role = "parameter", kiln.wrt},
    %relu_r: tensor<3x4xf64> {kiln.buffer = "relu.r", kiln.role = "input"},
    %sigmoid_0: tensor<3x4xf64> {kiln.buffer = "sigmoid.0", kiln.role = "parameter", kiln.wrt},
    %sigmoid_r: tensor<3x4xf64> {kiln.buffer = "sigmoid.r", kiln.role = "input"},
    %tanh_0: tensor<3x4xf64> {kiln.buffer = "tanh.0", kiln.role = "parameter", kiln.wrt},
    %tanh_r: tensor<3x4xf64> {kiln.buffer = "tanh.r", kiln.role = "input"},
    %exp_0: tensor<3x4xf64> {kiln.buffer = "exp.0", kiln.role = "parameter", kiln.wrt},
    %exp_r: tensor<3x4xf64> {kiln.buffer = "exp.r", kiln.role = "input"},
    %log_0: tensor<3x4xf64> {kiln.buffer = "log.0", kiln.role = "parameter", kiln.wrt},
    %log_r: tensor<3x4xf64> {kiln.buffer = "log.r", kiln.role = "input"},
    %sqrt_0: tensor<3x4xf64> {kiln.buffer = "sqrt.0", kiln.role = "parameter", kiln.wrt},
    %sqrt_r: tensor<3x4xf64> {kiln.buffer = "sqrt.r", kiln.role = "input"},
    %neg_0: tensor<3x4xf64> {kiln.buffer = "neg.0", kiln.role = "parameter", kiln.wrt},
    %neg_r: tensor<3x4xf64> {kiln.buffer = "neg.r", kiln.role = "input"},
    %reciprocal_0: tensor<3x4xf64> {kiln.buffer = "reciprocal.0", kiln.role = "parameter", kiln.wrt},
    %reciprocal_r: tensor<3x4xf64> {kiln.buffer = "reciprocal.r", kiln.role = "input"},
    %abs_0: tensor<3x4xf64> {kiln.buffer = "abs.0", kiln.role = "parameter", kiln.wrt},
    %abs_r: tensor<3x4xf64> {kiln.buffer = "abs.r", kiln.role = "input"},
    %identity_0: tensor<3x4xf64> {kiln.buffer = "identity.0", kiln.role = "parameter", kiln.wrt},
    %identity_r: tensor<3x4xf64> {kiln.buffer = "identity.r", kiln.role = "input"},
    %dropout_0: tensor<3x4xf64> {kiln.buffer = "dropout.0", kiln.role = "parameter", kiln.wrt},
    %dropout_r: tensor<3x4xf64> {kiln.buffer = "dropout.r", kiln.role = "input"},
    %leaky_relu_0: tensor<3x4xf64> {kiln.buffer = "leaky_relu.0", kiln.role = "parameter", kiln.wrt},
    %leaky_relu_r: tensor<3x4xf64> {kiln.buffer = "leaky_relu.r", kiln.role = "input"},
    %clip_0: tensor<3x4xf64> {kiln.buffer = "clip.0", kiln.role = "parameter", kiln.wrt},
    %clip_r: tensor<3x4xf64> {kiln.buffer = "clip.r", kiln.role = "input"},
    %add_0: tensor<3x4xf64> {kiln.buffer = "add.0", kiln.role = "parameter", kiln.wrt},
    %add_1: tensor<4xf64> {kiln.buffer = "add.1", kiln.role = "parameter", kiln.wrt},
    %add_r: tensor<3x4xf64> {kiln.buffer = "add.r", kiln.role = "input"},
    %sub_0: tensor<3x4xf64> {kiln.buffer = "sub.0", kiln.role = "parameter", kiln.wrt},
    %sub_1: tensor<3x1xf64> {kiln.buffer = "sub.1", kiln.role = "parameter", kiln.wrt},
    %sub_r: tensor<3x4xf64> {kiln.buffer = "sub.r", kiln.role = "input"},
    %mul_0: tensor<3x4xf64> {kiln.buffer = "mul.0", kiln.role = "parameter", kiln.wrt},
    %mul_1: tensor<4xf64> {kiln.buffer = "mul.1", kiln.role = "parameter", kiln.wrt},
    %mul_r: tensor<3x4xf64> {kiln.buffer = "mul.r", kiln.role = "input"},
    %div_0: tensor<3x4xf64> {kiln.buffer = "div.0", kiln.role = "parameter", kiln.wrt},
    %div_1: tensor<1x4xf64> {kiln.buffer = "div.1", kiln.role = "parameter", kiln.wrt},
    %div_r: tensor<3x4xf64> {kiln.buffer = "div.r", kiln.role = "input"},
    %max_0: tensor<3x4xf64> {kiln.buffer = "max.0", kiln.role = "parameter", kiln.wrt},
    %max_1: tensor<3x4xf64> {kiln.buffer = "max.1", kiln.role = "parameter", kiln.wrt},
    %max_r: tensor<3x4xf64> {kiln.buffer = "max.r", kiln.role = "input"},
    %min_0: tensor<3x4xf64> {kiln.buffer = "min.0", kiln.role = "parameter", kiln.wrt},
    %min_1: tensor<4xf64> {kiln.buffer = "min.1", kiln.role = "parameter", kiln.wrt},
    %min_r: tensor<3x4xf64> {kiln.buffer = "min.r", kiln.role = "input"},
    %pow_0: tensor<3x4xf64> {kiln.buffer = "pow.0", kiln.role = "parameter", kiln.wrt},
    %pow_1: tensor<3x4xf64> {kiln.buffer = "pow.1", kiln.role = "parameter", kiln.wrt},
    %pow_r: tensor<3x4xf64> {kiln.buffer = "pow.r", kiln.role = "input"},
    %select_0: tensor<3x4xf64> {kiln.buffer = "select.0", kiln.role = "parameter", kiln.wrt},
    %select_1: tensor<3x4xf64> {kiln.buffer = "select.1", kiln.role = "parameter", kiln.wrt},
    %select_r: tensor<3x4xf64> {kiln.buffer = "select.r", kiln.role = "input"},
    %broadcast_to_0: tensor<3x1xf64> {kiln.buffer = "broadcast_to.0", kiln.role = "parameter", kiln.wrt},
    %broadcast_to_r: tensor<2x3x4xf64> {kiln.buffer = "broadcast_to.r", kiln.role = "input"})
    -> (tensor<f64> {kiln.buffer = "loss", kiln.role = "output"})
    attributes {kiln.autodiff = "elementwise_grad"} {
  %relu_o = kiln.relu %relu_0 : tensor<3x4xf64>
  %relu_w = kiln.mul %relu_o, %relu_r : (tensor<3x4xf64>, tensor<3x4xf64>) -> tensor<3x4xf64>
  %relu_s = kiln.reduce_sum %relu_w {axes = array<i64: 0, 1>, keepdims = false} : (tensor<3x4xf64>) -> tensor<f64>
  %sigmoid_o = kiln.sigmoid %sigmoid_0 : tensor<3x4xf64>
  %sigmoid_w = kiln.mul %sigmoid_o, %sigmoid_r : (tensor<3x4xf64>, tensor<3x4xf64>) -> tensor<3x4xf64>
  %sigmoid_s = kiln.reduce_sum %sigmoid_w {axes = array<i64: 0, 1>, keepdims = false} : (tensor<3x4xf64>) -> tensor<f64>
  %tanh_o = kiln.tanh %tanh_0 : tensor<3x4xf64>
  %tanh_w = kiln.mul %tanh_o, %tanh_r : (tensor<3x4xf64>, tensor<3x4xf64>) -> tensor<3x4xf64>
  %tanh_s = kiln.reduce_sum %tanh_w {axes = array<i64: 0, 1>, keepdims = false} : (tensor<3x4xf64>) -> tensor<f64>
  %exp_o = kiln.exp %exp_0 : tensor<3x4xf64>
  %exp_w = kiln.mul %exp_o, %exp_r : (tensor<3x4xf64>, tensor<3x4xf64>) -> tensor<3x4xf64>
  %exp_s = kiln.reduce_sum %exp_w {axes = array<i64: 0, 1>, keepdims = false} : (tensor<3x4xf64>) -> tensor<f64>
  %log_o = kiln.log %log_0 : tensor<3x4xf64>
  %log_w = kiln.mul %log_o, %log_r : (tensor<3x4xf64>, tensor<3x4xf64>) -> tensor<3x4xf64>
  %log_s = kiln.reduce_sum %log_w {axes = array<i64: 0, 1>, keepdims = false} : (tensor<3x4xf64>) -> tensor<f64>
  %sqrt_o = kiln.sqrt %sqrt_0 : tensor<3x4xf64>
  %sqrt_w = kiln.mul %sqrt_o, %sqrt_r : (tensor<3x4xf64>, tensor<3x4xf64>) -> tensor<3x4xf64>
  %sqrt_s = kiln.reduce_sum %sqrt_w {axes = array<i64: 0, 1>, keepdims = false} : (tensor<3x4xf64>) -> tensor<f64>
  %neg_o = kiln.neg %neg_0 : tensor<3x4xf64>
  %neg_w = kiln.mul %neg_o, %neg_r : (tensor<3x4xf64>, tensor<3x4xf64>) -> tensor<3x4xf64>
  %neg_s = kiln.reduce_sum %neg_w {axes = array<i64: 0, 1>, keepdims = false} : (tensor<3x4xf64>) -> tensor<f64>
  %reciprocal_o = kiln.reciprocal %reciprocal_0 : tensor<3x4xf64>
  %reciprocal_w = kiln.mul %reciprocal_o, %reciprocal_r : (tensor<3x4xf64>, tensor<3x4xf64>) -> tensor<3x4xf64>
  %reciprocal_s = kiln.reduce_sum %reciprocal_w {axes = array<i64: 0, 1>, keepdims = false} : (tensor<3x4xf64>) -> tensor<f64>
  %abs_o = kiln.abs %abs_0 : tensor<3x4xf64>
  %abs_w = kiln.mul %abs_o, %abs_r : (tensor<3x4xf64>, tensor<3x4xf64>) -> tensor<3x4xf64>
  %abs_s = kiln.reduce_sum %abs_w {axes = array<i64: 0, 1>, keepdims = false} : (tensor<3x4xf64>) -> tensor<f64>
  %identity_o = kiln.identity %identity_0 : tensor<3x4xf64>
  %identity_w = kiln.mul %identity_o, %identity_r : (tensor<3x4xf64>, tensor<3x4xf64>) -> tensor<3x4xf64>
  %identity_s = kiln.reduce_sum %identity_w {axes = array<i64: 0, 1>, keepdims = false} : (tensor<3x4xf64>) -> tensor<f64>
  %dropout_o = kiln.dropout %dropout_0 {ratio = 5.0e-01 : f64} : tensor<3x4xf64>
  %dropout_w = kiln.mul %dropout_o, %dropout_r : (tensor<3x4xf64>, tensor<3x4xf64>) -> tensor<3x4xf64>
  %dropout_s = kiln.reduce_sum %dropout_w {axes = array<i64: 0, 1>, keepdims = false} : (tensor<3x4xf64>) -> tensor<f64>
  %leaky_relu_o = kiln.leaky_relu %leaky_relu_0 {alpha = 2.0e-01 : f64} : tensor<3x4xf64>
  %leaky_relu_w = kiln.mul %leaky_relu_o, %leaky_relu_r : (tensor<3x4xf64>, tensor<3x4xf64>) -> tensor<3x4xf64>
  %leaky_relu_s = kiln.reduce_sum %leaky_relu_w {axes = array<i64: 0, 1>, keepdims = false} : (tensor<3x4xf64>) -> tensor<f64>
  %clip_o = kiln.clip %clip_0 {min = -5.0e-01 : f64, max = 5.0e-01 : f64} : tensor<3x4xf64>
  %clip_w = kiln.mul %clip_o, %clip_r : (tensor<3x4xf64>, tensor<3x4xf64>) -> tensor<3x4xf64>
  %clip_s = kiln.reduce_sum %clip_w {axes = array<i64: 0, 1>, keepdims = false} : (tensor<3x4xf64>) -> tensor<f64>
  %add_o = kiln.add %add_0, %add_1 : (tensor<3x4xf64>, tensor<4xf64>) -> tensor<3x4xf64>
  %add_w = kiln.mul %add_o, %add_r : (tensor<3x4xf64>, tensor<3x4xf64>) -> tensor<3x4xf64>
  %add_s = kiln.reduce_sum %add_w {axes = array<i64: 0, 1>, keepdims = false} : (tensor<3x4xf64>) -> tensor<f64>
  %sub_o = kiln.sub %sub_0, %sub_1 : (tensor<3x4xf64>, tensor<3x1xf64>) -> tensor<3x4xf64>
  %sub_w = kiln.mul %sub_o, %sub_r : (tensor<3x4xf64>, tensor<3x4xf64>) -> tensor<3x4xf64>
  %sub_s = kiln.reduce_sum %sub_w {axes = array<i64: 0, 1>, keepdims = false} : (tensor<3x4xf64>) -> tensor<f64>
  %mul_o = kiln.mul %mul_0, %mul_1 : (tensor<3x4xf64>, tensor<4xf64>) -> tensor<3x4xf64>
  %mul_w = kiln.mul %mul_o, %mul_r : (tensor<3x4xf64>, tensor<3x4xf64>) -> tensor<3x4xf64>
  %mul_s = kiln.reduce_sum %mul_w {axes = array<i64: 0, 1>, keepdims = false} : (tensor<3x4xf64>) -> tensor<f64>
  %div_o = kiln.div %div_0, %div_1 : (tensor<3x4xf64>, tensor<1x4xf64>) -> tensor<3x4xf64>
  %div_w = kiln.mul %div_o, %div_r : (tensor<3x4xf64>, tensor<3x4xf64>) -> tensor<3x4xf64>
  %div_s = kiln.reduce_sum %div_w {axes = array<i64: 0, 1>, keepdims = false} : (tensor<3x4xf64>) -> tensor<f64>
  %max_o = kiln.max %max_0, %max_1 : (tensor<3x4xf64>, tensor<3x4xf64>) -> tensor<3x4xf64>
  %max_w = kiln.mul %max_o, %max_r : (tensor<3x4xf64>, tensor<3x4xf64>) -> tensor<3x4xf64>
  %max_s = kiln.reduce_sum %max_w {axes = array<i64: 0, 1>, keepdims = false} : (tensor<3x4xf64>) -> tensor<f64>
  %min_o = kiln.min %min_0, %min_1 : (tensor<3x4xf64>, tensor<4xf64>) -> tensor<3x4xf64>
  %min_w = kiln.mul %min_o, %min_r : (tensor<3x4xf64>, tensor<3x4xf64>) -> tensor<3x4xf64>
  %min_s = kiln.reduce_sum %min_w {axes = array<i64: 0, 1>, keepdims = false} : (tensor<3x4xf64>) -> tensor<f64>
  %pow_o = kiln.pow %pow_0, %pow_1 : (tensor<3x4xf64>, tensor<3x4xf64>) -> tensor<3x4xf64>
  %pow_w = kiln.mul %pow_o, %pow_r : (tensor<3x4xf64>, tensor<3x4xf64>) -> tensor<3x4xf64>
  %pow_s = kiln.reduce_sum %pow_w {axes = array<i64: 0, 1>, keepdims = false} : (tensor<3x4xf64>) -> tensor<f64>
  %select_c = kiln.compare %select_0, %select_1 {predicate = "gt"} : (tensor<3x4xf64>, tensor<3x4xf64>) -> tensor<3x4xi1>
  %select_o = kiln.select %select_c, %select_0, %select_1 : (tensor<3x4xi1>, tensor<3x4xf64>, tensor<3x4xf64>) -> tensor<3x4xf64>
  %select_w = kiln.mul %select_o, %select_r : (tensor<3x4xf64>, tensor<3x4xf64>) -> tensor<3x4xf64>
  %select_s = kiln.reduce_sum %select_w {axes = array<i64: 0, 1>, keepdims = false} : (tensor<3x4xf64>) -> tensor<f64>
  %broadcast_to_o = kiln.broadcast_to %broadcast_to_0 : tensor<3x1xf64> -> tensor<2x3x4xf64>
  %broadcast_to_w = kiln.mul %broadcast_to_o, %broadcast_to_r : (tensor<2x3x4xf64>, tensor<2x3x4xf64>) -> tensor<2x3x4xf64>
  %broadcast_to_s = kiln.reduce_sum %broadcast_to_w {axes = array<i64: 0, 1, 2>, keepdims = false} : (tensor<2x3x4xf64>) -> tensor<f64>
  %acc0 = kiln.add %relu_s, %sigmoid_s : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %acc1 = kiln.add %acc0, %tanh_s : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %acc2 = kiln.add %acc1, %exp_s : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %acc3 = kiln.add %acc2, %log_s : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %acc4 = kiln.add %acc3, %sqrt_s : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %acc5 = kiln.add %acc4, %neg_s : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %acc6 = kiln.add %acc5, %reciprocal_s : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %acc7 = kiln.add %acc6, %abs_s : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %acc8 = kiln.add %acc7, %identity_s : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %acc9 = kiln.add %acc8, %dropout_s : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %acc10 = kiln.add %acc9, %leaky_relu_s : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %acc11 = kiln.add %acc10, %clip_s : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %acc12 = kiln.add %acc11, %add_s : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %acc13 = kiln.add %acc12, %sub_s : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %acc14 = kiln.add %acc13, %mul_s : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %acc15 = kiln.add %acc14, %div_s : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %acc16 = kiln.add %acc15, %max_s : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %acc17 = kiln.add %acc16, %min_s : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %acc18 = kiln.add %acc17, %pow_s : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %acc19 = kiln.add %acc18, %select_s : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %acc20 = kiln.add %acc19, %broadcast_to_s : (tensor<f64>, tensor<f64>) -> tensor<f64>
  return %acc20 : tensor<f64>
}

