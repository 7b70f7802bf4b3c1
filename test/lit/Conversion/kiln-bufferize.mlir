// Results become caller-provided buffers with identity layouts, elementwise chains run in
// place, and temporaries of other shapes are freed before returning.
// RUN: kiln-opt %s --kiln-lower-to-linalg --kiln-bufferize | FileCheck %s

// CHECK-LABEL: func @forward
// CHECK-SAME: (%[[X:.*]]: memref<2x3xf32>, %[[OUT:.*]]: memref<4x5xf32>)
// CHECK: %[[TMP:.*]] = memref.alloc() {{.*}} : memref<4x5xf32>
// CHECK: linalg.generic {{.*}} ins(%[[TMP]] : memref<4x5xf32>) outs(%[[OUT]] : memref<4x5xf32>)
// CHECK: math.exp
// CHECK: linalg.generic {{.*}} ins(%[[OUT]] : memref<4x5xf32>) outs(%[[OUT]] : memref<4x5xf32>)
// CHECK: memref.dealloc %[[TMP]]
// CHECK-NEXT: return{{$}}
func.func @forward(%x: tensor<2x3xf32>) -> tensor<4x5xf32> {
  %0 = kiln.pad %x {pads = array<i64: 1, 1, 1, 1>} : (tensor<2x3xf32>) -> tensor<4x5xf32>
  %1 = kiln.exp %0 : tensor<4x5xf32>
  %2 = kiln.relu %1 : tensor<4x5xf32>
  return %2 : tensor<4x5xf32>
}
