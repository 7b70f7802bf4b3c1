// kiln-winograd: a 3x3 convolution becomes Winograd F(m x m, 3 x 3) (stride 1 here; stride
// 2 in @strided below): the filter transformed once (vector code in tasks over input
// channels), then tasks over blocks of tile rows that transform their input patches (vector
// code in registers), multiply them by the transformed filter (one matmul in a loop over the
// (m + 2)^2 positions) and add the transformed products into their rows of the output. The
// bias broadcast the output starts from and the ReLU after it run in the tasks.
// RUN: kiln-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(kiln-winograd{tile=2 min-multiply-adds=0 vector-bits=512 min-tasks=1}))' | FileCheck %s
// F(4 x 4, 3 x 3) is the default.
// RUN: kiln-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(kiln-winograd{min-multiply-adds=0 vector-bits=512 min-tasks=1}))' | FileCheck %s --check-prefix=F4
// RUN: kiln-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(kiln-winograd{tile=2 min-multiply-adds=0 vector-bits=512 task-tiles=16 min-tasks=1}))' | FileCheck %s --check-prefix=SMALL
// With the default min-tasks (8), blocks shrink to one tile row: 2 x 4 tasks of 4 tiles.
// RUN: kiln-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(kiln-winograd{tile=2 min-multiply-adds=0 vector-bits=512}))' | FileCheck %s --check-prefix=TASKS
// TASKS-LABEL: func @bias_relu
// TASKS: scf.forall ({{.*}}) in (2, 4)
// TASKS: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<4x16xf32>, tensor<16x32xf32>)
// A transformed filter larger than filter-bytes (F(2x2): 16 x 16 x 32 floats, 32 KB; F(4x4):
// 36 x 16 x 32, 72 KB) stays direct; F(4x4) falls back to F(2x2) where only that fits.
// RUN: kiln-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(kiln-winograd{min-multiply-adds=0 vector-bits=512 filter-bytes=40000}))' | FileCheck %s --check-prefix=FALLBACK
// FALLBACK-LABEL: func @bias_relu
// FALLBACK: tensor.empty() : tensor<16x16x32xf32>
// FALLBACK: scf.forall
// FALLBACK-NOT: linalg.conv_2d_nhwc_hwcf
// FALLBACK-LABEL: func @padded
// RUN: kiln-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(kiln-winograd{min-multiply-adds=0 vector-bits=512 filter-bytes=32767 global-filter-bytes=32767}))' | FileCheck %s --check-prefix=LIMIT
// LIMIT-LABEL: func @bias_relu
// LIMIT-NOT: scf.forall
// LIMIT: linalg.conv_2d_nhwc_hwcf
// LIMIT-LABEL: func @padded
// A transformed filter over filter-bytes but within global-filter-bytes (F(2x2)'s, 32 KB) is
// multiplied by all tiles at once: the input transformed into a tensor of all 32 tiles by
// tasks over blocks, one matmul per position and block of output channels over all tiles,
// then the output transforms, tasks over blocks again.
// RUN: kiln-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(kiln-winograd{min-multiply-adds=0 vector-bits=512 filter-bytes=1000 global-filter-bytes=100000}))' | FileCheck %s --check-prefix=GLOBAL
// GLOBAL-LABEL: func @bias_relu
// GLOBAL: tensor.empty() : tensor<16x16x32xf32>
// GLOBAL: %[[ALL:.*]] = tensor.empty() : tensor<16x33x16xf32>
// GLOBAL: %[[INPUT:.*]] = scf.forall {{.*}} shared_outs(%[[V:.*]] = %[[ALL]])
// GLOBAL: tensor.parallel_insert_slice %{{.*}} into %[[V]][0, %{{.*}}, 0] [16, 4, 16]
// GLOBAL: %[[PRODUCTS:.*]] = scf.forall (%[[P:.*]], %{{.*}}) = (0, 0) to (16, 32) step (1, 32)
// GLOBAL: tensor.extract_slice %[[INPUT]][%[[P]], 0, 0] [1, 32, 16]
// GLOBAL: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<32x16xf32>, tensor<16x32xf32>)
// GLOBAL: scf.forall {{.*}} -> (tensor<2x8x8x32xf32>)
// GLOBAL: tensor.extract_slice %[[PRODUCTS]][0, %{{.*}}, 0] [16, 4, 32]
// RUN: not kiln-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(kiln-winograd{tile=3 min-multiply-adds=0}))' 2>&1 | FileCheck %s --check-prefix=BAD

