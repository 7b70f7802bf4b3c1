// The channels-last gradients of a convolution (compiler/Conversion/KilnToLinalg/
// ChannelsLast.cpp), tiled and vectorized, give what the plain-loop reference gives (which
// the f64 finite-difference checks of test/lit/Training/gradients-nn.mlir validate), for
// stride 1 and 2, asymmetric pads, a dilation, a 1x1 shortcut and an odd width, on the same
// pseudo-random inputs (kiln-run's default fill).
// RUN: rm -rf %t && mkdir -p %t
// RUN: kilnc %s -o %t/fast.kx
// RUN: kilnc %s --codegen=loops -o %t/loops.kx
// RUN: kiln-run infer %t/fast.kx --output-dir %t/fast
// RUN: kiln-run infer %t/loops.kx --output-dir %t/loops
// RUN: for i in 0 1 2 3 4 5 6 7 8 9; do %kiln_python %S/../../conformance/conformance.py compare %t/loops/output_$i.pb %t/fast/output_$i.pb; done | FileCheck %s
// CHECK-COUNT-10: matches
// CHECK-NOT: error

// The fast artifact really computes them as vectorized convolutions (13: the stride-2 input
// gradient %dx2 is four phase convolutions, %dx4's stride 1 x 2 two, the 1x1 filter gradient
// a matmul).
// RUN: kiln-opt %s --kiln-lower-to-linalg | FileCheck %s --check-prefix=FAST
// FAST-COUNT-13: vector.contract
// FAST-NOT: linalg.generic {{.*}}reduction

// The stride-1 input gradient (%dx1) is computed at the 8x8 unpadded positions only: its
// window starts one row and column into the gradient spread with a 2-pixel halo.
// RUN: kiln-opt %s --pass-pipeline='builtin.module(func.func(kiln-choose-layout,kiln-to-linalg))' | FileCheck %s --check-prefix=UNPADDED
// UNPADDED: tensor.extract_slice %{{.*}}[0, 1, 1, 0] [2, 10, 10, 16] [1, 1, 1, 1] : tensor<2x12x12x16xf32> to tensor<2x10x10x16xf32>
// UNPADDED: linalg.conv_2d_nhwc_hwcf {{.*}} ins(%{{.*}}, %{{.*}} : tensor<2x10x10x16xf32>, tensor<3x3x16x8xf32>) outs(%{{.*}} : tensor<2x8x8x8xf32>)

// The stride-2 input gradient (%dx2, 8x8 input, pad 1) is no convolution over a zero-spread
// gradient but one stride-1 convolution per output phase, each with the taps that reach it
// (rows and columns 1, 3, 5, 7 get taps 0 and 2; rows and columns 0, 2, 4, 6 tap 1), written
// into every second row and column.
// RUN: kiln-opt %s --pass-pipeline='builtin.module(func.func(kiln-choose-layout,kiln-to-linalg))' | FileCheck %s --check-prefix=PHASES
// PHASES: linalg.conv_2d_nhwc_hwcf {{.*}} ins(%{{.*}}, %{{.*}} : tensor<2x5x5x16xf32>, tensor<2x2x16x8xf32>) outs(%{{.*}} : tensor<2x4x4x8xf32>)
// PHASES-NEXT: tensor.insert_slice %{{.*}}[0, 1, 1, 0] [2, 4, 4, 8] [1, 2, 2, 1] : tensor<2x4x4x8xf32> into tensor<2x8x8x8xf32>
// PHASES: tensor<2x1x16x8xf32>
// PHASES: tensor.insert_slice %{{.*}}[0, 1, 0, 0] [2, 4, 4, 8] [1, 2, 2, 1]
// PHASES: tensor<1x2x16x8xf32>
// PHASES: tensor.insert_slice %{{.*}}[0, 0, 1, 0] [2, 4, 4, 8] [1, 2, 2, 1]
// PHASES: tensor<1x1x16x8xf32>
// PHASES: tensor.insert_slice %{{.*}}[0, 0, 0, 0] [2, 4, 4, 8] [1, 2, 2, 1]

