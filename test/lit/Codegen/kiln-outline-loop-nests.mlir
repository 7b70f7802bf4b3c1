// kiln-outline-loop-nests moves each top-level loop nest into a never-inlined function;
// identical nests share one function.
// RUN: kiln-opt %s --kiln-outline-loop-nests | FileCheck %s
// RUN: kiln-opt %s --kiln-outline-loop-nests | FileCheck %s --check-prefix=PLANNED
// RUN: kiln-opt %s --kiln-outline-loop-nests | FileCheck %s --check-prefix=VECTOR

// CHECK-LABEL: func @step
// CHECK-SAME: (%[[A:.*]]: memref<4x8xf32>, %[[B:.*]]: memref<4x8xf32>, %[[C:.*]]: memref<4x8xf32>, %[[S:.*]]: f32)
// CHECK: call @step_nest0(%[[A]], %[[B]])
// CHECK: call @step_nest0(%[[B]], %[[C]])
// CHECK: call @step_nest2(%[[S]], %[[C]])
// CHECK: memref.copy
// CHECK: return

// Two nests over different buffers of the same shapes are one function.
// CHECK: func private @step_nest0(%{{.*}}: memref<4x8xf32>, %{{.*}}: memref<4x8xf32>) attributes {passthrough = ["noinline"]}
// CHECK: linalg.generic
// CHECK-NOT: func private @step_nest1

// Constants and the strided view are rebuilt inside (a strided memref is no bare pointer), so
// the loop keeps its static bounds; the scalar is an argument.
// CHECK: func private @step_nest2(%[[V:.*]]: f32, %[[M:.*]]: memref<4x8xf32>) attributes {passthrough = ["noinline"]}
// CHECK-DAG: arith.constant 4 : index
// CHECK-DAG: memref.subview %[[M]][0, 2] [4, 4] [1, 1]
// CHECK: scf.for
// CHECK: memref.store %[[V]]
func.func @step(%a: memref<4x8xf32>, %b: memref<4x8xf32>, %c: memref<4x8xf32>, %s: f32) {
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]} ins(%a : memref<4x8xf32>) outs(%b : memref<4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %e = math.exp %in : f32
    linalg.yield %e : f32
  }
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]} ins(%b : memref<4x8xf32>) outs(%c : memref<4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %e = math.exp %in : f32
    linalg.yield %e : f32
  }
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %view = memref.subview %c[0, 2] [4, 4] [1, 1] : memref<4x8xf32> to memref<4x4xf32, strided<[8, 1], offset: 2>>
  scf.for %i = %c0 to %c4 step %c1 {
    memref.store %s, %view[%i, %i] : memref<4x4xf32, strided<[8, 1], offset: 2>>
  }
  // Not a loop nest: stays.
  memref.copy %a, %b : memref<4x8xf32> to memref<4x8xf32>
  return
}

// Planned temporaries are views of the workspace at constant offsets. The views are passed,
// not rebuilt inside, so that the nests of repeated blocks, which differ only in offsets,
// share one function.
// PLANNED-LABEL: func @planned
// PLANNED: %[[X:.*]] = memref.view %{{.*}}[%{{.*}}][] : memref<1024xi8> to memref<4x8xf32>
// PLANNED: %[[Y:.*]] = memref.view %{{.*}}[%{{.*}}][] : memref<1024xi8> to memref<4x8xf32>
// PLANNED: %[[Z:.*]] = memref.view %{{.*}}[%{{.*}}][] : memref<1024xi8> to memref<4x8xf32>
// PLANNED: call @planned_nest0(%[[X]], %[[Y]])
// PLANNED: call @planned_nest0(%[[Y]], %[[Z]])
// PLANNED: func private @planned_nest0(%{{.*}}: memref<4x8xf32>, %{{.*}}: memref<4x8xf32>)
// PLANNED-NOT: func private @planned_nest1
func.func @planned(%workspace: memref<1024xi8>) {
  %c0 = arith.constant 0 : index
  %c128 = arith.constant 128 : index
  %c256 = arith.constant 256 : index
  %x = memref.view %workspace[%c0][] : memref<1024xi8> to memref<4x8xf32>
  %y = memref.view %workspace[%c128][] : memref<1024xi8> to memref<4x8xf32>
  %z = memref.view %workspace[%c256][] : memref<1024xi8> to memref<4x8xf32>
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]} ins(%x : memref<4x8xf32>) outs(%y : memref<4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %e = math.tanh %in : f32
    linalg.yield %e : f32
  }
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]} ins(%y : memref<4x8xf32>) outs(%z : memref<4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %e = math.tanh %in : f32
    linalg.yield %e : f32
  }
  return
}

// A vector computed before a nest (a bias that a fused tile stores) is passed to it.
// VECTOR-LABEL: func @vector_operand
// VECTOR: %[[BIAS:.*]] = vector.load
// VECTOR: call @vector_operand_nest0(%[[BIAS]], %{{.*}})
// VECTOR: func private @vector_operand_nest0(%{{.*}}: vector<8xf32>, %{{.*}}: memref<4x8xf32>)
func.func @vector_operand(%b: memref<8xf32>, %out: memref<4x8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %bias = vector.load %b[%c0] : memref<8xf32>, vector<8xf32>
  scf.for %i = %c0 to %c4 step %c1 {
    vector.store %bias, %out[%i, %c0] : memref<4x8xf32>, vector<8xf32>
  }
  return
}
