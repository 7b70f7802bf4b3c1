// The layout changes that put kiln's NCHW convolution on the NHWC fast path, as a layout
// pass would insert them around one convolution: NCHW input -> padded NHWC, NHWC result ->
// NCHW. (The FCHW -> HWCF filter transpose is done once, at compile time for inference or
// once per step for training, and is not timed.) Lowered with kiln's plain-loop path.
func.func @nchw_to_nhwc_padded(%x: memref<8x64x56x56xf32>, %xp: memref<8x58x58x64xf32>) {
  %tx = bufferization.to_tensor %x restrict : memref<8x64x56x56xf32>
  %init = tensor.empty() : tensor<8x56x56x64xf32>
  %t = linalg.transpose ins(%tx : tensor<8x64x56x56xf32>)
                        outs(%init : tensor<8x56x56x64xf32>) permutation = [0, 2, 3, 1]
  %zero = arith.constant 0.000000e+00 : f32
  %p = tensor.pad %t low[0, 1, 1, 0] high[0, 1, 1, 0] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<8x56x56x64xf32> to tensor<8x58x58x64xf32>
  bufferization.materialize_in_destination %p in restrict writable %xp
      : (tensor<8x58x58x64xf32>, memref<8x58x58x64xf32>) -> ()
  return
}

func.func @nhwc_to_nchw(%y: memref<8x56x56x64xf32>, %out: memref<8x64x56x56xf32>) {
  %ty = bufferization.to_tensor %y restrict : memref<8x56x56x64xf32>
  %to = bufferization.to_tensor %out restrict writable : memref<8x64x56x56xf32>
  %t = linalg.transpose ins(%ty : tensor<8x56x56x64xf32>)
                        outs(%to : tensor<8x64x56x56xf32>) permutation = [0, 3, 1, 2]
  bufferization.materialize_in_destination %t in restrict writable %out
      : (tensor<8x64x56x56xf32>, memref<8x64x56x56xf32>) -> ()
  return
}
