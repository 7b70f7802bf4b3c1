// kiln-choose-layout marks the convolutions the channels-last code path handles.
// RUN: kiln-opt %s --pass-pipeline='builtin.module(func.func(kiln-choose-layout))' | FileCheck %s

// CHECK-LABEL: func @marked
// CHECK: kiln.conv2d {{.*}}kiln.layout = "nhwc"
func.func @marked(%x: tensor<2x8x6x6xf32>, %w: tensor<16x8x3x3xf32>) -> tensor<2x16x4x4xf32> {
  %0 = kiln.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<2x8x6x6xf32>, tensor<16x8x3x3xf32>) -> tensor<2x16x4x4xf32>
  return %0 : tensor<2x16x4x4xf32>
}

// Grouped convolutions and other element types keep NCHW.
// CHECK-LABEL: func @unmarked
// CHECK-NOT: kiln.layout
// CHECK: return
func.func @unmarked(%x: tensor<1x4x6x6xf32>, %w: tensor<6x2x3x3xf32>, %h: tensor<1x4x6x6xf16>, %v: tensor<8x4x3x3xf16>) -> (tensor<1x6x4x4xf32>, tensor<1x8x4x4xf16>) {
  %0 = kiln.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 2} : (tensor<1x4x6x6xf32>, tensor<6x2x3x3xf32>) -> tensor<1x6x4x4xf32>
  %1 = kiln.conv2d %h, %v {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x4x6x6xf16>, tensor<8x4x3x3xf16>) -> tensor<1x8x4x4xf16>
  return %0, %1 : tensor<1x6x4x4xf32>, tensor<1x8x4x4xf16>
}

// A max pool that reads a channels-last convolution through shape-preserving ops (ResNet's
// stem: ReLU) pools channels last too; one on any other input keeps NCHW.
// CHECK-LABEL: func @stem_pool
// CHECK: kiln.conv2d {{.*}}kiln.layout = "nhwc"
// CHECK: kiln.relu
// CHECK: kiln.max_pool2d {{.*}}kiln.layout = "nhwc"
// CHECK: kiln.max_pool2d
// CHECK-NOT: kiln.layout
// CHECK: return
func.func @stem_pool(%x: tensor<2x8x6x6xf32>, %w: tensor<16x8x3x3xf32>) -> (tensor<2x16x2x2xf32>, tensor<2x8x3x3xf32>) {
  %0 = kiln.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<2x8x6x6xf32>, tensor<16x8x3x3xf32>) -> tensor<2x16x4x4xf32>
  %1 = kiln.relu %0 : tensor<2x16x4x4xf32>
  %2 = kiln.max_pool2d %1 {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<2x16x4x4xf32>) -> tensor<2x16x2x2xf32>
  %3 = kiln.max_pool2d %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<2x8x6x6xf32>) -> tensor<2x8x3x3xf32>
  return %2, %3 : tensor<2x16x2x2xf32>, tensor<2x8x3x3xf32>
}