// BAD: kiln-winograd: tile must be 2 or 4, not 3

// CHECK-LABEL: func @bias_relu
// The filter: 16 positions x C x F, G g G^T for each input channel and vector of output
// channels from its 9 tap vectors (read once), in tasks over blocks of input channels.
// CHECK: %[[U:.*]] = tensor.empty() : tensor<16x16x32xf32>
// CHECK: scf.forall (%{{.*}}) = (0) to (16) step (16) shared_outs(%{{.*}} = %[[U]])
// CHECK-COUNT-9: vector.transfer_read %arg1
// CHECK-NOT: vector.transfer_read
// The 16 positions stacked and written by one 2-D write [position, lane] (one write per
// position made one-shot bufferization's analysis quadratic in the positions).
// CHECK-COUNT-16: vector.insert %{{.*}} : vector<16xf32> into vector<16x16xf32>
// CHECK: vector.transfer_write {{.*}} {in_bounds = [true, true], permutation_map = #[[PLANES:.*]]} : vector<16x16xf32>, tensor<16x16x32xf32>
// Marked for kiln-hoist-parameter-math: a constant filter's transform runs once, in `prepare`.
// CHECK: } {kiln.worth_preparing}
// 2 images x 4 x 4 tiles of 2 x 2 pixels: 32 tiles, one task (64 tiles at most).
// CHECK: scf.forall (%[[N:.*]], %[[T:.*]]) = (0, 0) to (2, 4) step (2, 4) shared_outs(%[[Y:.*]] = %{{.*}})
// The transformed input: 16 planes of 33 rows (32 tiles and one more: planes of an odd
// number of rows), written by a loop nest over (images, tile rows, tile columns, channel
// vectors) that reads each tile's 4 x 4 patch once and writes its 16 positions.
// CHECK: tensor.empty() : tensor<16x33x16xf32>
// CHECK: scf.for %{{.*}} = %c0 to %c2
// CHECK: scf.for
// CHECK: scf.for
// CHECK: scf.for %[[C:.*]] = %c0 to %c16 step %c16
// CHECK-COUNT-16: vector.transfer_read %arg0[{{.*}}, %[[C]]], %{{.*}} {in_bounds = [true]} : tensor<2x10x10x16xf32>, vector<16xf32>
// B^T d B in two passes: 32 additions and subtractions, nothing else.
// CHECK-COUNT-32: {{arith.addf|arith.subf}} %{{.*}} : vector<16xf32>
// CHECK-NOT: {{arith.addf|arith.subf|arith.mulf|arith.negf|math.fma}}
// CHECK-COUNT-16: vector.insert %{{.*}} : vector<16xf32> into vector<16x16xf32>
// CHECK: vector.transfer_write %{{.*}}, %{{.*}}[%c0{{.*}}, %{{.*}}, %[[C]]] {in_bounds = [true, true], permutation_map = #[[PLANES]]} : vector<16x16xf32>, tensor<16x33x16xf32>
// One matmul per position over the plane's first 32 rows.
// CHECK: scf.for %[[P:.*]] = %{{.*}} to %c16{{.*}} step
// CHECK: tensor.extract_slice %{{.*}}[%[[P]], 0, 0] [1, 32, 16] [1, 1, 1] : tensor<16x33x16xf32> to tensor<32x16xf32>
// CHECK: linalg.fill
// CHECK: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<32x16xf32>, tensor<16x32xf32>) outs(%{{.*}} : tensor<32x32xf32>)
// The bias broadcast, for the task's rows, then a loop nest likewise: each tile's 16
// products read once, A^T M A (24 additions and subtractions), its 4 pixels added in place.
// CHECK: %[[ROWS:.*]] = tensor.extract_slice %[[Y]][%[[N]], %{{.*}}, 0, 0] [2, 8, 8, 32] [1, 1, 1, 1]
// CHECK: %[[START:.*]] = linalg.generic {{.*}} ins(%{{.*}} : tensor<32xf32>) outs(%[[ROWS]] : tensor<2x8x8x32xf32>)
// CHECK: %[[LAST:.*]] = scf.for {{.*}} iter_args(%{{.*}} = %[[START]])
// CHECK: scf.for %{{.*}} = %{{.*}} to %c32 step %c16
// CHECK-COUNT-16: vector.transfer_read %{{.*}} : tensor<16x33x32xf32>, vector<16xf32>
// CHECK-COUNT-24: {{arith.addf|arith.subf}} %{{.*}} : vector<16xf32>
// CHECK-NEXT: affine.apply
// CHECK-NEXT: affine.apply
// CHECK-NEXT: vector.transfer_read %{{.*}} : tensor<2x8x8x32xf32>, vector<16xf32>
// CHECK-NEXT: arith.addf
// CHECK-NEXT: vector.transfer_write %{{.*}} : vector<16xf32>, tensor<2x8x8x32xf32>
// The ReLU, on the task's rows.
// CHECK: %[[RELU:.*]] = linalg.generic {{.*}} outs(%[[LAST]] : tensor<2x8x8x32xf32>)
// CHECK: arith.maximumf
// CHECK: scf.forall.in_parallel
// CHECK: tensor.parallel_insert_slice %[[RELU]] into %[[Y]][%[[N]], %{{.*}}, 0, 0] [2, 8, 8, 32] [1, 1, 1, 1]
// CHECK-NOT: linalg.conv_2d_nhwc_hwcf
// CHECK-NOT: arith.maximumf
// CHECK: return

