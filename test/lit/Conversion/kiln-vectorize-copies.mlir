// kiln-vectorize-copies: a buffer copy whose rows are contiguous in both buffers moves each
// row in whole vectors (up to 32 floats at a time); a row no 8-float vector divides, or one
// strided in either buffer, or of i1 (a byte per element in a buffer, a bit in a vector), is
// left to convert-linalg-to-loops.
// RUN: kiln-opt %s --kiln-vectorize-copies | FileCheck %s

// A padded buffer's interior, rows of 16 floats: one vector<16xf32> per row.
// CHECK-LABEL: func @interior
// CHECK-SAME: (%[[PADDED:[^:]*]]: memref<2x6x6x16xf32>, %[[OUT:[^:]*]]: memref<2x4x4x16xf32>)
// CHECK: %[[VIEW:.*]] = memref.subview %[[PADDED]][0, 1, 1, 0] [2, 4, 4, 16] [1, 1, 1, 1]
// CHECK-DAG: %[[C16:.*]] = arith.constant 16 : index
// CHECK: scf.for %[[N:.*]] =
// CHECK: scf.for %[[H:.*]] =
// CHECK: scf.for %[[W:.*]] =
// CHECK: scf.for %[[C:.*]] = %{{.*}} to %{{.*}} step %[[C16]]
// CHECK: %[[ROW:.*]] = vector.load %[[VIEW]][%[[N]], %[[H]], %[[W]], %[[C]]] : {{.*}}, vector<16xf32>
// CHECK: vector.store %[[ROW]], %[[OUT]][%[[N]], %[[H]], %[[W]], %[[C]]] : memref<2x4x4x16xf32>, vector<16xf32>
// CHECK-NOT: linalg.copy
func.func @interior(%padded: memref<2x6x6x16xf32>, %out: memref<2x4x4x16xf32>) {
  %view = memref.subview %padded[0, 1, 1, 0] [2, 4, 4, 16] [1, 1, 1, 1]
      : memref<2x6x6x16xf32> to memref<2x4x4x16xf32, strided<[576, 96, 16, 1], offset: 112>>
  linalg.copy ins(%view : memref<2x4x4x16xf32, strided<[576, 96, 16, 1], offset: 112>>)
              outs(%out : memref<2x4x4x16xf32>)
  return
}

// Rows of 96 floats: three vectors of 32.
// CHECK-LABEL: func @wide_rows
// CHECK-DAG: %[[C96:.*]] = arith.constant 96 : index
// CHECK-DAG: %[[C32:.*]] = arith.constant 32 : index
// CHECK: scf.for %{{.*}} = %{{.*}} to %[[C96]] step %[[C32]]
// CHECK: vector.load {{.*}} vector<32xf32>
// CHECK: vector.store {{.*}} vector<32xf32>
func.func @wide_rows(%in: memref<3x96xf32>, %out: memref<3x96xf32>) {
  linalg.copy ins(%in : memref<3x96xf32>) outs(%out : memref<3x96xf32>)
  return
}

// CHECK-LABEL: func @left_alone
// CHECK-NOT: vector.
// CHECK: linalg.copy ins(%{{.*}} : memref<4x12xf32>)
// CHECK-NOT: vector.
// CHECK: linalg.copy ins(%{{.*}} : memref<4x16xf32, strided<[64, 2]>>)
// CHECK-NOT: vector.
// CHECK: linalg.copy ins(%{{.*}} : memref<4x256xi1>)
func.func @left_alone(%narrow: memref<4x12xf32>, %narrow_out: memref<4x12xf32>,
                      %strided: memref<4x16xf32, strided<[64, 2]>>, %out: memref<4x16xf32>,
                      %mask: memref<4x256xi1>, %mask_out: memref<4x256xi1>) {
  linalg.copy ins(%narrow : memref<4x12xf32>) outs(%narrow_out : memref<4x12xf32>)
  linalg.copy ins(%strided : memref<4x16xf32, strided<[64, 2]>>) outs(%out : memref<4x16xf32>)
  linalg.copy ins(%mask : memref<4x256xi1>) outs(%mask_out : memref<4x256xi1>)
  return
}
