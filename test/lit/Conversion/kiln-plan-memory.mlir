// kiln-plan-memory: static temporaries become views of one arena argument, at 64-byte aligned
// offsets; buffers whose live ranges overlap get disjoint bytes, the others may share.
// RUN: kiln-opt %s -split-input-file --kiln-plan-memory | FileCheck %s
// RUN: kiln-opt %s -split-input-file --kiln-plan-memory --kiln-plan-memory | FileCheck %s --check-prefix=TWICE

// A chain a -> b -> c: a and b live together, then b and c; a is dead when c is made, so c
// reuses a's bytes. Three 64-byte buffers, 128 bytes of arena.
// CHECK: kiln.memory_plan = {chain = {arena_bytes = 128 : i64, buffer_bytes = 192 : i64, buffers = 3 : i64, heap_buffers = 0 : i64}}
// CHECK-LABEL: func @chain
// CHECK-SAME: (%{{.*}}: memref<16xf32>, %{{.*}}: memref<16xf32>, %[[ARENA:.*]]: memref<128xi8>)
// CHECK-NOT: memref.alloc
// CHECK: %[[A_OFF:.*]] = arith.constant 0 : index
// CHECK: %[[A:.*]] = memref.view %[[ARENA]][%[[A_OFF]]][] : memref<128xi8> to memref<16xf32>
// CHECK: %[[B_OFF:.*]] = arith.constant 64 : index
// CHECK: %[[B:.*]] = memref.view %[[ARENA]][%[[B_OFF]]][] : memref<128xi8> to memref<16xf32>
// CHECK: linalg.copy ins(%[[A]] : memref<16xf32>) outs(%[[B]] : memref<16xf32>)
// CHECK: %[[C_OFF:.*]] = arith.constant 0 : index
// CHECK: %[[C:.*]] = memref.view %[[ARENA]][%[[C_OFF]]][] : memref<128xi8> to memref<16xf32>
// CHECK: linalg.copy ins(%[[B]] : memref<16xf32>) outs(%[[C]] : memref<16xf32>)
// Planned once: a second run leaves the function and its arena as they are.
// TWICE-LABEL: func @chain
// TWICE-SAME: (%{{[^:]*}}: memref<16xf32>, %{{[^:]*}}: memref<16xf32>, %{{[^:]*}}: memref<128xi8>) {
func.func @chain(%x: memref<16xf32>, %out: memref<16xf32>) {
  %a = memref.alloc() {alignment = 64 : i64} : memref<16xf32>
  linalg.copy ins(%x : memref<16xf32>) outs(%a : memref<16xf32>)
  %b = memref.alloc() {alignment = 64 : i64} : memref<16xf32>
  linalg.copy ins(%a : memref<16xf32>) outs(%b : memref<16xf32>)
  %c = memref.alloc() {alignment = 64 : i64} : memref<16xf32>
  linalg.copy ins(%b : memref<16xf32>) outs(%c : memref<16xf32>)
  linalg.copy ins(%c : memref<16xf32>) outs(%out : memref<16xf32>)
  return
}

// -----

// Two buffers read by the same last op are live together: disjoint ranges, even though
// both are written before either is read.
// CHECK: kiln.memory_plan = {overlapping = {arena_bytes = 512 : i64, buffer_bytes = 512 : i64, buffers = 2 : i64, heap_buffers = 0 : i64}}
// CHECK-LABEL: func @overlapping
// CHECK-DAG: %[[OFF0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[OFF256:.*]] = arith.constant 256 : index
// CHECK-DAG: memref.view %{{.*}}[%[[OFF0]]][] : memref<512xi8> to memref<64xf32>
// CHECK-DAG: memref.view %{{.*}}[%[[OFF256]]][] : memref<512xi8> to memref<64xf32>
func.func @overlapping(%x: memref<64xf32>, %out: memref<64xf32>) {
  %a = memref.alloc() : memref<64xf32>
  linalg.copy ins(%x : memref<64xf32>) outs(%a : memref<64xf32>)
  %b = memref.alloc() : memref<64xf32>
  linalg.copy ins(%x : memref<64xf32>) outs(%b : memref<64xf32>)
  linalg.add ins(%a, %b : memref<64xf32>, memref<64xf32>) outs(%out : memref<64xf32>)
  return
}

// -----