// F(4 x 4, 3 x 3): 36 positions, 6 x 6 patches, 2 x 2 tiles of 4 x 4 pixels per image.
// F4-LABEL: func @bias_relu
// F4: tensor.empty() : tensor<36x16x32xf32>
// F4: scf.forall ({{.*}}) = (0, 0) to (2, 2) step (2, 2)
// 8 tiles and one more: planes of 9 rows.
// F4: tensor.empty() : tensor<36x9x16xf32>
// F4-COUNT-36: vector.transfer_read %arg0
// F4: math.fma
// F4: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<8x16xf32>, tensor<16x32xf32>)

// At most 16 tiles per task: 4 tile rows of 4 tiles in one image, 2 tasks.
// SMALL-LABEL: func @bias_relu
// SMALL: scf.forall ({{.*}}) = (0, 0) to (2, 4) step (1, 4)
// SMALL: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<16x16xf32>, tensor<16x32xf32>)
#bias = affine_map<(n, h, w, f) -> (f)>
#id = affine_map<(n, h, w, f) -> (n, h, w, f)>
func.func @bias_relu(%in: tensor<2x10x10x16xf32>, %w: tensor<3x3x16x32xf32>, %b: tensor<32xf32>) -> tensor<2x8x8x32xf32> {
  %e = tensor.empty() : tensor<2x8x8x32xf32>
  %init = linalg.generic {indexing_maps = [#bias, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%b : tensor<32xf32>) outs(%e : tensor<2x8x8x32xf32>) {
  ^bb0(%x: f32, %o: f32):
    linalg.yield %x : f32
  } -> tensor<2x8x8x32xf32>
  %c = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%in, %w : tensor<2x10x10x16xf32>, tensor<3x3x16x32xf32>) outs(%init : tensor<2x8x8x32xf32>) -> tensor<2x8x8x32xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%c : tensor<2x8x8x32xf32>) outs(%e : tensor<2x8x8x32xf32>) {
  ^bb0(%x: f32, %o: f32):
    %z = arith.constant 0.0 : f32
    %m = arith.maximumf %x, %z : f32
    linalg.yield %m : f32
  } -> tensor<2x8x8x32xf32>
  return %r : tensor<2x8x8x32xf32>
}

