// RUN: kiln-opt %s --kiln-autodiff --split-input-file --verify-diagnostics | FileCheck %s

// The gradient entry gets a gradient buffer per kiln.wrt argument and returns it updated.
// CHECK-LABEL: func.func @f_grad(
// CHECK-SAME: %[[X:.*]]: tensor<4xf32> {kiln.buffer = "x", kiln.role = "input"},
// CHECK-SAME: %[[W:.*]]: tensor<4xf32> {kiln.buffer = "w", kiln.role = "parameter"},
// CHECK-SAME: %[[G:.*]]: tensor<4xf32> {kiln.buffer = "w@grad", kiln.role = "gradient"})
// CHECK-SAME: -> (tensor<f32> {kiln.buffer = "loss", kiln.role = "output"}, tensor<4xf32> {kiln.buffer = "w@grad", kiln.role = "gradient"})
// d/dw sum(x * w) = x, broadcast from the reduction's gradient:
// CHECK: %[[ONE:.*]] = kiln.constant dense<1.000000e+00> : tensor<f32>
// CHECK: %[[SPREAD:.*]] = kiln.broadcast_to %{{.*}} : tensor<1xf32> -> tensor<4xf32>
// CHECK: %[[DW:.*]] = kiln.mul %[[SPREAD]], %[[X]]
// CHECK: %[[ACC:.*]] = kiln.add %[[G]], %[[DW]]
// CHECK: return %{{.*}}, %[[ACC]]
// The private source function is consumed.
// CHECK-NOT: func.func private @f
func.func private @f(%x: tensor<4xf32> {kiln.buffer = "x", kiln.role = "input"},
                     %w: tensor<4xf32> {kiln.buffer = "w", kiln.role = "parameter", kiln.wrt})
    -> (tensor<f32> {kiln.buffer = "loss", kiln.role = "output"})
    attributes {kiln.autodiff = "f_grad"} {
  %p = kiln.mul %x, %w : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %s = kiln.reduce_sum %p {axes = array<i64: 0>, keepdims = false} : (tensor<4xf32>) -> tensor<f32>
  return %s : tensor<f32>
}

// -----

// A value used twice receives the sum of both gradients.
// CHECK-LABEL: func.func @square_grad(
// CHECK: kiln.mul
// CHECK: %[[A:.*]] = kiln.mul %{{.*}}, %arg0
// CHECK: %[[B:.*]] = kiln.mul %{{.*}}, %arg0
// CHECK: kiln.add %[[B]], %[[A]]
func.func private @square(%x: tensor<3xf64> {kiln.buffer = "x", kiln.role = "parameter", kiln.wrt})
    -> (tensor<f64> {kiln.buffer = "y", kiln.role = "output"})
    attributes {kiln.autodiff = "square_grad"} {
  %p = kiln.mul %x, %x : (tensor<3xf64>, tensor<3xf64>) -> tensor<3xf64>
  %s = kiln.reduce_sum %p {axes = array<i64: 0>, keepdims = false} : (tensor<3xf64>) -> tensor<f64>
  return %s : tensor<f64>
}

// -----

// expected-error @+1 {{the objective (first result) must be a rank-0 float tensor}}
func.func private @not_scalar(%x: tensor<3xf32> {kiln.buffer = "x", kiln.role = "parameter", kiln.wrt})
    -> (tensor<3xf32> {kiln.buffer = "y", kiln.role = "output"})
    attributes {kiln.autodiff = "g"} {
  %y = kiln.relu %x : tensor<3xf32>
  return %y : tensor<3xf32>
}

// -----

// An op without a VJP between a trained argument and the objective is named (here a
// second-order gradient).
func.func private @no_vjp(%dy: tensor<1x1x3x3xf32> {kiln.buffer = "dy", kiln.role = "input"},
                          %w: tensor<1x1x1x1xf32> {kiln.buffer = "w", kiln.role = "parameter", kiln.wrt})
    -> (tensor<f32> {kiln.buffer = "y", kiln.role = "output"})
    attributes {kiln.autodiff = "g"} {
  // expected-error @+1 {{has no gradient (no vector-Jacobian product)}}
  %dx = kiln.conv2d_backward_data %dy, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x1x3x3xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x3x3xf32>
  %s = kiln.reduce_sum %dx {axes = array<i64: 0, 1, 2, 3>, keepdims = false} : (tensor<1x1x3x3xf32>) -> tensor<f32>
  return %s : tensor<f32>
}