// A view keeps its source alive: %a is last used directly by the first copy, but its subview
// %s is read after %b is written, so %b must not reuse %a's bytes.
// CHECK: kiln.memory_plan = {alias = {arena_bytes = 128 : i64, buffer_bytes = 128 : i64, buffers = 2 : i64, heap_buffers = 0 : i64}}
// CHECK-LABEL: func @alias
// CHECK: %[[A:.*]] = memref.view %{{.*}}[%{{.*}}][] : memref<128xi8> to memref<4x4xf32>
// CHECK: %[[S:.*]] = memref.subview %[[A]]
// CHECK: %[[B_OFF:.*]] = arith.constant 64 : index
// CHECK: memref.view %{{.*}}[%[[B_OFF]]][] : memref<128xi8> to memref<4x4xf32>
func.func @alias(%x: memref<4x4xf32>, %out: memref<2x4xf32>) {
  %a = memref.alloc() : memref<4x4xf32>
  linalg.copy ins(%x : memref<4x4xf32>) outs(%a : memref<4x4xf32>)
  %s = memref.subview %a[0, 0] [2, 4] [1, 1] : memref<4x4xf32> to memref<2x4xf32, strided<[4, 1]>>
  %b = memref.alloc() : memref<4x4xf32>
  linalg.copy ins(%x : memref<4x4xf32>) outs(%b : memref<4x4xf32>)
  %t = memref.subview %b[2, 0] [2, 4] [1, 1] : memref<4x4xf32> to memref<2x4xf32, strided<[4, 1], offset: 8>>
  linalg.add ins(%s, %t : memref<2x4xf32, strided<[4, 1]>>, memref<2x4xf32, strided<[4, 1], offset: 8>>) outs(%out : memref<2x4xf32>)
  return
}

// -----

// A reshape of a buffer used inside a loop: the live range covers the whole loop.
// CHECK: kiln.memory_plan = {loop_use = {arena_bytes = 128 : i64, buffer_bytes = 128 : i64, buffers = 2 : i64, heap_buffers = 0 : i64}}
// CHECK-LABEL: func @loop_use
func.func @loop_use(%x: memref<16xf32>, %out: memref<16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %a = memref.alloc() : memref<16xf32>
  linalg.copy ins(%x : memref<16xf32>) outs(%a : memref<16xf32>)
  %b = memref.alloc() : memref<16xf32>
  linalg.copy ins(%x : memref<16xf32>) outs(%b : memref<16xf32>)
  %r = memref.expand_shape %a [[0, 1]] output_shape [4, 4] : memref<16xf32> into memref<4x4xf32>
  scf.for %i = %c0 to %c4 step %c1 {
    %v = memref.load %r[%i, %c0] : memref<4x4xf32>
    memref.store %v, %b[%i] : memref<16xf32>
  }
  linalg.copy ins(%b : memref<16xf32>) outs(%out : memref<16xf32>)
  return
}

// -----

// Sizes round up to 64-byte lines: 12 and 4 bytes live together take a line each. An alloc
// that asks for more alignment than the arena's 64 stays on the heap.
// CHECK: kiln.memory_plan = {alignment = {arena_bytes = 128 : i64, buffer_bytes = 16 : i64, buffers = 2 : i64, heap_buffers = 1 : i64}}
// CHECK-LABEL: func @alignment
// CHECK-DAG: arith.constant 0 : index
// CHECK-DAG: arith.constant 64 : index
// CHECK-DAG: memref.view {{.*}} : memref<128xi8> to memref<3xf32>
// CHECK-DAG: memref.view {{.*}} : memref<128xi8> to memref<i32>
// CHECK-DAG: memref.alloc() {alignment = 128 : i64} : memref<3xf32>
func.func @alignment(%x: memref<3xf32>, %n: memref<i32>, %out: memref<3xf32>) {
  %a = memref.alloc() : memref<3xf32>
  linalg.copy ins(%x : memref<3xf32>) outs(%a : memref<3xf32>)
  %b = memref.alloc() : memref<i32>
  linalg.copy ins(%n : memref<i32>) outs(%b : memref<i32>)
  %wide = memref.alloc() {alignment = 128 : i64} : memref<3xf32>
  linalg.copy ins(%a : memref<3xf32>) outs(%wide : memref<3xf32>)
  %v = memref.load %b[] : memref<i32>
  linalg.copy ins(%wide : memref<3xf32>) outs(%out : memref<3xf32>)
  return
}

// -----

// Largest first: %big (256 bytes) at 0, %mid (128) reuses its bytes once %big is dead,
// %small1 (live with %big) goes above %big, %small2 (live with %mid) right above %mid, in
// bytes %big held: 320 bytes of arena instead of 512.
// CHECK: kiln.memory_plan = {best_fit = {arena_bytes = 320 : i64, buffer_bytes = 512 : i64, buffers = 4 : i64, heap_buffers = 0 : i64}}
// CHECK-LABEL: func @best_fit
// CHECK: memref.view %{{.*}}[%{{.*}}][] : memref<320xi8> to memref<64xf32>
// CHECK: %[[S1_OFF:.*]] = arith.constant 256 : index
// CHECK: memref.view %{{.*}}[%[[S1_OFF]]][] : memref<320xi8> to memref<16xf32>
// CHECK: %[[MID_OFF:.*]] = arith.constant 0 : index
// CHECK: memref.view %{{.*}}[%[[MID_OFF]]][] : memref<320xi8> to memref<32xf32>
// CHECK: %[[S2_OFF:.*]] = arith.constant 128 : index
// CHECK: memref.view %{{.*}}[%[[S2_OFF]]][] : memref<320xi8> to memref<16xf32>
func.func @best_fit(%x: memref<64xf32>, %y: memref<32xf32>, %z: memref<16xf32>,
                    %o1: memref<64xf32>, %o2: memref<32xf32>, %o3: memref<16xf32>) {
  %big = memref.alloc() : memref<64xf32>
  linalg.copy ins(%x : memref<64xf32>) outs(%big : memref<64xf32>)
  %small1 = memref.alloc() : memref<16xf32>
  linalg.copy ins(%z : memref<16xf32>) outs(%small1 : memref<16xf32>)
  linalg.copy ins(%big : memref<64xf32>) outs(%o1 : memref<64xf32>)
  linalg.copy ins(%small1 : memref<16xf32>) outs(%o3 : memref<16xf32>)
  %mid = memref.alloc() : memref<32xf32>
  linalg.copy ins(%y : memref<32xf32>) outs(%mid : memref<32xf32>)
  %small2 = memref.alloc() : memref<16xf32>
  linalg.copy ins(%z : memref<16xf32>) outs(%small2 : memref<16xf32>)
  linalg.copy ins(%mid : memref<32xf32>) outs(%o2 : memref<32xf32>)
  linalg.copy ins(%small2 : memref<16xf32>) outs(%o3 : memref<16xf32>)
  return
}

