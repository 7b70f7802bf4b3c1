// RUN: kiln-opt %s --kiln-training-graph --kiln-autodiff --kiln-optimizer="optimizer=sgd momentum=0.9 nesterov=true weight-decay=0.01" --canonicalize | FileCheck %s
// RUN: kiln-opt %s --kiln-training-graph --kiln-autodiff --kiln-optimizer="optimizer=adam l2=0.5 decay-all=true" --canonicalize | FileCheck %s --check-prefix=ADAM
// RUN: not kiln-opt %s --kiln-optimizer 2>&1 | FileCheck %s --check-prefix=NOGRAD
// RUN: not kiln-opt %s --kiln-training-graph --kiln-autodiff --kiln-optimizer="optimizer=sgd nesterov=true" 2>&1 | FileCheck %s --check-prefix=NESTEROV

// CHECK-LABEL: func.func @apply_update(
// CHECK-SAME: %[[LR:[a-z0-9]+]]: tensor<f32> {kiln.buffer = "lr", kiln.role = "scalar_input"}
// CHECK-SAME: %[[SCALE:[a-z0-9]+]]: tensor<f32> {kiln.buffer = "grad_scale", kiln.role = "scalar_input"}
// CHECK-SAME: %[[W:[a-z0-9]+]]: tensor<2x1x3x3xf32> {kiln.buffer = "conv.weight", kiln.role = "parameter"}
// CHECK-SAME: %[[G:[a-z0-9]+]]: tensor<2x1x3x3xf32> {kiln.buffer = "conv.weight@grad", kiln.role = "gradient"}
// CHECK-SAME: %[[V:[a-z0-9]+]]: tensor<2x1x3x3xf32> {kiln.buffer = "conv.weight@momentum", kiln.role = "optimizer_state"}
// The new momentum, the parameter and the zeroed gradient are written to their own buffers.
// CHECK-SAME: -> (tensor<2x1x3x3xf32> {kiln.buffer = "conv.weight@momentum", kiln.role = "optimizer_state"}, tensor<2x1x3x3xf32> {kiln.buffer = "conv.weight", kiln.role = "parameter"}, tensor<2x1x3x3xf32> {kiln.buffer = "conv.weight@grad", kiln.role = "gradient"}
// CHECK-DAG: %[[ZERO:.*]] = kiln.constant dense<0.000000e+00> : tensor<2x1x3x3xf32>
// CHECK-DAG: %[[WD:.*]] = kiln.constant dense<0.00999999977> : tensor<f32>
// CHECK-DAG: %[[MU:.*]] = kiln.constant dense<0.899999976> : tensor<f32>
// g = grad_scale * G; v' = mu v + g; d = g + mu v' (Nesterov); p' = p - lr (d + wd p).
// CHECK: %[[GS:.*]] = kiln.mul %[[G]], %[[SCALE]]
// CHECK: %[[MV:.*]] = kiln.mul %[[V]], %[[MU]]
// CHECK: %[[NEWV:.*]] = kiln.add %[[MV]], %[[GS]]
// CHECK: %[[LOOK:.*]] = kiln.mul %[[NEWV]], %[[MU]]
// CHECK: %[[D:.*]] = kiln.add %[[GS]], %[[LOOK]]
// CHECK: %[[DECAY:.*]] = kiln.mul %[[W]], %[[WD]]
// CHECK: %[[DIR:.*]] = kiln.add %[[D]], %[[DECAY]]
// CHECK: %[[STEP:.*]] = kiln.mul %[[DIR]], %[[LR]]
// CHECK: %[[NEWW:.*]] = kiln.sub %[[W]], %[[STEP]]
// Batch-norm scale (rank 1) is not decayed by default.
// CHECK: %[[BNG:.*]] = kiln.mul %arg7, %[[SCALE]]
// CHECK-NOT: kiln.mul %arg6, %[[WD]]
// CHECK: return %[[NEWV]], %[[NEWW]], %[[ZERO]]

// Adam: two moments per parameter and bias correction from the step; l2 on every parameter.
// ADAM-LABEL: func.func @apply_update(
// ADAM-SAME: %[[STEP:[a-z0-9]+]]: tensor<i64> {kiln.buffer = "step", kiln.role = "scalar_input"}
// ADAM-SAME: {kiln.buffer = "bn.weight@m", kiln.role = "optimizer_state"}
// ADAM-SAME: {kiln.buffer = "bn.weight@v", kiln.role = "optimizer_state"}
// ADAM: %[[T:.*]] = kiln.cast %[[STEP]] : tensor<i64> -> tensor<f32>
// ADAM: kiln.pow %{{.*}}, %[[T]]
// ADAM: kiln.sqrt
// ADAM: kiln.mul %arg7, %{{.*}}

// NOGRAD: kiln-optimizer needs the 'fwd_bwd' entry (run kiln-autodiff first)
// NESTEROV: Nesterov momentum needs --optimizer sgd and a non-zero momentum

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
