//===- ContractionCodegen.cpp - the kiln-codegen-contractions pass --------===//
//
// Register tiling and vectorization of convolutions and matmuls on tensors, with the C++ API
// of the transformations that docs/codegen-plan.md's transform-dialect prototype measured:
// tile (scf.for), reduce a convolution tile to a 1-D convolution, vectorize the tile, fold
// the tile's slices into vector transfers. Tile sizes come from CpuTarget.cpp.
//
//===----------------------------------------------------------------------===//
#include "compiler/Codegen/AccumulatorStart.h"
#include "compiler/Codegen/CpuTarget.h"
#include "compiler/Codegen/EpilogueFusion.h"
#include "compiler/Codegen/OutputStart.h"
#include "compiler/Codegen/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace kiln {
#define GEN_PASS_DEF_KILNCODEGENCONTRACTIONSPASS
#include "compiler/Codegen/Passes.h.inc"
} // namespace kiln

using namespace mlir;
using namespace kiln;

namespace {

/// The loop bounds of `op` when they are all static and every operand is fp32: the only
/// case the register tiles are sized for.
std::optional<SmallVector<int64_t>> staticFloatLoopBounds(linalg::LinalgOp op) {
  for (Value operand : op->getOperands()) {
    auto type = dyn_cast<RankedTensorType>(operand.getType());
    if (!type || !type.getElementType().isF32())
      return std::nullopt;
  }
  SmallVector<int64_t> bounds = op.getStaticLoopRanges();
  if (llvm::any_of(bounds, ShapedType::isDynamic))
    return std::nullopt;
  return bounds;
}

/// Tiles `op` with one scf.for per non-zero size and returns the op computing one tile;
/// `loops`, when given, receives the loops, outermost first.
FailureOr<linalg::LinalgOp> tileWithLoops(RewriterBase &rewriter, linalg::LinalgOp op,
                                          ArrayRef<int64_t> sizes,
                                          SmallVectorImpl<Operation *> *loops = nullptr) {
  scf::SCFTilingOptions options;
  options.setTileSizes(getAsIndexOpFoldResult(rewriter.getContext(), sizes));
  rewriter.setInsertionPoint(op);
  FailureOr<scf::SCFTilingResult> tiled =
      scf::tileUsingSCF(rewriter, cast<TilingInterface>(op.getOperation()), options);
  if (failed(tiled))
    return failure();
  rewriter.replaceOp(op, tiled->replacements);
  if (loops)
    for (LoopLikeOpInterface loop : tiled->loops)
      loops->push_back(loop);
  return cast<linalg::LinalgOp>(tiled->tiledOps.front());
}

/// Tiles `op` like tileWithLoops, with the op that computes its output's starting value (a
/// fill or bias broadcast that kiln-parallelize moved into the task) tiled into the same
/// loops: each tile then starts its accumulators from a slice it has just written, not from
/// an output written in a pass of its own and read back cold.
FailureOr<linalg::LinalgOp> tileWithOutputStart(RewriterBase &rewriter, linalg::LinalgOp op,
                                                ArrayRef<int64_t> sizes,
                                                SmallVectorImpl<Operation *> *loops = nullptr) {
  scf::SCFTileAndFuseOptions options;
  options.tilingOptions.setTileSizes(getAsIndexOpFoldResult(rewriter.getContext(), sizes));
  options.setFusionControlFn([](tensor::ExtractSliceOp, OpResult producer, bool isDestination) {
    auto start = dyn_cast<linalg::LinalgOp>(producer.getOwner());
    return std::make_tuple(isDestination && startsAnOutput(start), false);
  });
  rewriter.setInsertionPoint(op);
  FailureOr<scf::SCFTileAndFuseResult> tiled = scf::tileConsumerAndFuseProducersUsingSCF(
      rewriter, cast<TilingInterface>(op.getOperation()), options);
  if (failed(tiled))
    return failure();
  rewriter.replaceOp(op, tiled->replacements.lookup(op->getResult(0)));
  if (loops)
    for (LoopLikeOpInterface loop : tiled->loops)
      loops->push_back(loop);
  for (Operation *producer : tiled->fusedProducers)
    if (producer->use_empty())
      rewriter.eraseOp(producer);
  return cast<linalg::LinalgOp>(tiled->tiledAndFusedOps.front());
}

/// The packed copy of each (operand, block size) made so far in the function.
using PackedOperands = DenseMap<std::pair<Value, int64_t>, Value>;

/// Whether `offset` is a multiple of `block`: a constant, or the induction variable of a loop
/// (a task's scf.forall) whose lower bound and step are.
bool isMultipleOf(OpFoldResult offset, int64_t block) {
  if (std::optional<int64_t> constant = getConstantIntValue(offset))
    return *constant % block == 0;
  auto iv = dyn_cast_if_present<BlockArgument>(dyn_cast_if_present<Value>(offset));
  auto loop = iv ? dyn_cast<LoopLikeOpInterface>(iv.getOwner()->getParentOp()) : nullptr;
  if (!loop)
    return false;
  std::optional<SmallVector<Value>> ivs = loop.getLoopInductionVars();
  std::optional<SmallVector<OpFoldResult>> lowerBounds = loop.getLoopLowerBounds(),
                                           steps = loop.getLoopSteps();
  if (!ivs || !lowerBounds || !steps)
    return false;
  for (auto [candidate, lower, step] : llvm::zip(*ivs, *lowerBounds, *steps))
    if (candidate == iv)
      return isMultipleOf(lower, block) && isMultipleOf(step, block);
  return false;
}

/// Where a tile at `tileOffsets` in `value` reads from: the statically shaped tensor `value`
/// views through unit-stride tensor.extract_slice ops that take whole blocks of `block`
/// along the last dimension (each task of kiln-parallelize takes the whole filter that way;
/// a matmul's cache tile a range of B's rows; kiln-winograd's loop one position's matrix of
/// the transformed filter, dropping the leading dimension; its global matmul's tasks a
/// block of 128 columns of it), and the tile's offsets in that tensor. Packed once there,
/// rather than a slice per task: a layer-4 3x3 forward whose tasks each packed their block
/// of a position's filter took 6.58 ms on two threads, 5.82 with one packed copy.
std::pair<Value, SmallVector<OpFoldResult>>
throughSlicesOfWholeBlocks(RewriterBase &rewriter, Value value,
                           ArrayRef<OpFoldResult> tileOffsets, int64_t block) {
  SmallVector<OpFoldResult> offsets(tileOffsets);
  AffineExpr sum = rewriter.getAffineDimExpr(0) + rewriter.getAffineDimExpr(1);
  while (auto slice = value.getDefiningOp<tensor::ExtractSliceOp>()) {
    RankedTensorType source = slice.getSourceType();
    int64_t dropped = source.getRank() - slice.getType().getRank();
    ArrayRef<int64_t> sizes = slice.getStaticSizes();
    if (dropped < 0 || !source.hasStaticShape() || sizes.back() % block != 0 ||
        !llvm::all_of(sizes.take_front(dropped), [](int64_t size) { return size == 1; }) ||
        slice.getType().getShape() != sizes.drop_front(dropped) ||
        !isMultipleOf(slice.getMixedOffsets().back(), block) ||
        !llvm::all_of(slice.getMixedStrides(),
                      [](OpFoldResult stride) { return isConstantIntValue(stride, 1); }))
      break;
    SmallVector<OpFoldResult> sliceOffsets = slice.getMixedOffsets();
    SmallVector<OpFoldResult> sourceOffsets(sliceOffsets.begin(), sliceOffsets.begin() + dropped);
    for (auto [offset, sliceOffset] :
         llvm::zip(offsets, ArrayRef(sliceOffsets).drop_front(dropped)))
      sourceOffsets.push_back(affine::makeComposedFoldedAffineApply(
          rewriter, slice.getLoc(), sum, {offset, sliceOffset}));
    offsets = sourceOffsets;
    value = slice.getSource();
  }
  return {value, offsets};
}

/// `operand` [D0, ..., Dr] rearranged as [Dr / block, D0, ..., block]: each block of its last
/// dimension contiguous. Computed once, right after the operand itself, whatever number of
/// tasks and tiles read it.
Value packLastDimension(RewriterBase &rewriter, Value operand, int64_t block) {
  OpBuilder::InsertionGuard guard(rewriter);
  if (Operation *producer = operand.getDefiningOp())
    rewriter.setInsertionPointAfter(producer);
  else
    rewriter.setInsertionPointToStart(cast<BlockArgument>(operand).getOwner());
  auto type = cast<RankedTensorType>(operand.getType());
  int64_t rank = type.getRank();
  SmallVector<int64_t> blockedShape(type.getShape()), packedShape, permutation;
  blockedShape.back() /= block;
  blockedShape.push_back(block);
  SmallVector<ReassociationIndices> reassociation;
  for (int64_t dim = 0; dim < rank - 1; ++dim)
    reassociation.push_back({dim});
  reassociation.push_back({rank - 1, rank});
  permutation.push_back(rank - 1);
  for (int64_t dim = 0; dim < rank - 1; ++dim)
    permutation.push_back(dim);
  permutation.push_back(rank);
  for (int64_t dim : permutation)
    packedShape.push_back(blockedShape[dim]);
  Location loc = operand.getLoc();
  Value blocked = rewriter.create<tensor::ExpandShapeOp>(
      loc, RankedTensorType::get(blockedShape, type.getElementType()), operand, reassociation);
  Value packed = rewriter.create<tensor::EmptyOp>(loc, packedShape, type.getElementType());
  return rewriter.create<linalg::TransposeOp>(loc, blocked, packed, permutation)->getResult(0);
}

/// Splits `op` into one op per block of `block` iterations of `loop`, each reading its block
/// of the packed copy of input 1, whose last dimension `loop` indexes; returns the op of one
/// block. A convolution's filter [KH, KW, C, F] and a matmul's B [K, N] are read one block
/// of F (N) at a time: unpacked, a block's rows lie F floats apart, and at 256 to 1024
/// channels (1 to 4 KB) those rows map onto a few cache sets, so that the block streamed
/// from memory for every output row (the filter loads were the hottest instructions of
/// ResNet-50's layer-4 tiles, and a matmul whose B rows lie 4 KB apart ran at 15 % of the
/// FMA peak). Packed, the block is one contiguous run that stays in cache.
FailureOr<linalg::LinalgOp> splitByPackedBlock(RewriterBase &rewriter, linalg::LinalgOp op,
                                               unsigned loop, int64_t block,
                                               PackedOperands &packedOperands) {
  SmallVector<int64_t> blockTile(op.getNumLoops(), 0);
  blockTile[loop] = block;
  FailureOr<linalg::LinalgOp> tile = tileWithOutputStart(rewriter, op, blockTile);
  if (failed(tile))
    return failure();
  OpOperand *tileOperand = tile->getDpsInputOperand(1);
  auto slice = tileOperand->get().getDefiningOp<tensor::ExtractSliceOp>();
  if (!slice)
    return failure();
  rewriter.setInsertionPoint(*tile);
  auto [operand, tileOffsets] =
      throughSlicesOfWholeBlocks(rewriter, slice.getSource(), slice.getMixedOffsets(), block);
  Value &packed = packedOperands[{operand, block}];
  if (!packed)
    packed = packLastDimension(rewriter, operand, block);
  // The block's offsets in the packed operand: the block index, then the tile's offsets in
  // the other dimensions of the operand.
  Location loc = slice.getLoc();
  SmallVector<OpFoldResult> offsets = {affine::makeComposedFoldedAffineApply(
      rewriter, loc, rewriter.getAffineDimExpr(0).floorDiv(block), {tileOffsets.back()})};
  llvm::append_range(offsets, ArrayRef(tileOffsets).drop_back());
  offsets.push_back(rewriter.getIndexAttr(0));
  // The operand's leading dimensions that the tile's slice drops are one index wide.
  auto sliceType = cast<RankedTensorType>(slice.getType());
  SmallVector<int64_t> sizes(1 + tileOffsets.size() - sliceType.getRank(), 1);
  llvm::append_range(sizes, sliceType.getShape());
  SmallVector<OpFoldResult> strides(sizes.size(), rewriter.getIndexAttr(1));
  Value blockOperand = rewriter.create<tensor::ExtractSliceOp>(
      loc, sliceType, packed, offsets, getAsIndexOpFoldResult(rewriter.getContext(), sizes),
      strides);
  rewriter.modifyOpInPlace(*tile, [&] { tileOperand->set(blockOperand); });
  return tile;
}

/// A register tile of the convolution has kh = kw = 1: as a 1-D convolution along the output
/// row, the linalg vectorizer emits one broadcast-FMA per input channel and filter vector.
/// When the tile covers only part of the output channels, the filter is packed first.
LogicalResult generateConvolution(RewriterBase &rewriter, linalg::Conv2DNhwcHwcfOp conv,
                                  const CpuTarget &target,
                                  PackedOperands &packedOperands) {
  std::optional<SmallVector<int64_t>> bounds = staticFloatLoopBounds(conv);
  if (!bounds)
    return success();
  std::optional<SmallVector<int64_t>> tile = chooseConvRegisterTile(*bounds, target);
  if (!tile)
    return success();
  linalg::LinalgOp current = conv;
  if ((*tile)[3] < (*bounds)[3]) {
    FailureOr<linalg::LinalgOp> blockConv =
        splitByPackedBlock(rewriter, current, /*loop=*/3, (*tile)[3], packedOperands);
    if (failed(blockConv))
      return conv.emitError("kiln-codegen-contractions: packing the filter failed");
    current = *blockConv;
    (*tile)[3] = 0;
  }
  // The output tile first, with its starting value; then the reduction over kh, kw and c.
  SmallVector<int64_t> outputTile(*tile), reductionTile(*tile);
  std::fill(outputTile.begin() + 4, outputTile.end(), 0);
  std::fill(reductionTile.begin(), reductionTile.begin() + 4, 0);
  FailureOr<linalg::LinalgOp> outputTiled = tileWithOutputStart(rewriter, current, outputTile);
  if (failed(outputTiled))
    return current.emitError("kiln-codegen-contractions: tiling the convolution failed");
  auto start = outputTiled->getDpsInitOperand(0)->get().getDefiningOp<linalg::LinalgOp>();
  if (!startsAnOutput(start) || !start->hasOneUse())
    start = nullptr;
  SmallVector<Operation *> reductionLoops;
  FailureOr<linalg::LinalgOp> tiled =
      tileWithLoops(rewriter, *outputTiled, reductionTile, &reductionLoops);
  if (failed(tiled))
    return current.emitError("kiln-codegen-contractions: tiling the convolution failed");
  PatternRewriter patternRewriter(rewriter.getContext());
  patternRewriter.setInsertionPoint(*tiled);
  linalg::DownscaleSizeOneWindowed2DConvolution<linalg::Conv2DNhwcHwcfOp,
                                                linalg::Conv1DNwcWcfOp>
      toOneDimension(rewriter.getContext());
  FailureOr<linalg::Conv1DNwcWcfOp> row = toOneDimension.returningMatchAndRewrite(
      cast<linalg::Conv2DNhwcHwcfOp>(tiled->getOperation()), patternRewriter);
  if (failed(row))
    return tiled->getOperation()->emitError(
        "kiln-codegen-contractions: a 1x1-window convolution tile did not reduce to 1-D");
  if (failed(linalg::vectorize(rewriter, *row)))
    return row->emitError("kiln-codegen-contractions: vectorizing a convolution tile failed");
  if (start)
    startAccumulatorsInRegisters(rewriter, start, reductionLoops);
  return success();
}

/// When B is read by more than one register tile's rows (else packing only adds a copy), the
/// loops of a packed matmul: ranges of k for the cache, one matmul per block of the register
/// tile's columns reading B packed, then ranges of rows: a range of B's rows packed (16 KB at
/// 256 x 16) stays in L1 across the rows and the range of A's columns in L2 across the
/// blocks. Otherwise cache tiles (when the matrices are large enough to need them). Then a
/// register tile of C that stays in registers across k; `registerLoops` receives the
/// register tile's outermost loop.
LogicalResult generateMatmul(RewriterBase &rewriter, linalg::MatmulOp matmul,
                             const CpuTarget &target, PackedOperands &packedOperands,
                             Operation *&registerLoops) {
  std::optional<SmallVector<int64_t>> bounds = staticFloatLoopBounds(matmul);
  if (!bounds)
    return success();
  std::optional<SmallVector<int64_t>> registerTile = chooseMatmulRegisterTile(*bounds, target);
  if (!registerTile)
    return success();
  linalg::LinalgOp current = matmul;
  SmallVector<int64_t> cacheTile = chooseMatmulCacheTile(*bounds, *registerTile);
  auto tileCache = [&](ArrayRef<int64_t> sizes) -> LogicalResult {
    if (llvm::all_of(sizes, [](int64_t size) { return size == 0; }))
      return success();
    FailureOr<linalg::LinalgOp> tiled = tileWithLoops(rewriter, current, sizes);
    if (failed(tiled))
      return matmul.emitError("kiln-codegen-contractions: cache tiling the matmul failed");
    current = *tiled;
    return success();
  };
  if ((*registerTile)[1] < (*bounds)[1] && (*registerTile)[0] < (*bounds)[0]) {
    if (failed(tileCache({0, 0, cacheTile[2]})))
      return failure();
    FailureOr<linalg::LinalgOp> block =
        splitByPackedBlock(rewriter, current, /*loop=*/1, (*registerTile)[1], packedOperands);
    if (failed(block))
      return matmul.emitError("kiln-codegen-contractions: packing the matmul's B failed");
    current = *block;
    if (failed(tileCache({cacheTile[0], 0, 0})))
      return failure();
  } else if (failed(tileCache(cacheTile))) {
    return failure();
  }
  // A matmul that starts from a fill (kiln-winograd's products) starts its accumulators in
  // registers, like a convolution: the fill is tiled with the output tiles and vectorized
  // into the accumulators' first value, instead of zeros written whole and read back.
  SmallVector<Operation *> loops, reductionLoops;
  auto start = current.getDpsInitOperand(0)->get().getDefiningOp<linalg::LinalgOp>();
  bool startInRegisters = startsAnOutput(start) && start->hasOneUse();
  SmallVector<int64_t> outputTile(*registerTile), reductionTile(3, 0);
  if (startInRegisters) {
    outputTile[2] = 0;
    reductionTile[2] = (*registerTile)[2];
    FailureOr<linalg::LinalgOp> outputTiled =
        tileWithOutputStart(rewriter, current, outputTile, &loops);
    if (failed(outputTiled))
      return current.emitError("kiln-codegen-contractions: register tiling the matmul failed");
    current = *outputTiled;
    start = current.getDpsInitOperand(0)->get().getDefiningOp<linalg::LinalgOp>();
    if (!startsAnOutput(start) || !start->hasOneUse())
      start = nullptr;
  } else {
    reductionTile = outputTile;
  }
  FailureOr<linalg::LinalgOp> tiled =
      tileWithLoops(rewriter, current, reductionTile, &reductionLoops);
  if (failed(tiled))
    return current.emitError("kiln-codegen-contractions: register tiling the matmul failed");
  if (failed(linalg::vectorize(rewriter, *tiled)))
    return tiled->getOperation()->emitError(
        "kiln-codegen-contractions: vectorizing a matmul tile failed");
  if (startInRegisters && start)
    startAccumulatorsInRegisters(rewriter, start, reductionLoops);
  llvm::append_range(loops, reductionLoops);
  if (!loops.empty())
    registerLoops = loops.front();
  return success();
}

struct KilnCodegenContractionsPass
    : kiln::impl::KilnCodegenContractionsPassBase<KilnCodegenContractionsPass> {
  using KilnCodegenContractionsPassBase::KilnCodegenContractionsPassBase;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    CpuTarget target = CpuTarget::fromVectorBits(vectorBits);
    SmallVector<linalg::LinalgOp> contractions;
    func.walk([&](linalg::LinalgOp op) {
      if (isa<linalg::Conv2DNhwcHwcfOp, linalg::MatmulOp>(op))
        contractions.push_back(op);
    });
    if (contractions.empty())
      return;
    IRRewriter rewriter(&getContext());
    PackedOperands packedOperands;
    SmallVector<Operation *> matmulTiles;
    for (linalg::LinalgOp op : contractions) {
      Operation *registerLoops = nullptr;
      LogicalResult generated =
          isa<linalg::MatmulOp>(op)
              ? generateMatmul(rewriter, cast<linalg::MatmulOp>(op), target, packedOperands,
                               registerLoops)
              : generateConvolution(rewriter, cast<linalg::Conv2DNhwcHwcfOp>(op), target,
                                    packedOperands);
      if (failed(generated))
        return signalPassFailure();
      if (registerLoops)
        matmulTiles.push_back(registerLoops);
    }
    // What transform.structured.vectorize_children_and_apply_patterns adds after
    // vectorizing: contractions recognised in the vectorized bodies, transfers of the tiles'
    // slices read straight from the full tensors. A matmul tile's operands are read with
    // broadcast dimensions, which become vector.broadcast ops that fold into its contraction
    // as an outer product. A convolution tile's transfers keep their permutation maps: the
    // write of its accumulators (into a rank-reduced slice) would otherwise become a
    // broadcast and a transpose that no longer matches the read, and kiln-vector-lower
    // hoists the pair out of the reduction loops only when they match.
    // The matmul tiles first, while their loops are the ones the tiling made.
    FrozenRewritePatternSet inMatmuls = postVectorizationPatterns(/*lowerPermutations=*/true);
    for (Operation *tile : matmulTiles)
      if (failed(applyPatternsAndFoldGreedily(tile, inMatmuls)))
        return signalPassFailure();
    FrozenRewritePatternSet everywhere = postVectorizationPatterns(/*lowerPermutations=*/false);
    if (failed(applyPatternsAndFoldGreedily(func, everywhere)))
      return signalPassFailure();
    // The elementwise op kiln-parallelize put after a convolution in its task now meets the
    // tiles' accumulators.
    fuseElementwiseEpilogues(rewriter, func);
  }

  FrozenRewritePatternSet postVectorizationPatterns(bool lowerPermutations) {
    RewritePatternSet patterns(&getContext());
    if (lowerPermutations)
      vector::populateVectorTransferPermutationMapLoweringPatterns(patterns);
    vector::populateVectorReductionToContractPatterns(patterns);
    vector::populateSinkVectorBroadcastPatterns(patterns);
    vector::TransferReadOp::getCanonicalizationPatterns(patterns, &getContext());
    vector::TransferWriteOp::getCanonicalizationPatterns(patterns, &getContext());
    tensor::populateFoldTensorSubsetIntoVectorTransferPatterns(patterns);
    return FrozenRewritePatternSet(std::move(patterns));
  }
};

} // namespace