// -----

// Left to the heap: a dynamic shape, an alloc inside a loop, and a buffer the function
// returns. Nothing is planned, so the function takes no arena.
// CHECK: kiln.memory_plan = {heap_only = {arena_bytes = 0 : i64, buffer_bytes = 0 : i64, buffers = 0 : i64, heap_buffers = 3 : i64}}
// CHECK-LABEL: func @heap_only
// CHECK-SAME: (%{{[^:]*}}: index) -> memref<8xf32>
// CHECK: memref.alloc(%{{.*}}) : memref<?xf32>
// CHECK: scf.for
// CHECK-NEXT: memref.alloc() : memref<4xf32>
// CHECK: %[[RET:.*]] = memref.alloc() : memref<8xf32>
// CHECK: return %[[RET]]
func.func @heap_only(%n: index) -> memref<8xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %f = arith.constant 1.0 : f32
  %dyn = memref.alloc(%n) : memref<?xf32>
  memref.store %f, %dyn[%c0] : memref<?xf32>
  scf.for %i = %c0 to %n step %c1 {
    %inner = memref.alloc() : memref<4xf32>
    memref.store %f, %inner[%c0] : memref<4xf32>
  }
  %ret = memref.alloc() : memref<8xf32>
  memref.store %f, %ret[%c0] : memref<8xf32>
  return %ret : memref<8xf32>
}

// -----

// A task's scratch buffer (an alloc in the body of an scf.forall) goes on the thread's stack:
// an alloca, which lives until the task ends. One larger than 512 KB stays on the heap.
// CHECK: kiln.memory_plan = {task_scratch = {arena_bytes = 0 : i64, buffer_bytes = 0 : i64, buffers = 0 : i64, heap_buffers = 1 : i64}}
// CHECK-LABEL: func @task_scratch
// CHECK: scf.forall
// CHECK-NEXT: memref.alloca() {alignment = 64 : i64} : memref<16x64xf32>
// CHECK-NEXT: memref.alloc() : memref<256x1024xf32>
func.func @task_scratch(%x: memref<4x16x64xf32>) {
  scf.forall (%i) in (4) {
    %scratch = memref.alloc() : memref<16x64xf32>
    %large = memref.alloc() : memref<256x1024xf32>
    %row = memref.subview %x[%i, 0, 0] [1, 16, 64] [1, 1, 1] : memref<4x16x64xf32> to memref<16x64xf32, strided<[64, 1], offset: ?>>
    linalg.copy ins(%row : memref<16x64xf32, strided<[64, 1], offset: ?>>) outs(%scratch : memref<16x64xf32>)
    linalg.copy ins(%scratch : memref<16x64xf32>) outs(%row : memref<16x64xf32, strided<[64, 1], offset: ?>>)
    memref.dealloc %large : memref<256x1024xf32>
  }
  return
}

// -----

// Only entry points are planned: a private function, and a public one that is called, would
// need their callers to pass an arena.
// CHECK: kiln.memory_plan = {caller = {arena_bytes = 0 : i64, buffer_bytes = 0 : i64, buffers = 0 : i64, heap_buffers = 0 : i64}}
// CHECK-LABEL: func private @helper
// CHECK: memref.alloc
// CHECK-LABEL: func @called
// CHECK: memref.alloc
func.func private @helper(%x: memref<4xf32>) {
  %a = memref.alloc() : memref<4xf32>
  linalg.copy ins(%x : memref<4xf32>) outs(%a : memref<4xf32>)
  return
}
func.func @called(%x: memref<4xf32>) {
  %a = memref.alloc() : memref<4xf32>
  linalg.copy ins(%x : memref<4xf32>) outs(%a : memref<4xf32>)
  return
}
func.func @caller(%x: memref<4xf32>) {
  call @helper(%x) : (memref<4xf32>) -> ()
  call @called(%x) : (memref<4xf32>) -> ()
  return
}
