// Round trip of every kiln op: parse, verify, print, parse again.
// RUN: kiln-opt %s | kiln-opt | FileCheck %s

// CHECK: kiln.parameter @fc.weight : tensor<10x16xf32> = dense<1.000000e+00> : tensor<10x16xf32>
kiln.parameter @"fc.weight" : tensor<10x16xf32> = dense<1.0> : tensor<10x16xf32>

// CHECK-LABEL: func @contractions
func.func @contractions(%x: tensor<2x4x8x8xf32>, %w: tensor<8x2x3x3xf32>, %b: tensor<8xf32>,
                        %a: tensor<2x16xf32>, %fw: tensor<10x16xf32>, %fb: tensor<10xf32>,
                        %m: tensor<3x2x16xf32>) -> (tensor<2x8x4x4xf32>, tensor<2x10xf32>, tensor<3x2x10xf32>) {
  // CHECK: kiln.conv2d {{.*}}groups = 2
  %c = kiln.conv2d %x, %w, %b {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 2} : (tensor<2x4x8x8xf32>, tensor<8x2x3x3xf32>, tensor<8xf32>) -> tensor<2x8x4x4xf32>
  // CHECK: kiln.gemm {{.*}}trans_b = true
  %g = kiln.gemm %a, %fw, %fb {trans_b = true} : (tensor<2x16xf32>, tensor<10x16xf32>, tensor<10xf32>) -> tensor<2x10xf32>
  %t = kiln.transpose %fw {perm = array<i64: 1, 0>} : (tensor<10x16xf32>) -> tensor<16x10xf32>
  // CHECK: kiln.matmul
  %mm = kiln.matmul %m, %t : (tensor<3x2x16xf32>, tensor<16x10xf32>) -> tensor<3x2x10xf32>
  return %c, %g, %mm : tensor<2x8x4x4xf32>, tensor<2x10xf32>, tensor<3x2x10xf32>
}

// CHECK-LABEL: func @elementwise
func.func @elementwise(%x: tensor<2x3xf32>, %y: tensor<3xf32>) -> tensor<2x3xf32> {
  // CHECK: kiln.relu
  %0 = kiln.relu %x : tensor<2x3xf32>
  %1 = kiln.sigmoid %0 : tensor<2x3xf32>
  %2 = kiln.tanh %1 : tensor<2x3xf32>
  %3 = kiln.exp %2 : tensor<2x3xf32>
  %4 = kiln.log %3 : tensor<2x3xf32>
  %5 = kiln.sqrt %4 : tensor<2x3xf32>
  %6 = kiln.neg %5 : tensor<2x3xf32>
  %7 = kiln.reciprocal %6 : tensor<2x3xf32>
  %8 = kiln.abs %7 : tensor<2x3xf32>
  %9 = kiln.identity %8 : tensor<2x3xf32>
  // CHECK: kiln.leaky_relu {{.*}}alpha = 2.000000e-01
  %10 = kiln.leaky_relu %9 {alpha = 0.2 : f64} : tensor<2x3xf32>
  // CHECK: kiln.clip {{.*}}max = 6.000000e+00{{.*}}min = 0.000000e+00
  %11 = kiln.clip %10 {min = 0.0 : f64, max = 6.0 : f64} : tensor<2x3xf32>
  %12 = kiln.dropout %11 {ratio = 0.5 : f64} : tensor<2x3xf32>
  // CHECK: kiln.add {{.*}} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %13 = kiln.add %12, %y : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %14 = kiln.sub %13, %y : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %15 = kiln.mul %14, %y : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %16 = kiln.div %15, %y : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %17 = kiln.max %16, %y : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %18 = kiln.min %17, %y : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %19 = kiln.pow %18, %y : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK: kiln.cast {{.*}} : tensor<2x3xf32> -> tensor<2x3xi64>
  %20 = kiln.cast %19 : tensor<2x3xf32> -> tensor<2x3xi64>
  %21 = kiln.cast %20 : tensor<2x3xi64> -> tensor<2x3xf32>
  return %21 : tensor<2x3xf32>
}

