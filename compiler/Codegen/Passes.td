//===- Passes.td - kiln CPU code generation passes ------------------------===//
#ifndef KILN_CODEGEN_PASSES_TD
#define KILN_CODEGEN_PASSES_TD

include "mlir/Pass/PassBase.td"

def KilnChooseLayoutPass : Pass<"kiln-choose-layout", "mlir::func::FuncOp"> {
  let summary = "Chooses the data layout each convolution (and max pool) is lowered in";
  let description = [{
    Marks every `kiln.conv2d`, `kiln.conv2d_backward_data` and `kiln.conv2d_backward_filter`
    that the CPU code generator handles (fp32, one group, static shapes) with
    `kiln.layout = "nhwc"`: channels innermost is the layout whose register tiles vectorize
    along the output channels (docs/codegen-plan.md measured 81 % of one core's FMA peak in
    NHWC against plain loops at 2 %). The kiln graph keeps its NCHW semantics; `kiln-to-linalg`
    lowers each marked op to one `linalg.conv_2d_nhwc_hwcf` between transposes, and
    `kiln-fold-transposes` removes the transposes that cancel. A `kiln.max_pool2d` that
    reads a marked convolution through shape-preserving ops (ResNet's stem: batch norm,
    ReLU) is marked too and pools channels last (`linalg.pooling_nhwc_max`), so that its
    transposes cancel the convolution's.
  }];
}

