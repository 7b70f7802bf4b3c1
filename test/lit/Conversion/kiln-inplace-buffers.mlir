// RUN: kiln-opt %s --kiln-inplace-buffers | FileCheck %s

// A result naming an argument's buffer is written into that argument; one that returns the
// argument unchanged is dropped; other results stay.
// CHECK-LABEL: func.func @step(
// CHECK-SAME: %[[W:.*]]: tensor<4xf32> {bufferization.writable = true, kiln.buffer = "w", kiln.role = "parameter"}
// CHECK-SAME: %[[G:.*]]: tensor<4xf32> {kiln.buffer = "w@grad", kiln.role = "gradient"}
// CHECK-SAME: -> (tensor<4xf32> {kiln.buffer = "w", kiln.role = "parameter"}, tensor<f32> {kiln.buffer = "loss", kiln.role = "output"})
// CHECK: %[[NEW:.*]] = kiln.sub %[[W]], %[[G]]
// CHECK: %[[WRITTEN:.*]] = bufferization.materialize_in_destination %[[NEW]] in %[[W]]
// CHECK: return %[[WRITTEN]], %{{.*}} : tensor<4xf32>, tensor<f32>
func.func @step(%w: tensor<4xf32> {kiln.buffer = "w", kiln.role = "parameter"},
                %g: tensor<4xf32> {kiln.buffer = "w@grad", kiln.role = "gradient"})
    -> (tensor<4xf32> {kiln.buffer = "w", kiln.role = "parameter"},
        tensor<4xf32> {kiln.buffer = "w@grad", kiln.role = "gradient"},
        tensor<f32> {kiln.buffer = "loss", kiln.role = "output"}) {
  %new = kiln.sub %w, %g : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %l = kiln.reduce_sum %new {axes = array<i64: 0>, keepdims = false} : (tensor<4xf32>) -> tensor<f32>
  return %new, %g, %l : tensor<4xf32>, tensor<4xf32>, tensor<f32>
}
