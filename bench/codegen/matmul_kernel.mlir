// The 1024^3 matmul as kiln's --kiln-lower-to-linalg emits it (fill + linalg.matmul on
// tensors), wrapped in a buffer-in/buffer-out entry point so that a C driver can call it with
// bare pointers: C = A * B.
func.func @matmul(%a: memref<1024x1024xf32>, %b: memref<1024x1024xf32>,
                  %c: memref<1024x1024xf32>) {
  %ta = bufferization.to_tensor %a restrict : memref<1024x1024xf32>
  %tb = bufferization.to_tensor %b restrict : memref<1024x1024xf32>
  // kiln emits tensor.empty here; the destination buffer as init lets one-shot-bufferize
  // compute in place in %c instead of allocating and copying.
  %0 = bufferization.to_tensor %c restrict writable : memref<1024x1024xf32>
  %cst = arith.constant 0.000000e+00 : f32
  %1 = linalg.fill ins(%cst : f32) outs(%0 : tensor<1024x1024xf32>) -> tensor<1024x1024xf32>
  %2 = linalg.matmul ins(%ta, %tb : tensor<1024x1024xf32>, tensor<1024x1024xf32>)
                     outs(%1 : tensor<1024x1024xf32>) -> tensor<1024x1024xf32>
  bufferization.materialize_in_destination %2 in restrict writable %c
      : (tensor<1024x1024xf32>, memref<1024x1024xf32>) -> ()
  return
}
