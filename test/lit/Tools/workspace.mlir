// The static memory plan reaches the artifact: one workspace buffer, as large as the largest
// entry's arena, passed last to every entry that has temporaries, and the code runs in it.
// RUN: kilnc %s -v -o %t.kx 2>&1 | FileCheck %s --check-prefix=VERBOSE
// RUN: kiln-run info %t.kx | FileCheck %s --check-prefix=INFO
// RUN: kiln-run infer %t.kx --print | FileCheck %s --check-prefix=OUT

// @forward pads into an 80-byte temporary (4x5xf32: two 64-byte lines, 128 bytes of arena); @wide
// into a 400-byte one (10x10xf32, 448 bytes of arena); @direct has no temporary.
// VERBOSE: kilnc: memory plan of forward: 1 temporaries (80 bytes without reuse) in 128 bytes of workspace, 0 left to the heap
// VERBOSE: kilnc: memory plan of wide: 1 temporaries (400 bytes without reuse) in 448 bytes of workspace, 0 left to the heap

// INFO: 4 workspace{{ +}}uint8{{ +}}[448]{{ +}}448{{ +}}kiln.workspace
// INFO: forward(x, y, kiln.workspace)
// INFO-NEXT: memory plan: 1 temporaries (80 bytes without reuse) in 128 bytes of workspace, 0 left to the heap
// INFO: wide(x, z, kiln.workspace)
// INFO-NEXT: memory plan: 1 temporaries (400 bytes without reuse) in 448 bytes of workspace, 0 left to the heap
// INFO: direct(x, w)
// INFO-NOT: memory plan

// The padding, read back from the workspace: exp(0) = 1 all around the border.
// OUT: y float32 [4, 5]: 1 1 1 1 1 1
func.func @forward(%x: tensor<2x3xf32> {kiln.buffer = "x", kiln.role = "input"})
    -> (tensor<4x5xf32> {kiln.buffer = "y", kiln.role = "output"}) {
  %0 = kiln.pad %x {pads = array<i64: 1, 1, 1, 1>} : (tensor<2x3xf32>) -> tensor<4x5xf32>
  %1 = kiln.exp %0 : tensor<4x5xf32>
  %2 = kiln.relu %1 : tensor<4x5xf32>
  return %2 : tensor<4x5xf32>
}

func.func @wide(%x: tensor<2x3xf32> {kiln.buffer = "x", kiln.role = "input"})
    -> (tensor<10x10xf32> {kiln.buffer = "z", kiln.role = "output"}) {
  %0 = kiln.pad %x {pads = array<i64: 4, 3, 4, 4>} : (tensor<2x3xf32>) -> tensor<10x10xf32>
  %1 = kiln.exp %0 : tensor<10x10xf32>
  return %1 : tensor<10x10xf32>
}

func.func @direct(%x: tensor<2x3xf32> {kiln.buffer = "x", kiln.role = "input"})
    -> (tensor<2x3xf32> {kiln.buffer = "w", kiln.role = "output"}) {
  %0 = kiln.exp %x : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}