// -----

// An output whose height and width 2 does not divide (7 x 7): the tiles cover 8 x 8 into a
// tensor of their own, whose top-left 7 x 7 is the result (a zero fill's start adds
// nothing); the last tiles' patches, one row and column past the input's end, read zeros
// there (masked reads at clamped indices), not from a padded copy.
// CHECK-LABEL: func @padded
// CHECK-NOT: tensor.pad
// CHECK: %[[EMPTY:.*]] = tensor.empty() : tensor<1x8x8x16xf32>
// CHECK: %[[BLOCKS:.*]] = scf.forall {{.*}} shared_outs(%{{.*}} = %[[EMPTY]])
// CHECK: arith.minsi
// CHECK: arith.maxsi
// CHECK: %[[MASK:.*]] = vector.create_mask
// CHECK: vector.transfer_read %arg0[{{.*}}], %{{.*}}, %[[MASK]] {in_bounds = [true]} : tensor<1x9x9x16xf32>, vector<16xf32>
// CHECK: %[[RESULT:.*]] = tensor.extract_slice %[[BLOCKS]][0, 0, 0, 0] [1, 7, 7, 16] [1, 1, 1, 1]
// CHECK-NEXT: return %[[RESULT]]
func.func @padded(%in: tensor<1x9x9x16xf32>, %w: tensor<3x3x16x16xf32>) -> tensor<1x7x7x16xf32> {
  %z = arith.constant 0.0 : f32
  %e7 = tensor.empty() : tensor<1x7x7x16xf32>
  %o7 = linalg.fill ins(%z : f32) outs(%e7 : tensor<1x7x7x16xf32>) -> tensor<1x7x7x16xf32>
  %odd = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%in, %w : tensor<1x9x9x16xf32>, tensor<3x3x16x16xf32>) outs(%o7 : tensor<1x7x7x16xf32>) -> tensor<1x7x7x16xf32>
  return %odd : tensor<1x7x7x16xf32>
}

// -----

// Left as they are: a stride-3 convolution, a 1x1 filter, and input channels that are not
// whole vectors (3). With the default min-multiply-adds, a convolution this small as well.
// RUN: kiln-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(kiln-winograd))' | FileCheck %s --check-prefix=SMALLCONV
// SMALLCONV-LABEL: func @bias_relu
// SMALLCONV-NOT: scf.forall
// SMALLCONV: linalg.conv_2d_nhwc_hwcf
// CHECK-LABEL: func @not_taken
// CHECK-COUNT-3: linalg.conv_2d_nhwc_hwcf
// CHECK-NOT: scf.forall
func.func @not_taken(%in: tensor<1x9x9x16xf32>, %w: tensor<3x3x16x16xf32>, %w1: tensor<1x1x16x16xf32>,
                     %in3: tensor<1x10x10x3xf32>, %w3: tensor<3x3x3x16xf32>)
    -> (tensor<1x3x3x16xf32>, tensor<1x9x9x16xf32>, tensor<1x8x8x16xf32>) {
  %z = arith.constant 0.0 : f32
  %e3 = tensor.empty() : tensor<1x3x3x16xf32>
  %o3 = linalg.fill ins(%z : f32) outs(%e3 : tensor<1x3x3x16xf32>) -> tensor<1x3x3x16xf32>
  %s3 = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<3> : tensor<2xi64>} ins(%in, %w : tensor<1x9x9x16xf32>, tensor<3x3x16x16xf32>) outs(%o3 : tensor<1x3x3x16xf32>) -> tensor<1x3x3x16xf32>
  %e9 = tensor.empty() : tensor<1x9x9x16xf32>
  %o9 = linalg.fill ins(%z : f32) outs(%e9 : tensor<1x9x9x16xf32>) -> tensor<1x9x9x16xf32>
  %pw = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%in, %w1 : tensor<1x9x9x16xf32>, tensor<1x1x16x16xf32>) outs(%o9 : tensor<1x9x9x16xf32>) -> tensor<1x9x9x16xf32>
  %e8 = tensor.empty() : tensor<1x8x8x16xf32>
  %o8 = linalg.fill ins(%z : f32) outs(%e8 : tensor<1x8x8x16xf32>) -> tensor<1x8x8x16xf32>
  %rgb = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%in3, %w3 : tensor<1x10x10x3xf32>, tensor<3x3x3x16xf32>) outs(%o8 : tensor<1x8x8x16xf32>) -> tensor<1x8x8x16xf32>
  return %s3, %pw, %rgb : tensor<1x3x3x16xf32>, tensor<1x9x9x16xf32>, tensor<1x8x8x16xf32>
}

