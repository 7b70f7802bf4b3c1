// RUN: kiln-opt %s --kiln-training-graph="label-smoothing=0.1 freeze=conv\..*" | FileCheck %s
// RUN: not kiln-opt %s --kiln-training-graph="loss=hinge" 2>&1 | FileCheck %s --check-prefix=BADLOSS
// RUN: not kiln-opt %s --kiln-training-graph="freeze=*x" 2>&1 | FileCheck %s --check-prefix=BADREGEX

// forward stays the evaluation entry; the running statistics become state everywhere.
// CHECK-LABEL: func.func @forward(
// CHECK-SAME: kiln.buffer = "bn.running_mean", kiln.role = "state"
// CHECK: kiln.batch_norm_inference
// CHECK: kiln.dropout

// The training-mode copy: frozen conv.weight has no kiln.wrt, the others do; a seed and a
// label input; the loss first, then the logits, then the updated running statistics.
// CHECK-LABEL: func.func private @loss(
// CHECK-SAME: {kiln.buffer = "conv.weight", kiln.role = "parameter"}
// CHECK-SAME: {kiln.buffer = "bn.weight", kiln.role = "parameter", kiln.wrt}
// CHECK-SAME: {kiln.buffer = "fc.weight", kiln.role = "parameter", kiln.wrt}
// CHECK-SAME: %[[SEED:.*]]: tensor<i64> {kiln.buffer = "seed", kiln.role = "scalar_input"}
// CHECK-SAME: %[[LABEL:.*]]: tensor<4xi32> {kiln.buffer = "label", kiln.role = "label"}
// CHECK-SAME: -> (tensor<f32> {kiln.buffer = "loss", kiln.role = "output"}, tensor<4x3xf32> {kiln.buffer = "logits", kiln.role = "output"}, tensor<2xf32> {kiln.buffer = "bn.running_mean", kiln.role = "state"}, tensor<2xf32> {kiln.buffer = "bn.running_var", kiln.role = "state"})
// CHECK-SAME: attributes {kiln.autodiff = "fwd_bwd"}
// CHECK: %{{.*}}, %[[MEAN:.*]], %[[VAR:.*]] = kiln.batch_norm_training
// Running statistics: 0.9 * running + 0.1 * batch (variance times n / (n - 1) = 16/15).
// CHECK: kiln.constant dense<1.000000e-01>
// CHECK: kiln.constant dense<0.106666669>
// CHECK: %[[U:.*]] = kiln.random_uniform %[[SEED]]
// CHECK: kiln.compare %[[U]], %{{.*}} {predicate = "ge"}
// CHECK: kiln.select
// Label smoothing 0.1 over 3 classes: on 1 - 0.1 + 0.1/3, off 0.1/3.
// CHECK: kiln.one_hot %[[LABEL]] {depth = 3 : i64, off_value = 0.033333333333333333 : f64, on_value = 0.93333333333333335 : f64}
// CHECK: kiln.log_softmax
// CHECK: kiln.reduce_mean
// CHECK: kiln.neg

// BADLOSS: unknown loss 'hinge' (expected softmax-cross-entropy or mse)
// BADREGEX: invalid --freeze pattern

kiln.parameter @"conv.weight" : tensor<2x1x3x3xf32> = dense<0.5> : tensor<2x1x3x3xf32>
kiln.parameter @"bn.weight" : tensor<2xf32> = dense<1.0> : tensor<2xf32>
kiln.parameter @"bn.bias" : tensor<2xf32> = dense<0.0> : tensor<2xf32>
kiln.parameter @"bn.running_mean" : tensor<2xf32> = dense<0.0> : tensor<2xf32>
kiln.parameter @"bn.running_var" : tensor<2xf32> = dense<1.0> : tensor<2xf32>
kiln.parameter @"fc.weight" : tensor<3x8xf32> = dense<0.1> : tensor<3x8xf32>
func.func @forward(%x: tensor<4x1x2x2xf32> {kiln.buffer = "image", kiln.role = "input"},
                   %w: tensor<2x1x3x3xf32> {kiln.buffer = "conv.weight", kiln.role = "parameter"},
                   %s: tensor<2xf32> {kiln.buffer = "bn.weight", kiln.role = "parameter"},
                   %b: tensor<2xf32> {kiln.buffer = "bn.bias", kiln.role = "parameter"},
                   %m: tensor<2xf32> {kiln.buffer = "bn.running_mean", kiln.role = "parameter"},
                   %v: tensor<2xf32> {kiln.buffer = "bn.running_var", kiln.role = "parameter"},
                   %fw: tensor<3x8xf32> {kiln.buffer = "fc.weight", kiln.role = "parameter"})
    -> (tensor<4x3xf32> {kiln.buffer = "logits", kiln.role = "output"}) {
  %c = kiln.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<4x1x2x2xf32>, tensor<2x1x3x3xf32>) -> tensor<4x2x2x2xf32>
  %n = kiln.batch_norm_inference %c, %s, %b, %m, %v {epsilon = 1.0e-05 : f64} : tensor<4x2x2x2xf32>, tensor<2xf32>
  %d = kiln.dropout %n {ratio = 2.5e-01 : f64} : tensor<4x2x2x2xf32>
  %f = kiln.flatten %d {axis = 1 : i64} : (tensor<4x2x2x2xf32>) -> tensor<4x8xf32>
  %y = kiln.gemm %f, %fw {trans_b = true} : (tensor<4x8xf32>, tensor<3x8xf32>) -> tensor<4x3xf32>
  return %y : tensor<4x3xf32>
}
