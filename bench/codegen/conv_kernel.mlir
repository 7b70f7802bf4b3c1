// The ResNet-50 layer1 3x3 convolution (N=8, 64->64, 56x56, pad 1, stride 1) in the layout the
// fast path wants: NHWC input already padded (8x58x58x64), HWCF filter, NHWC result. Kiln's
// NCHW form with the layout changes made explicit is @conv_nchw below.
func.func @conv_nhwc(%x: memref<8x58x58x64xf32>, %w: memref<3x3x64x64xf32>,
                     %y: memref<8x56x56x64xf32>) {
  %tx = bufferization.to_tensor %x restrict : memref<8x58x58x64xf32>
  %tw = bufferization.to_tensor %w restrict : memref<3x3x64x64xf32>
  %ty = bufferization.to_tensor %y restrict writable : memref<8x56x56x64xf32>
  %cst = arith.constant 0.000000e+00 : f32
  %0 = linalg.fill ins(%cst : f32) outs(%ty : tensor<8x56x56x64xf32>) -> tensor<8x56x56x64xf32>
  %1 = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>,
                                 strides = dense<1> : tensor<2xi64>}
      ins(%tx, %tw : tensor<8x58x58x64xf32>, tensor<3x3x64x64xf32>)
      outs(%0 : tensor<8x56x56x64xf32>) -> tensor<8x56x56x64xf32>
  bufferization.materialize_in_destination %1 in restrict writable %y
      : (tensor<8x56x56x64xf32>, memref<8x56x56x64xf32>) -> ()
  return
}