// -----

// A stride-2 convolution: a tile's m x m outputs read a (2m + 1) x (2m + 1) patch whose even
// rows and columns go through F(m, 2) and odd ones stay as they are: F(2 x 2) has 25
// positions, F(4 x 4) 81. Its zero padding is not copied: the patches are read from the
// pad's source, the padding as zeros by masked reads.
// CHECK-LABEL: func @strided
// CHECK-NOT: tensor.pad
// CHECK: tensor.empty() : tensor<25x16x16xf32>
// CHECK: scf.forall
// CHECK: tensor.empty() : tensor<25x5x16xf32>
// CHECK-COUNT-25: vector.transfer_read %arg0[{{.*}}], %{{.*}}, %{{.*}} {in_bounds = [true]} : tensor<1x8x8x16xf32>, vector<16xf32>
// CHECK: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<4x16xf32>, tensor<16x16xf32>)
// F4-LABEL: func @strided
// F4: tensor.empty() : tensor<81x16x16xf32>
// F4-COUNT-81: vector.transfer_read %arg0
func.func @strided(%in: tensor<1x8x8x16xf32>, %w: tensor<3x3x16x16xf32>) -> tensor<1x4x4x16xf32> {
  %z = arith.constant 0.0 : f32
  %padded = tensor.pad %in low[0, 1, 1, 0] high[0, 1, 1, 0] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %z : f32
  } : tensor<1x8x8x16xf32> to tensor<1x10x10x16xf32>
  %e4 = tensor.empty() : tensor<1x4x4x16xf32>
  %o4 = linalg.fill ins(%z : f32) outs(%e4 : tensor<1x4x4x16xf32>) -> tensor<1x4x4x16xf32>
  %s2 = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%padded, %w : tensor<1x10x10x16xf32>, tensor<3x3x16x16xf32>) outs(%o4 : tensor<1x4x4x16xf32>) -> tensor<1x4x4x16xf32>
  return %s2 : tensor<1x4x4x16xf32>
}

// -----

