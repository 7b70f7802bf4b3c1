// kiln-hoist-parameter-math moves what `forward` computes from parameters and state alone into
// a `prepare` entry whose results `forward` then takes as prepared buffers.
// RUN: kiln-opt %s -split-input-file -verify-diagnostics --kiln-hoist-parameter-math | FileCheck %s

// The transposed weight scaled by a state vector (a folded batch norm), computed in tasks, moves;
// the bias broadcast over the batch stays (stored, it would be as large as the output), and so
// does the view of a parameter that only `forward` reads.
// CHECK-LABEL: func.func @forward(
// CHECK-SAME: %[[X:[a-z0-9]+]]: tensor<2x4xf32> {kiln.buffer = "x", kiln.role = "input"}
// CHECK-SAME: %[[PREPARED:[a-z0-9]+]]: tensor<4x3xf32> {kiln.buffer = "kiln.prepared.0", kiln.role = "prepared"})
// CHECK-NOT: linalg.transpose
// CHECK-NOT: scf.forall
// CHECK: linalg.broadcast
// CHECK: tensor.expand_shape
// CHECK: linalg.matmul ins(%[[X]], %[[PREPARED]] :
// CHECK-LABEL: func.func @prepare(
// CHECK-SAME: %[[W:[a-z0-9]+]]: tensor<3x4xf32> {kiln.buffer = "w", kiln.role = "parameter"}
// CHECK-SAME: %[[S:[a-z0-9]+]]: tensor<3xf32> {kiln.buffer = "s", kiln.role = "state"})
// CHECK-SAME: -> (tensor<4x3xf32> {kiln.buffer = "kiln.prepared.0", kiln.role = "prepared"})
// CHECK: scf.forall
// CHECK: linalg.transpose
// CHECK: %[[SCALED:.*]] = linalg.generic
// CHECK: return %[[SCALED]]
#rows = affine_map<(d0, d1) -> (d0, d1)>
#columns = affine_map<(d0, d1) -> (d1)>
func.func @forward(%x: tensor<2x4xf32> {kiln.buffer = "x", kiln.role = "input"},
                   %w: tensor<3x4xf32> {kiln.buffer = "w", kiln.role = "parameter"},
                   %b: tensor<3xf32> {kiln.buffer = "b", kiln.role = "parameter"},
                   %s: tensor<3xf32> {kiln.buffer = "s", kiln.role = "state"})
    -> (tensor<2x3xf32> {kiln.buffer = "y", kiln.role = "output"},
        tensor<1x3x4xf32> {kiln.buffer = "v", kiln.role = "output"}) {
  %empty = tensor.empty() : tensor<4x3xf32>
  %transposed = scf.forall (%i) in (3) shared_outs(%out = %empty) -> (tensor<4x3xf32>) {
    %row = tensor.extract_slice %w[%i, 0] [1, 4] [1, 1] : tensor<3x4xf32> to tensor<1x4xf32>
    %column = tensor.extract_slice %out[0, %i] [4, 1] [1, 1] : tensor<4x3xf32> to tensor<4x1xf32>
    %t = linalg.transpose ins(%row : tensor<1x4xf32>) outs(%column : tensor<4x1xf32>) permutation = [1, 0]
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %t into %out[0, %i] [4, 1] [1, 1] : tensor<4x1xf32> into tensor<4x3xf32>
    }
  }
  %scaled = linalg.generic {indexing_maps = [#rows, #columns, #rows], iterator_types = ["parallel", "parallel"]}
      ins(%transposed, %s : tensor<4x3xf32>, tensor<3xf32>) outs(%empty : tensor<4x3xf32>) {
  ^bb0(%a: f32, %c: f32, %o: f32):
    %m = arith.mulf %a, %c : f32
    linalg.yield %m : f32
  } -> tensor<4x3xf32>
  %batch = tensor.empty() : tensor<2x3xf32>
  %bias = linalg.broadcast ins(%b : tensor<3xf32>) outs(%batch : tensor<2x3xf32>) dimensions = [0]
  %view = tensor.expand_shape %w [[0, 1], [2]] output_shape [1, 3, 4] : tensor<3x4xf32> into tensor<1x3x4xf32>
  %y = linalg.matmul ins(%x, %scaled : tensor<2x4xf32>, tensor<4x3xf32>) outs(%bias : tensor<2x3xf32>) -> tensor<2x3xf32>
  return %y, %view : tensor<2x3xf32>, tensor<1x3x4xf32>
}

// -----

// An op marked worth preparing moves though it writes more than it reads (a Winograd filter
// transform: [3, 3, C, F] to [positions, C, F]); the same op unmarked stays.
// CHECK-LABEL: func.func @forward(
// CHECK-SAME: %[[X:[a-z0-9]+]]: tensor<4x4xf32> {kiln.buffer = "x", kiln.role = "input"}
// CHECK-SAME: %[[PREPARED:[a-z0-9]+]]: tensor<4x4x4xf32> {kiln.buffer = "kiln.prepared.0", kiln.role = "prepared"})
// CHECK: %[[KEPT:.*]] = linalg.broadcast
// CHECK-NOT: linalg.broadcast
// CHECK: tensor.extract_slice %[[PREPARED]]
// CHECK: tensor.extract_slice %[[KEPT]]
// CHECK-LABEL: func.func @prepare(
// CHECK-SAME: -> (tensor<4x4x4xf32> {kiln.buffer = "kiln.prepared.0", kiln.role = "prepared"})
// CHECK: linalg.broadcast {{.*}} {kiln.worth_preparing}
func.func @forward(%x: tensor<4x4xf32> {kiln.buffer = "x", kiln.role = "input"},
                   %w: tensor<4x4xf32> {kiln.buffer = "w", kiln.role = "parameter"})
    -> (tensor<4x4xf32> {kiln.buffer = "y", kiln.role = "output"}) {
  %empty = tensor.empty() : tensor<4x4x4xf32>
  %marked = linalg.broadcast ins(%w : tensor<4x4xf32>) outs(%empty : tensor<4x4x4xf32>) dimensions = [0]
      {kiln.worth_preparing}
  %kept = linalg.broadcast ins(%w : tensor<4x4xf32>) outs(%empty : tensor<4x4x4xf32>) dimensions = [0]
  %a = tensor.extract_slice %marked[1, 0, 0] [1, 4, 4] [1, 1, 1] : tensor<4x4x4xf32> to tensor<4x4xf32>
  %b = tensor.extract_slice %kept[2, 0, 0] [1, 4, 4] [1, 1, 1] : tensor<4x4x4xf32> to tensor<4x4xf32>
  %ab = arith.addf %a, %b : tensor<4x4xf32>
  %y = arith.addf %x, %ab : tensor<4x4xf32>
  return %y : tensor<4x4xf32>
}

// -----

// Nothing computed from parameters alone: no `prepare`.
// CHECK-LABEL: func.func @forward(
// CHECK-NOT: kiln.prepared
// CHECK-NOT: func.func @prepare
func.func @forward(%x: tensor<4xf32> {kiln.buffer = "x", kiln.role = "input"},
                   %b: tensor<4xf32> {kiln.buffer = "b", kiln.role = "parameter"})
    -> (tensor<4xf32> {kiln.buffer = "y", kiln.role = "output"}) {
  %y = arith.addf %x, %b : tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

// The name `prepare` is taken.
// expected-error@+1 {{already has a function 'prepare'}}
module {
  func.func @forward(%w: tensor<4xf32> {kiln.buffer = "w", kiln.role = "parameter"},
                     %x: tensor<4xf32> {kiln.buffer = "x", kiln.role = "input"})
      -> (tensor<4xf32> {kiln.buffer = "y", kiln.role = "output"}) {
    %twice = arith.addf %w, %w : tensor<4xf32>
    %y = arith.addf %x, %twice : tensor<4xf32>
    return %y : tensor<4xf32>
  }
  func.func @prepare() {
    return
  }
}