// CHECK-LABEL: func @normalisation_and_pooling
func.func @normalisation_and_pooling(%x: tensor<1x4x6x6xf32>, %s: tensor<4xf32>) -> (tensor<1x4x1x1xf32>, tensor<1x4x1x1xf32>, tensor<1x4x3x3xf32>) {
  // CHECK: kiln.batch_norm_inference
  %bn = kiln.batch_norm_inference %x, %s, %s, %s, %s {epsilon = 1.0e-3 : f64} : tensor<1x4x6x6xf32>, tensor<4xf32>
  // CHECK: kiln.max_pool2d {{.*}}ceil_mode = true
  %mp = kiln.max_pool2d %bn {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, ceil_mode = true} : (tensor<1x4x6x6xf32>) -> tensor<1x4x3x3xf32>
  %ap = kiln.avg_pool2d %mp {kernel = array<i64: 3, 3>, strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, count_include_pad = true} : (tensor<1x4x3x3xf32>) -> tensor<1x4x3x3xf32>
  %ga = kiln.global_avg_pool %ap : (tensor<1x4x3x3xf32>) -> tensor<1x4x1x1xf32>
  %gm = kiln.global_max_pool %ap : (tensor<1x4x3x3xf32>) -> tensor<1x4x1x1xf32>
  return %ga, %gm, %ap : tensor<1x4x1x1xf32>, tensor<1x4x1x1xf32>, tensor<1x4x3x3xf32>
}

// CHECK-LABEL: func @reductions_and_softmax
func.func @reductions_and_softmax(%x: tensor<2x3x4xf32>) -> (tensor<2x1x4xf32>, tensor<4xf32>, tensor<2x3xf32>, tensor<2x3x4xf32>) {
  // CHECK: kiln.reduce_sum {{.*}}axes = array<i64: 1>
  %s = kiln.reduce_sum %x {axes = array<i64: 1>, keepdims = true} : (tensor<2x3x4xf32>) -> tensor<2x1x4xf32>
  %m = kiln.reduce_mean %x {axes = array<i64: 0, 1>, keepdims = false} : (tensor<2x3x4xf32>) -> tensor<4xf32>
  %x2 = kiln.reduce_max %x {axes = array<i64: 2>, keepdims = false} : (tensor<2x3x4xf32>) -> tensor<2x3xf32>
  // CHECK: kiln.softmax {{.*}}axis = 2
  %sm = kiln.softmax %x {axis = 2} : tensor<2x3x4xf32>
  %ls = kiln.log_softmax %sm {axis = 2} : tensor<2x3x4xf32>
  return %s, %m, %x2, %ls : tensor<2x1x4xf32>, tensor<4xf32>, tensor<2x3xf32>, tensor<2x3x4xf32>
}

// CHECK-LABEL: func @data_movement
func.func @data_movement(%x: tensor<2x3x1xf32>) -> (tensor<2x6x1xf32>, tensor<6xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<1x2x3x1xf32>, tensor<3x5x3xf32>, tensor<1x2x1xf32>, tensor<2xi64>) {
  // CHECK: kiln.concat {{.*}}axis = 1
  %c = kiln.concat %x, %x {axis = 1} : (tensor<2x3x1xf32>, tensor<2x3x1xf32>) -> tensor<2x6x1xf32>
  %r = kiln.reshape %x : tensor<2x3x1xf32> -> tensor<6xf32>
  %f = kiln.flatten %x {axis = 1} : (tensor<2x3x1xf32>) -> tensor<2x3xf32>
  %s = kiln.squeeze %x {axes = array<i64: 2>} : (tensor<2x3x1xf32>) -> tensor<2x3xf32>
  %u = kiln.unsqueeze %x {axes = array<i64: 0>} : (tensor<2x3x1xf32>) -> tensor<1x2x3x1xf32>
  // CHECK: kiln.pad
  %p = kiln.pad %x {pads = array<i64: 0, 1, 1, 1, 1, 1>, value = 2.0 : f64} : (tensor<2x3x1xf32>) -> tensor<3x5x3xf32>
  // CHECK: kiln.slice {{.*}}steps = array<i64: 1, -2, 1>
  %sl = kiln.slice %x {starts = array<i64: 1, 2, 0>, ends = array<i64: 2, -1, 1>, steps = array<i64: 1, -2, 1>} : (tensor<2x3x1xf32>) -> tensor<1x2x1xf32>
  // CHECK: kiln.constant dense<[1, 2]> : tensor<2xi64>
  %k = kiln.constant dense<[1, 2]> : tensor<2xi64>
  return %c, %r, %f, %s, %u, %p, %sl, %k : tensor<2x6x1xf32>, tensor<6xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<1x2x3x1xf32>, tensor<3x5x3xf32>, tensor<1x2x1xf32>, tensor<2xi64>
}
