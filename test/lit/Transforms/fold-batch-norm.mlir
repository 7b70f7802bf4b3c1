// RUN: kiln-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(kiln-fold-batch-norm))' | FileCheck %s

// A convolution with bias feeding a batch norm: one convolution with scaled weights and a
// shifted bias, f = s / sqrt(var + eps).
// CHECK-LABEL: func.func @conv_bias_bn
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x8x8xf32>, %[[W:.*]]: tensor<4x3x3x3xf32>, %[[B:.*]]: tensor<4xf32>, %[[S:.*]]: tensor<4xf32>, %[[BETA:.*]]: tensor<4xf32>, %[[M:.*]]: tensor<4xf32>, %[[V:.*]]: tensor<4xf32>)
// CHECK: %[[EPS:.*]] = kiln.constant dense<1.000000e-03> : tensor<f32>
// CHECK: %[[VE:.*]] = kiln.add %[[V]], %[[EPS]]
// CHECK: %[[SD:.*]] = kiln.sqrt %[[VE]]
// CHECK: %[[F:.*]] = kiln.div %[[S]], %[[SD]]
// CHECK: %[[FC:.*]] = kiln.reshape %[[F]] : tensor<4xf32> -> tensor<4x1x1x1xf32>
// CHECK: %[[W2:.*]] = kiln.mul %[[W]], %[[FC]]
// CHECK: %[[C:.*]] = kiln.sub %[[B]], %[[M]]
// CHECK: %[[CF:.*]] = kiln.mul %[[C]], %[[F]]
// CHECK: %[[B2:.*]] = kiln.add %[[CF]], %[[BETA]]
// CHECK: %[[Y:.*]] = kiln.conv2d %[[X]], %[[W2]], %[[B2]] {dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}
// CHECK-NOT: kiln.batch_norm_inference
// CHECK: return %[[Y]]
func.func @conv_bias_bn(%x: tensor<2x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<4xf32>,
    %s: tensor<4xf32>, %beta: tensor<4xf32>, %m: tensor<4xf32>, %v: tensor<4xf32>) -> tensor<2x4x4x4xf32> {
  %c = kiln.conv2d %x, %w, %b {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1 : i64}
      : (tensor<2x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<2x4x4x4xf32>
  %y = kiln.batch_norm_inference %c, %s, %beta, %m, %v {epsilon = 1.0e-03 : f64} : tensor<2x4x4x4xf32>, tensor<4xf32>
  return %y : tensor<2x4x4x4xf32>
}

// -----

// Without a bias the shift is -mean * f + beta.
// CHECK-LABEL: func.func @conv_bn
// CHECK: %[[NEG:.*]] = kiln.neg %arg4
// CHECK: %[[SHIFT:.*]] = kiln.mul %[[NEG]], %{{.*}}
// CHECK: kiln.add %[[SHIFT]], %arg3
// CHECK: kiln.conv2d %arg0, %{{.*}}, %{{.*}} {{.*}}groups = 2
// CHECK-NOT: kiln.batch_norm_inference
func.func @conv_bn(%x: tensor<1x4x5x5xf32>, %w: tensor<6x2x3x3xf32>, %s: tensor<6xf32>,
    %beta: tensor<6xf32>, %m: tensor<6xf32>, %v: tensor<6xf32>) -> tensor<1x6x3x3xf32> {
  %c = kiln.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 2 : i64}
      : (tensor<1x4x5x5xf32>, tensor<6x2x3x3xf32>) -> tensor<1x6x3x3xf32>
  %y = kiln.batch_norm_inference %c, %s, %beta, %m, %v : tensor<1x6x3x3xf32>, tensor<6xf32>
  return %y : tensor<1x6x3x3xf32>
}

// -----

// A convolution whose output is also used elsewhere keeps its batch norm.
// CHECK-LABEL: func.func @shared_conv
// CHECK: %[[C:.*]] = kiln.conv2d
// CHECK: kiln.batch_norm_inference %[[C]]
func.func @shared_conv(%x: tensor<1x1x4x4xf32>, %w: tensor<2x1x1x1xf32>, %p: tensor<2xf32>)
    -> (tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) {
  %c = kiln.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64}
      : (tensor<1x1x4x4xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x4x4xf32>
  %y = kiln.batch_norm_inference %c, %p, %p, %p, %p : tensor<1x2x4x4xf32>, tensor<2xf32>
  return %c, %y : tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>
}