// The flipped taps are gathered in the filter's own order: the generic's loops run over
// w's f, c and taps (reading rows of it) and write [kh, kw, f, c]. %dx2's filter is flipped
// once, and its phases take every second tap of the flip (from the first or the second):
// strided slices, not a flip each.
// RUN: kiln-opt %s --pass-pipeline='builtin.module(func.func(kiln-choose-layout,kiln-to-linalg))' | FileCheck %s --check-prefix=FLIP
// FLIP-DAG: #[[FLIPPED:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, -d2 + 2, -d3 + 2)>
// FLIP-DAG: #[[SWAPPED:.*]] = affine_map<(d0, d1, d2, d3) -> (d2, d3, d0, d1)>
// FLIP: func.func @forward(
// FLIP-SAME: %[[W2:arg4]]: tensor<16x8x3x3xf32>
// FLIP: %[[FLIP2:.*]] = linalg.generic {indexing_maps = [#[[FLIPPED]], #[[SWAPPED]]]{{.*}} ins(%[[W2]] : tensor<16x8x3x3xf32>)
// FLIP: tensor.extract_slice %[[FLIP2]][0, 0, 0, 0] [2, 2, 16, 8] [2, 2, 1, 1] : tensor<3x3x16x8xf32> to tensor<2x2x16x8xf32>
// FLIP: tensor.extract_slice %[[FLIP2]][0, 1, 0, 0] [2, 1, 16, 8] [2, 2, 1, 1]
// FLIP: tensor.extract_slice %[[FLIP2]][1, 0, 0, 0] [1, 2, 16, 8] [2, 2, 1, 1]
// FLIP: tensor.extract_slice %[[FLIP2]][1, 1, 0, 0] [1, 1, 16, 8] [2, 2, 1, 1]
// FLIP-NOT: ins(%[[W2]]

// The 1x1 filter gradient (%dw3) is a matmul: dY [32 x N*OH*OW] times the stride-sampled input.
// RUN: kiln-opt %s --pass-pipeline='builtin.module(func.func(kiln-choose-layout,kiln-to-linalg))' | FileCheck %s --check-prefix=POINTWISE
// POINTWISE: tensor.extract_slice %{{.*}}[0, 0, 0, 0] [2, 16, 4, 4] [1, 1, 2, 2]
// POINTWISE: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<32x32xf32>, tensor<32x16xf32>)
// POINTWISE: tensor.expand_shape {{.*}} into tensor<32x16x1x1xf32>

