// kiln-prefetch-epilogue: the rows a register tile's epilogue reads after its reduction loop
// (a residual added to the accumulators) are prefetched before that loop, one cache line
// (16 floats) at a time: by default those of the next tile (the tile loop's induction
// variable plus its step; the index arithmetic is cloned), with tiles-ahead=0 the tile's own.
// RUN: kiln-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(kiln-prefetch-epilogue))' | FileCheck %s
// RUN: kiln-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(kiln-prefetch-epilogue{tiles-ahead=0}))' | FileCheck %s --check-prefix=OWN

#second_row = affine_map<(d0) -> (d0 + 1)>
// CHECK-DAG: #[[SECOND:.*]] = affine_map<(d0) -> (d0 + 1)>
// CHECK-LABEL: func @residual_tile
// CHECK-SAME: (%{{.*}}: memref<4x64xf32>, %{{.*}}: memref<64x32xf32>, %[[RES:[^:]*]]: memref<4x32xf32>
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK: scf.for %[[ROW:.*]] = %[[C0]] to %{{.*}} step %{{.*}} {
// CHECK: %[[STEP:.*]] = arith.constant 2 : index
// CHECK: %[[NEXT:.*]] = arith.addi %[[ROW]], %[[STEP]] : index
// CHECK: memref.prefetch %[[RES]][%[[NEXT]], %[[C0]]], read, locality<3>, data
// CHECK: %[[C16:.*]] = arith.constant 16 : index
// CHECK: memref.prefetch %[[RES]][%[[NEXT]], %[[C16]]], read, locality<3>, data
// CHECK: %[[NEXT2:.*]] = arith.addi %[[ROW]], %{{.*}} : index
// CHECK: %[[NEXT_SECOND:.*]] = affine.apply #[[SECOND]](%[[NEXT2]])
// CHECK: memref.prefetch %[[RES]][%[[NEXT_SECOND]], %[[C0]]]
// CHECK: memref.prefetch %[[RES]][%[[NEXT_SECOND]], %{{.*}}]
// CHECK-NOT: memref.prefetch
// CHECK: scf.for {{.*}} iter_args
// CHECK-NOT: memref.prefetch
// CHECK: return
// OWN-LABEL: func @residual_tile
// OWN: scf.for %[[ROW:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// OWN-NEXT: memref.prefetch %{{.*}}[%[[ROW]], %{{.*}}]
// OWN: memref.prefetch %{{.*}}[%[[ROW]], %{{.*}}]
// OWN: %[[SECOND_ROW:.*]] = affine.apply #{{.*}}(%[[ROW]])
// OWN-NEXT: memref.prefetch %{{.*}}[%[[SECOND_ROW]], %{{.*}}]
// OWN: memref.prefetch %{{.*}}[%[[SECOND_ROW]], %{{.*}}]
// OWN-NOT: memref.prefetch
// OWN: scf.for {{.*}} iter_args
func.func @residual_tile(%input: memref<4x64xf32>, %filter: memref<64x32xf32>,
                         %residual: memref<4x32xf32>, %out: memref<4x32xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c4 = arith.constant 4 : index
  %c64 = arith.constant 64 : index
  %zero = arith.constant dense<0.0> : vector<32xf32>
  scf.for %row = %c0 to %c4 step %c2 {
    %acc = scf.for %k = %c0 to %c64 step %c1 iter_args(%a = %zero) -> (vector<32xf32>) {
      %x = memref.load %input[%row, %k] : memref<4x64xf32>
      %xv = vector.broadcast %x : f32 to vector<32xf32>
      %w = vector.load %filter[%k, %c0] : memref<64x32xf32>, vector<32xf32>
      %f = vector.fma %xv, %w, %a : vector<32xf32>
      scf.yield %f : vector<32xf32>
    }
    %r0 = vector.load %residual[%row, %c0] : memref<4x32xf32>, vector<32xf32>
    %row1 = affine.apply #second_row(%row)
    %r1 = vector.load %residual[%row1, %c0] : memref<4x32xf32>, vector<32xf32>
    %s = arith.addf %acc, %r0 : vector<32xf32>
    %t = arith.addf %s, %r1 : vector<32xf32>
    vector.store %t, %out[%row, %c0] : memref<4x32xf32>, vector<32xf32>
  }
  return
}

// -----

// What the reduction loop reads itself and rows whose index comes from memory (not pure)
// get no prefetch.
// CHECK-LABEL: func @left_alone
// CHECK-NOT: memref.prefetch
// CHECK: return
// OWN-LABEL: func @left_alone
// OWN-NOT: memref.prefetch
// OWN: return
func.func @left_alone(%input: memref<4x64xf32>, %filter: memref<64x32xf32>,
                      %rows: memref<4xindex>, %out: memref<4x32xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c4 = arith.constant 4 : index
  %c64 = arith.constant 64 : index
  %zero = arith.constant dense<0.0> : vector<32xf32>
  scf.for %row = %c0 to %c4 step %c2 {
    %acc = scf.for %k = %c0 to %c64 step %c1 iter_args(%a = %zero) -> (vector<32xf32>) {
      %x = memref.load %input[%row, %k] : memref<4x64xf32>
      %xv = vector.broadcast %x : f32 to vector<32xf32>
      %w = vector.load %filter[%k, %c0] : memref<64x32xf32>, vector<32xf32>
      %f = vector.fma %xv, %w, %a : vector<32xf32>
      scf.yield %f : vector<32xf32>
    }
    %again = vector.load %filter[%row, %c0] : memref<64x32xf32>, vector<32xf32>
    %gathered = memref.load %rows[%row] : memref<4xindex>
    %g = vector.load %out[%gathered, %c0] : memref<4x32xf32>, vector<32xf32>
    %t0 = arith.addf %acc, %again : vector<32xf32>
    %t1 = arith.addf %t0, %g : vector<32xf32>
    vector.store %t1, %out[%row, %c0] : memref<4x32xf32>, vector<32xf32>
  }
  return
}

// -----

// A view of the tile's rows taken after the reduction loop is taken again before it, for
// the prefetched tile (a use of the view itself there would not be dominated by it).
// CHECK-LABEL: func @view_after_loop
// CHECK-SAME: %[[RES:[^:]*]]: memref<4x32xf32>
// CHECK: scf.for %[[ROW:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK: %[[NEXT:.*]] = arith.addi %[[ROW]], %{{.*}} : index
// CHECK: %[[VIEW:.*]] = memref.subview %[[RES]][%[[NEXT]], 0] [2, 32] [1, 1]
// CHECK: memref.prefetch %[[VIEW]][%{{.*}}, %{{.*}}]
// CHECK: scf.for {{.*}} iter_args
// CHECK: memref.subview %[[RES]][%[[ROW]], 0] [2, 32] [1, 1]
// OWN-LABEL: func @view_after_loop
// OWN: scf.for %[[ROW:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// OWN-NEXT: %[[VIEW:.*]] = memref.subview %{{.*}}[%[[ROW]], 0] [2, 32] [1, 1]
// OWN-NEXT: memref.prefetch %[[VIEW]]
func.func @view_after_loop(%input: memref<4x64xf32>, %filter: memref<64x32xf32>,
                           %residual: memref<4x32xf32>, %out: memref<4x32xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c4 = arith.constant 4 : index
  %c64 = arith.constant 64 : index
  %zero = arith.constant dense<0.0> : vector<32xf32>
  scf.for %row = %c0 to %c4 step %c2 {
    %acc = scf.for %k = %c0 to %c64 step %c1 iter_args(%a = %zero) -> (vector<32xf32>) {
      %x = memref.load %input[%row, %k] : memref<4x64xf32>
      %xv = vector.broadcast %x : f32 to vector<32xf32>
      %w = vector.load %filter[%k, %c0] : memref<64x32xf32>, vector<32xf32>
      %f = vector.fma %xv, %w, %a : vector<32xf32>
      scf.yield %f : vector<32xf32>
    }
    %view = memref.subview %residual[%row, 0] [2, 32] [1, 1]
        : memref<4x32xf32> to memref<2x32xf32, strided<[32, 1], offset: ?>>
    %r = vector.load %view[%c0, %c0] : memref<2x32xf32, strided<[32, 1], offset: ?>>, vector<32xf32>
    %s = arith.addf %acc, %r : vector<32xf32>
    vector.store %s, %out[%row, %c0] : memref<4x32xf32>, vector<32xf32>
  }
  return
}