// A filter gradient as kiln-to-linalg writes it (the input transposed to [C, H + 2, W + 2, N]
// and padded, the output gradient transposed to [H, W, N, F]): per position, V [C, K] times
// Q [K, F] summed over K = (tiles, images) into a task's partial dU, the partials added up,
// then G^T dU G into the 3x3 taps. F(2x2): one task of 4 tile rows, one chunk of 4 tile
// columns by 16 images (K = 64); planes of an odd number of rows (17 and 65).
// CHECK-LABEL: func @filter_gradient
// CHECK: scf.forall (%{{.*}}, %{{.*}}) = (0, 0) to (16, 4) step (16, 4) shared_outs(%{{.*}} = %{{.*}}) -> (tensor<1x16x16x16xf32>)
// CHECK: linalg.fill
// CHECK: tensor.empty() : tensor<16x17x64xf32>
// CHECK-COUNT-16: vector.transfer_read %arg0{{.*}} : tensor<16x10x10x16xf32>, vector<16xf32>
// CHECK: vector.transfer_write %{{.*}} : vector<16x16xf32>, tensor<16x17x64xf32>
// CHECK: tensor.empty() : tensor<16x65x16xf32>
// CHECK-COUNT-4: vector.transfer_read %arg1{{.*}} : tensor<8x8x16x16xf32>, vector<16xf32>
// CHECK: vector.transfer_write %{{.*}} : vector<16x16xf32>, tensor<16x65x16xf32>
// CHECK: scf.for
// CHECK: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<16x64xf32>, tensor<64x16xf32>) outs(%{{.*}} : tensor<16x16xf32>)
// CHECK: tensor.parallel_insert_slice
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "reduction"]
// CHECK: linalg.generic {{.*}}outs(%{{.*}} : tensor<16x3x3x16xf32>)
// CHECK-NOT: linalg.conv_2d_nhwc_hwcf
// CHECK: return
// F(4x4): 36 positions, 2 tile rows, chunks of 2 tile columns (K = 32).
// F4-LABEL: func @filter_gradient
// F4: tensor.empty() : tensor<36x17x32xf32>
// F4: tensor.empty() : tensor<36x33x16xf32>
// F4: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<16x32xf32>, tensor<32x16xf32>)
// RUN: kiln-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(kiln-winograd{min-multiply-adds=0 vector-bits=512 filter-gradients=false}))' | FileCheck %s --check-prefix=NOGRADIENTS
// NOGRADIENTS-LABEL: func @filter_gradient
// NOGRADIENTS-NOT: scf.forall
// NOGRADIENTS: linalg.conv_2d_nhwc_hwcf
func.func @filter_gradient(%x: tensor<16x10x10x16xf32>, %dy: tensor<8x8x16x16xf32>) -> tensor<16x3x3x16xf32> {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<16x3x3x16xf32>
  %o = linalg.fill ins(%z : f32) outs(%e : tensor<16x3x3x16xf32>) -> tensor<16x3x3x16xf32>
  %g = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x, %dy : tensor<16x10x10x16xf32>, tensor<8x8x16x16xf32>) outs(%o : tensor<16x3x3x16xf32>) -> tensor<16x3x3x16xf32>
  return %g : tensor<16x3x3x16xf32>
}

// -----

// Filter gradients left direct: 4 images (not a whole vector of 8 or 16), and a strided
// convolution's (kiln-to-linalg dilates the output gradient by the stride).
// CHECK-LABEL: func @filter_gradient_not_taken
// CHECK-COUNT-2: linalg.conv_2d_nhwc_hwcf
// CHECK-NOT: scf.forall
func.func @filter_gradient_not_taken(%x4: tensor<16x10x10x4xf32>, %dy4: tensor<8x8x4x16xf32>,
                                     %xs: tensor<16x17x17x16xf32>, %dys: tensor<8x8x16x16xf32>)
    -> (tensor<16x3x3x16xf32>, tensor<16x3x3x16xf32>) {
  %z = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<16x3x3x16xf32>
  %o = linalg.fill ins(%z : f32) outs(%e : tensor<16x3x3x16xf32>) -> tensor<16x3x3x16xf32>
  %few = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%x4, %dy4 : tensor<16x10x10x4xf32>, tensor<8x8x4x16xf32>) outs(%o : tensor<16x3x3x16xf32>) -> tensor<16x3x3x16xf32>
  %strided = linalg.conv_2d_nhwc_hwcf {dilations = dense<2> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%xs, %dys : tensor<16x17x17x16xf32>, tensor<8x8x16x16xf32>) outs(%o : tensor<16x3x3x16xf32>) -> tensor<16x3x3x16xf32>
  return %few, %strided : tensor<16x3x3x16xf32>, tensor<16x3x3x16xf32>
}