func.func @forward(
    %dy1: tensor<2x16x8x8xf32> {kiln.buffer = "dy1", kiln.role = "input"},
    %w1: tensor<16x8x3x3xf32> {kiln.buffer = "w1", kiln.role = "input"},
    %x1: tensor<2x8x8x8xf32> {kiln.buffer = "x1", kiln.role = "input"},
    %dy2: tensor<2x16x4x4xf32> {kiln.buffer = "dy2", kiln.role = "input"},
    %w2: tensor<16x8x3x3xf32> {kiln.buffer = "w2", kiln.role = "input"},
    %x2: tensor<2x8x8x8xf32> {kiln.buffer = "x2", kiln.role = "input"},
    %dy3: tensor<2x32x4x4xf32> {kiln.buffer = "dy3", kiln.role = "input"},
    %w3: tensor<32x16x1x1xf32> {kiln.buffer = "w3", kiln.role = "input"},
    %x3: tensor<2x16x8x8xf32> {kiln.buffer = "x3", kiln.role = "input"},
    %dy4: tensor<2x8x8x6xf32> {kiln.buffer = "dy4", kiln.role = "input"},
    %w4: tensor<8x16x3x3xf32> {kiln.buffer = "w4", kiln.role = "input"},
    %x4: tensor<2x16x9x10xf32> {kiln.buffer = "x4", kiln.role = "input"},
    %dy5: tensor<2x8x5x5xf32> {kiln.buffer = "dy5", kiln.role = "input"},
    %w5: tensor<8x8x3x3xf32> {kiln.buffer = "w5", kiln.role = "input"},
    %x5: tensor<2x8x9x9xf32> {kiln.buffer = "x5", kiln.role = "input"})
    -> (tensor<2x8x8x8xf32> {kiln.buffer = "dx1", kiln.role = "output"},
        tensor<16x8x3x3xf32> {kiln.buffer = "dw1", kiln.role = "output"},
        tensor<2x8x8x8xf32> {kiln.buffer = "dx2", kiln.role = "output"},
        tensor<16x8x3x3xf32> {kiln.buffer = "dw2", kiln.role = "output"},
        tensor<2x16x8x8xf32> {kiln.buffer = "dx3", kiln.role = "output"},
        tensor<32x16x1x1xf32> {kiln.buffer = "dw3", kiln.role = "output"},
        tensor<2x16x9x10xf32> {kiln.buffer = "dx4", kiln.role = "output"},
        tensor<8x16x3x3xf32> {kiln.buffer = "dw4", kiln.role = "output"},
        tensor<2x8x9x9xf32> {kiln.buffer = "dx5", kiln.role = "output"},
        tensor<8x8x3x3xf32> {kiln.buffer = "dw5", kiln.role = "output"}) {
  // 3x3, stride 1, pad 1 (ResNet's body).
  %dx1 = kiln.conv2d_backward_data %dy1, %w1 {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>} : (tensor<2x16x8x8xf32>, tensor<16x8x3x3xf32>) -> tensor<2x8x8x8xf32>
  %dw1 = kiln.conv2d_backward_filter %x1, %dy1 {strides = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>} : (tensor<2x8x8x8xf32>, tensor<2x16x8x8xf32>) -> tensor<16x8x3x3xf32>
  // 3x3, stride 2, pad 1 (downsampling).
  %dx2 = kiln.conv2d_backward_data %dy2, %w2 {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>} : (tensor<2x16x4x4xf32>, tensor<16x8x3x3xf32>) -> tensor<2x8x8x8xf32>
  %dw2 = kiln.conv2d_backward_filter %x2, %dy2 {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>} : (tensor<2x8x8x8xf32>, tensor<2x16x4x4xf32>) -> tensor<16x8x3x3xf32>
  // 1x1, stride 2, no pad (projection shortcut): the last row and column are never read.
  %dx3 = kiln.conv2d_backward_data %dy3, %w3 {strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<2x32x4x4xf32>, tensor<32x16x1x1xf32>) -> tensor<2x16x8x8xf32>
  %dw3 = kiln.conv2d_backward_filter %x3, %dy3 {strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<2x16x8x8xf32>, tensor<2x32x4x4xf32>) -> tensor<32x16x1x1xf32>
  // Asymmetric pads, stride 1 x 2 and odd sizes.
  %dx4 = kiln.conv2d_backward_data %dy4, %w4 {strides = array<i64: 1, 2>, pads = array<i64: 0, 1, 1, 2>, dilations = array<i64: 1, 1>} : (tensor<2x8x8x6xf32>, tensor<8x16x3x3xf32>) -> tensor<2x16x9x10xf32>
  %dw4 = kiln.conv2d_backward_filter %x4, %dy4 {strides = array<i64: 1, 2>, pads = array<i64: 0, 1, 1, 2>, dilations = array<i64: 1, 1>} : (tensor<2x16x9x10xf32>, tensor<2x8x8x6xf32>) -> tensor<8x16x3x3xf32>
  // Dilation 2.
  %dx5 = kiln.conv2d_backward_data %dy5, %w5 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 2, 2>} : (tensor<2x8x5x5xf32>, tensor<8x8x3x3xf32>) -> tensor<2x8x9x9xf32>
  %dw5 = kiln.conv2d_backward_filter %x5, %dy5 {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 2, 2>} : (tensor<2x8x9x9xf32>, tensor<2x8x5x5xf32>) -> tensor<8x8x3x3xf32>
  return %dx1, %dw1, %dx2, %dw2, %dx3, %dw3, %dx4, %dw4, %dx5, %dw5 : tensor<2x8x8x8xf32>, tensor<16x8x3x3xf32>, tensor<2x8x8x8xf32>, tensor<16x8x3x3xf32>, tensor<2x16x8x8xf32>, tensor<32x16x1x1xf32>, tensor<2x16x9x10xf32>, tensor<8x16x3x3xf32>, tensor<2x8x9x9xf32>, tensor<8x8x3x3xf32>
}
