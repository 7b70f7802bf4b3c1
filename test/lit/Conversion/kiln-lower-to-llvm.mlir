// The full lowering ends in the LLVM dialect with one bare pointer per buffer. Only the memory
// plan's summary, which kilnc moves into the artifact's descriptor, is left of kiln.
// RUN: kiln-opt %s --kiln-lower-to-llvm | FileCheck %s

// CHECK: module attributes {kiln.memory_plan = {forward = {{{.*}}}}} {
// CHECK-NOT: kiln.
// CHECK-LABEL: llvm.func @forward
// CHECK-SAME: (%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr)
// CHECK: llvm.intr.exp
// CHECK: llvm.return
func.func @forward(%x: tensor<2x3xf32>, %y: tensor<3xf32>) -> tensor<2x3xf32> {
  %0 = kiln.add %x, %y : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %1 = kiln.exp %0 : tensor<2x3xf32>
  %2 = kiln.tanh %1 : tensor<2x3xf32>
  return %2 : tensor<2x3xf32>
}
