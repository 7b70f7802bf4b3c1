// The gradients of an fp32 3x3 stride-1 convolution large enough for kiln-winograd's tasks
// (16 images of 16 x 16, 16 -> 16 channels: 9.4 M multiply-adds) against central finite
// differences: the forward and the input gradient run as Winograd F(4x4, 3x3) tasks, the
// filter gradient as Winograd filter-gradient tasks whose transforms run along vectors of
// 16 images.
// RUN: kiln-opt %s --kiln-autodiff -o %t.mlir
// RUN: kilnc %t.mlir -o %t.kx --print-ir-after=kiln-winograd 2>&1 | FileCheck %s --check-prefix=IR
// IR-LABEL: func.func @winograd_grad
// IR: vector.transfer_read {{.*}} : tensor<16x18x18x16xf32>, vector<16xf32>
// IR: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<16x{{[0-9]+}}xf32>, tensor<{{[0-9]+}}x16xf32>) outs(%{{.*}} : tensor<16x16xf32>)
// IR: outs(%{{.*}} : tensor<16x3x3x16xf32>)
// IR-NOT: linalg.conv_2d_nhwc_hwcf
// IR: return
// The loss is linear in each argument, so central differences are exact at any step: a step
// of 0.5 keeps the rounding of the fp32 loss (a sum of 65536 products) out of them (at the
// default 0.01 it moves them by up to 0.03, for the direct convolution as much).
// RUN: kiln-gradcheck %t.kx --max-elements 96 --eps 0.5 | FileCheck %s
// CHECK-NOT: FAIL
// CHECK: {{[1-9][0-9]*}} passed, 0 failed

func.func @winograd(%x: tensor<16x16x16x16xf32> {kiln.buffer = "x", kiln.role = "parameter", kiln.wrt},
    %w: tensor<16x16x3x3xf32> {kiln.buffer = "w", kiln.role = "parameter", kiln.wrt},
    %r: tensor<16x16x16x16xf32> {kiln.buffer = "r", kiln.role = "input"})
    -> (tensor<f32> {kiln.buffer = "loss", kiln.role = "output"})
    attributes {kiln.autodiff = "winograd_grad"} {
  %o = kiln.conv2d %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<16x16x16x16xf32>, tensor<16x16x3x3xf32>) -> tensor<16x16x16x16xf32>
  %m = kiln.mul %o, %r : (tensor<16x16x16x16xf32>, tensor<16x16x16x16xf32>) -> tensor<16x16x16x16xf32>
  %s = kiln.reduce_sum %m {axes = array<i64: 0, 1, 2, 3>, keepdims = false} : (tensor<16x16x16x16xf32>) -> tensor<f32>
  return %s : tensor<f32>
}