def KilnFoldTransposesPass : Pass<"kiln-fold-transposes", "mlir::func::FuncOp"> {
  let summary = "Folds linalg.transpose into the linalg.generic ops that read it";
  let description = [{
    A `linalg.transpose` whose result feeds `linalg.generic` ops is folded into their indexing
    maps (the generic reads the untransposed tensor directly), and transposes of transposes
    compose. After `kiln-choose-layout`, this removes the layout changes between a
    convolution and its elementwise consumers. An elementwise generic that writes NCHW from
    mostly channels-last inputs (batch norm's centred input, the backward pass's ReLU mask)
    writes channels-last too, so that the statistics and the backward pass around a
    convolution stay in its layout.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect"];
}

def KilnFuseElementwisePass : Pass<"kiln-fuse-elementwise", "mlir::func::FuncOp"> {
  let summary = "Fuses chains of elementwise linalg.generic ops into one";
  let description = [{
    An elementwise `linalg.generic` whose result has one use, in another elementwise generic,
    is computed inside that generic (upstream's elementwise fusion on tensors): the
    intermediate tensor is never written and read back. A residual block's add and ReLU, or a
    batch norm's scale, shift and ReLU, become one pass over memory; and since the fused op
    reads every operand through its own map, a layout change that only the intermediate
    needed (an add written in NCHW between two channels-last ops) disappears with it.
    Results with several uses (activations kept for the backward pass) are not fused, so
    nothing is computed twice, except a result cheaper to recompute than to keep (one
    full-size input read element for element, the others broadcast, at most two arithmetic
    ops: a batch norm's x - mean): when every user can fuse it, each gets its own copy, and
    the result is never written.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect"];
}

def KilnWinogradPass : Pass<"kiln-winograd", "mlir::func::FuncOp"> {
  let summary = "Rewrites 3x3 convolutions of stride 1 or 2 as Winograd F(m x m, 3 x 3) tasks";
  let description = [{
    On tensors, before `kiln-parallelize`. Every statically shaped fp32
    `linalg.conv_2d_nhwc_hwcf` with a 3x3 filter, strides 1 or 2 (the same along both
    dimensions), unit dilations, input and output channels in whole vectors, a transformed
    filter of at most `filter-bytes` (with `tile` 4, F(2x2) is tried when F(4x4)'s is
    larger) and at least `min-multiply-adds` becomes: the filter transformed once (G g G^T,
    [alpha^2, C, F], in tasks marked `kiln.worth_preparing`, which kiln-hoist-parameter-math
    moves into `prepare` when the filter is a parameter of `forward`; alpha = m + 2 at
    stride 1, 2m + 1 at stride 2, where the even rows and columns of a tile's patch go
    through F(m, 2) and the odd ones stay as they are), and an `scf.forall` of tasks, each
    a block of tile rows (`task-tiles` tiles at most, whole rows and whole images, its
    scratch within `scratch-bytes`, smaller while there are fewer than `min-tasks` tasks)
    that transforms its input patches (B^T d B: a loop nest over its tiles and channel
    vectors, each patch read once as vectors and transformed in registers), multiplies them
    by the transformed filter (one `linalg.matmul` in an `scf.for` over the positions) and
    adds the transformed products (A^T M A, a loop nest likewise) to its rows of the output.
    A zero-padded input is read unpadded, from the pad's source, what lies outside it as
    zeros (masked reads), and so are the rows and columns past the input's end that whole
    tiles read where m does not divide the output; such an output is computed whole tiles
    wide, then cropped and added to the convolution's init. Otherwise the fill or broadcast
    the output starts from, and an elementwise op that is the only user of the result (a
    ReLU, a residual add), are computed by the tasks on their own rows, as `kiln-parallelize`
    does for the tasks it makes.

    With `filter-gradients`, the filter gradient of such a convolution as kiln-to-linalg
    writes it (`conv_2d_nhwc_hwcf` of the input transposed to [C, H + 2, W + 2, N] by the
    output gradient transposed to [H, W, N, F], into [C, 3, 3, F]) whose output m divides
    becomes tasks over blocks of images and tile rows that each sum a partial
    dU = sum over tiles of (B^T x B) . (A dy A^T), one matmul per position over chunks of
    tile columns, into their slice of the tasks' result; the partials are added up and
    G^T dU G gives the taps. A task's partial must fit `filter-bytes` and a chunk of one
    tile column `scratch-bytes`; F(2x2) is tried where F(4x4) does not fit or 4 does not
    divide the output.
  }];
  let options = [
    Option<"tile", "tile", "int64_t", /*default=*/"4",
           "Output tile side m: 4 (F(4x4,3x3), 4x fewer multiply-adds; F(2x2) where its "
           "transformed filter exceeds filter-bytes) or 2 (2.25x)">,
    Option<"taskTiles", "task-tiles", "int64_t", /*default=*/"64",
           "Tiles per task at most (the rows of its matmuls)">,
    Option<"scratchBytes", "scratch-bytes", "int64_t", /*default=*/"393216",
           "Bytes of a task's transformed input and products at most">,
    Option<"minTasks", "min-tasks", "int64_t", /*default=*/"8",
           "Make blocks smaller while there are fewer tasks than this">,
    Option<"minMultiplyAdds", "min-multiply-adds", "int64_t", /*default=*/"8388608",
           "Leave convolutions with fewer multiply-adds (N H W C F 9) direct">,
    Option<"filterBytes", "filter-bytes", "int64_t", /*default=*/"8388608",
           "Transformed filters (which every task reads) at most this large are read by the "
           "tasks that transform; for filter gradients, a task's partial dU at most">,
    Option<"globalFilterBytes", "global-filter-bytes", "int64_t", /*default=*/"33554432",
           "A larger transformed filter, up to this size, is multiplied by all tiles at once "
           "(the input transformed first, the output after); larger ones stay direct">,
    Option<"filterGradients", "filter-gradients", "bool", /*default=*/"true",
           "Also rewrite the filter gradients of 3x3 stride-1 convolutions">,
    Option<"vectorBits", "vector-bits", "unsigned", /*default=*/"0",
           "Vector register width in bits (256: AVX2, 512: AVX-512); 0 reads the host CPU">
  ];
  let dependentDialects = [
    "mlir::affine::AffineDialect", "mlir::arith::ArithDialect", "mlir::linalg::LinalgDialect",
    "mlir::math::MathDialect", "mlir::scf::SCFDialect", "mlir::tensor::TensorDialect",
    "mlir::vector::VectorDialect"
  ];
}

def KilnParallelizePass : Pass<"kiln-parallelize", "mlir::func::FuncOp"> {
  let summary = "Splits the outer parallel loops of large linalg ops into scf.forall tasks";
  let description = [{
    On tensors, before `kiln-codegen-contractions`. Every statically shaped linalg op
    (only convolutions and matmuls with `contractions-only`) at the top level of a function
    with at least `min-iterations` loop iterations is tiled along its leading parallel loops
    into an `scf.forall` of at least `min-tasks` iterations (when its shape has that many),
    the unit of work the threads share: after bufferization the forall becomes an
    `scf.parallel` and then an OpenMP work-sharing loop. Convolutions are split over images
    and output rows only, so each task keeps whole register tiles (a tile spanning several
    images, as a filter gradient's does, is not cut); a matmul over blocks of at
    least one register tile (8 rows x 32 columns); contractions are split first, and the fill
    or broadcast a contraction's output starts from (all loops parallel) is computed by its
    tasks, each into its own slice. An elementwise op that is the only user of a split
    contraction's result (a ReLU, a residual add and ReLU; every loop parallel, the result
    read through the identity map, other operands through projections) joins its tasks too:
    each task updates its slice in place. Reduced loops stay inside a task; a sum whose only
    parallel loops are contiguous in its inputs (per-channel sums of a channels-last
    tensor) is first split into partial sums per index of its outermost reduced loop, which
    split into tasks, and a small sum of the parts. Other ops are not split along a loop an
    operand is contiguous along while another parallel loop is left. An op that
    reads an operand through a decreasing index (a flipped filter) stays whole: upstream's
    tiling cannot take slices of it. With `buffers`, after bufferization, only the data
    movement that bufferization added at the top level is split (a padded input's fill and
    the copy of the input into it, copies of results): one thread would do it alone.
  }];
  let options = [
    Option<"minTasks", "min-tasks", "int64_t", /*default=*/"16",
           "Split until there are this many tasks (several per thread balance the load)">,
    Option<"minIterations", "min-iterations", "int64_t", /*default=*/"32768",
           "Leave ops with fewer loop iterations on one thread (a fork costs microseconds)">,
    Option<"contractionsOnly", "contractions-only", "bool", /*default=*/"false",
           "Split only convolutions and matmuls (for measuring what splitting the other ops "
           "gains)">,
    Option<"buffers", "buffers", "bool", /*default=*/"false",
           "After bufferization: split the fills, copies and maps on buffers at the top level">,
    Option<"vectorBits", "vector-bits", "unsigned", /*default=*/"0",
           "Vector register width in bits that kiln-codegen-contractions' tiles will use "
           "(256: AVX2, 512: AVX-512); 0 reads the host CPU">
  ];
  let dependentDialects = [
    "mlir::affine::AffineDialect", "mlir::linalg::LinalgDialect", "mlir::scf::SCFDialect",
    "mlir::tensor::TensorDialect"
  ];
}

def KilnCodegenContractionsPass
    : Pass<"kiln-codegen-contractions", "mlir::func::FuncOp"> {
  let summary = "Tiles and vectorizes convolutions and matmuls for the CPU";
  let description = [{
    On tensors, before bufferization. Each statically shaped fp32 `linalg.conv_2d_nhwc_hwcf`
    and `linalg.matmul` is tiled for registers (tile sizes chosen from its shape and the
    target's vector width and register count, compiler/Codegen/CpuTarget.cpp), convolution
    tiles are reduced to 1-D convolutions, and every tile is vectorized. A convolution tile
    whose register tile spans part of the output channels reads a packed filter
    ([F/b, KH, KW, C, b], computed once where the filter is defined); the fill or broadcast
    its output starts from is computed per register tile, and an elementwise op that then
    updates the tiled result in place (a ReLU, a residual add; every operand read through
    the identity map) is applied to each tile's accumulators before the tile is written
    (compiler/Codegen/EpilogueFusion.cpp). Ops whose shapes no tile divides are left for
    the plain-loop lowering. `kiln-vector-lower` finishes the job after bufferization.
  }];
  let options = [
    Option<"vectorBits", "vector-bits", "unsigned", /*default=*/"0",
           "Vector register width in bits (256: AVX2, 512: AVX-512); 0 reads the host CPU">
  ];
  let dependentDialects = [
    "mlir::affine::AffineDialect", "mlir::linalg::LinalgDialect", "mlir::scf::SCFDialect",
    "mlir::tensor::TensorDialect",
    "mlir::vector::VectorDialect"
  ];
}

def KilnVectorizeElementwisePass
    : Pass<"kiln-vectorize-elementwise", "mlir::func::FuncOp"> {
  let summary = "Tiles and vectorizes elementwise ops, broadcasts and layout changes";
  let description = [{
    On tensors, before bufferization, after kiln-codegen-contractions. A statically shaped
    fp32 `linalg.transpose` or all-parallel `linalg.generic` that reads its operands through
    projected permutations (elementwise chains, broadcasts, layout changes; a broadcast
    operand's size-1 dimensions indexed by 0 are collapsed away first), or a sum whose inputs
    are contiguous along the loop its result is (per-channel sums of a channels-last tensor,
    that loop moved innermost), is tiled into
    blocks: the loop along which its result is contiguous, cut to at most one vector register
    (a divisor of the bound), and, when an input is contiguous along another loop that also
    indexes the result (a transpose), that loop too; every other loop is 1. Each block is
    vectorized; a block's `vector.transpose` is lowered to shuffles here (MLIR's 16x16
    shuffle sequence for full AVX-512 blocks, its AVX2 8x8 sequence for full AVX2 blocks,
    one shuffle otherwise). Ops whose block sides
    would be shorter than 4 (a 3-channel image) and bodies the vectorizer rejects are left
    to LLVM.
  }];
  let options = [
    Option<"vectorBits", "vector-bits", "unsigned", /*default=*/"0",
           "Vector register width in bits (256: AVX2, 512: AVX-512); 0 reads the host CPU">
  ];
  let dependentDialects = [
    "mlir::linalg::LinalgDialect", "mlir::scf::SCFDialect", "mlir::tensor::TensorDialect",
    "mlir::vector::VectorDialect", "mlir::LLVM::LLVMDialect"
  ];
}

def KilnVectorLowerPass : Pass<"kiln-vector-lower", "mlir::func::FuncOp"> {
  let summary = "Keeps vector accumulators in registers and lowers vector ops to 1-D";
  let description = [{
    After bufferization: folds subviews into vector transfers, hoists loop-invariant code and
    the redundant transfers of accumulators out of the reduction loops (so an accumulator is
    loaded once per register tile, not once per step), then lowers contractions to outer
    products and FMAs and transfers to 1-D loads and stores, group by group (one combined
    pattern group exhausts memory on convolutions in MLIR 19; docs/codegen-plan.md).
  }];
  let dependentDialects = ["mlir::vector::VectorDialect", "mlir::scf::SCFDialect"];
}

def KilnPrefetchEpiloguePass : Pass<"kiln-prefetch-epilogue", "mlir::func::FuncOp"> {
  let summary = "Prefetches a register tile's epilogue operands before its reduction loop";
  let description = [{
    The last pass of kiln-bufferize, after buffer deallocation (whose ownership analysis
    refuses memref.prefetch: it declares no memory effects): for each register tile's
    reduction loop (an scf.for carrying
    vectors, outermost of its kind), every 1-D vector.load that follows the loop in its block
    and reads a memref the loop does not read (a residual added to the tile's accumulators)
    gets a memref.prefetch of each cache line of its row, placed before the loop; the index
    arithmetic it needs is cloned there. The misses of those loads, which the hardware
    prefetcher does not predict with channels-last rows a pixel apart, then overlap with the
    tile's FMAs. Loads whose memref or indices cannot be computed before the loop (they
    depend on it, or on ops with side effects) are left alone.
  }];
  let options = [
    Option<"tilesAhead", "tiles-ahead", "unsigned", /*default=*/"1",
           "Prefetch the rows of the tile this many iterations of the loop around the "
           "tile later (0: the tile's own rows)">,
  ];
  let dependentDialects = ["mlir::arith::ArithDialect", "mlir::memref::MemRefDialect"];
}

def KilnOutlineLoopNestsPass : Pass<"kiln-outline-loop-nests", "mlir::ModuleOp"> {
  let summary = "Moves each top-level loop nest of a function into its own function";
  let description = [{
    After bufferization: every loop nest (scf loops, linalg ops) at the top level of a
    function becomes a private, never-inlined function `<name>_nest<i>` taking the memrefs
    and scalars it uses; constants and views are rebuilt inside, so bounds stay static. LLVM
    then optimises many small functions instead of one huge one, whose compile time grows
    faster than linearly (a ResNet-20 training step: 4 of 5 minutes in dominator-tree
    updates).
  }];
  let dependentDialects = ["mlir::func::FuncDialect"];
}

#endif // KILN_CODEGEN_PASSES_TD
