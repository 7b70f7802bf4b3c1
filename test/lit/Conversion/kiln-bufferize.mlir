// Results become caller-provided buffers with identity layouts, an elementwise chain (one
// fused op, vectorized row by row) writes straight into the result, and temporaries of other shapes live in the
// arena kiln-plan-memory adds as the last argument (nothing is allocated or freed inside
// the function).
// RUN: kiln-opt %s --kiln-lower-to-linalg --kiln-bufferize | FileCheck %s

// CHECK: kiln.memory_plan = {forward = {arena_bytes = 128 : i64, buffer_bytes = 80 : i64, buffers = 1 : i64, heap_buffers = 0 : i64}}
// CHECK-LABEL: func @forward
// CHECK-SAME: (%[[X:.*]]: memref<2x3xf32>, %[[OUT:.*]]: memref<4x5xf32>, %[[ARENA:.*]]: memref<128xi8>)
// CHECK-NOT: memref.alloc
// CHECK: %[[TMP:.*]] = memref.view %[[ARENA]][%{{.*}}][] : memref<128xi8> to memref<4x5xf32>
// CHECK: scf.for
// CHECK: vector.load %[[TMP]]
// CHECK: math.exp
// CHECK: arith.maximumf
// CHECK: vector.store %{{.*}}, %[[OUT]]
// CHECK-NOT: linalg.generic
// CHECK-NOT: memref.copy
// CHECK-NOT: memref.dealloc
// CHECK: return{{$}}
func.func @forward(%x: tensor<2x3xf32>) -> tensor<4x5xf32> {
  %0 = kiln.pad %x {pads = array<i64: 1, 1, 1, 1>} : (tensor<2x3xf32>) -> tensor<4x5xf32>
  %1 = kiln.exp %0 : tensor<4x5xf32>
  %2 = kiln.relu %1 : tensor<4x5xf32>
  return %2 : tensor<4x5xf32>
}
