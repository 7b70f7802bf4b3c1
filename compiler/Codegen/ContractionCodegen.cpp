//===- ContractionCodegen.cpp - the kiln-codegen-contractions pass --------===//
//
// Register tiling and vectorization of convolutions and matmuls on tensors, with the C++ API
// of the transformations that docs/codegen-plan.md's transform-dialect prototype measured:
// tile (scf.for), reduce a convolution tile to a 1-D convolution, vectorize the tile, fold
// the tile's slices into vector transfers. Tile sizes come from CpuTarget.cpp.
//
//===----------------------------------------------------------------------===//
#include "compiler/Codegen/CpuTarget.h"
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
/// `outermost`, when given, receives the outermost loop.
FailureOr<linalg::LinalgOp> tileWithLoops(RewriterBase &rewriter, linalg::LinalgOp op,
                                          ArrayRef<int64_t> sizes,
                                          Operation **outermost = nullptr) {
  scf::SCFTilingOptions options;
  options.setTileSizes(getAsIndexOpFoldResult(rewriter.getContext(), sizes));
  rewriter.setInsertionPoint(op);
  FailureOr<scf::SCFTilingResult> tiled =
      scf::tileUsingSCF(rewriter, cast<TilingInterface>(op.getOperation()), options);
  if (failed(tiled))
    return failure();
  rewriter.replaceOp(op, tiled->replacements);
  if (outermost && !tiled->loops.empty())
    *outermost = tiled->loops.front();
  return cast<linalg::LinalgOp>(tiled->tiledOps.front());
}

/// Tiles `op` like tileWithLoops, with the op that computes its output's starting value (a
/// fill or bias broadcast that kiln-parallelize moved into the task) tiled into the same
/// loops: each tile then starts its accumulators from a slice it has just written, not from
/// an output written in a pass of its own and read back cold.
FailureOr<linalg::LinalgOp> tileWithOutputStart(RewriterBase &rewriter, linalg::LinalgOp op,
                                                ArrayRef<int64_t> sizes) {
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
  for (Operation *producer : tiled->fusedProducers)
    if (producer->use_empty())
      rewriter.eraseOp(producer);
  return cast<linalg::LinalgOp>(tiled->tiledAndFusedOps.front());
}

/// The packed copy of each (filter, block size) made so far in the function.
using PackedFilters = DenseMap<std::pair<Value, int64_t>, Value>;

/// Follows full-size tensor.extract_slice ops back to the tensor they view: each task of
/// kiln-parallelize takes the whole filter that way.
Value throughFullSlices(Value value) {
  while (auto slice = value.getDefiningOp<tensor::ExtractSliceOp>()) {
    if (slice.getSourceType() != slice.getResultType() ||
        !llvm::all_of(slice.getMixedOffsets(), isZeroIndex) ||
        !llvm::all_of(slice.getMixedStrides(),
                      [](OpFoldResult stride) { return isConstantIntValue(stride, 1); }))
      break;
    value = slice.getSource();
  }
  return value;
}

/// The filter [KH, KW, C, F] rearranged as [F / block, KH, KW, C, block]: each block of
/// output channels contiguous. Computed once, right after the filter itself, whatever
/// number of tasks and tiles read it.
Value packFilter(RewriterBase &rewriter, Value filter, int64_t block) {
  OpBuilder::InsertionGuard guard(rewriter);
  if (Operation *producer = filter.getDefiningOp())
    rewriter.setInsertionPointAfter(producer);
  else
    rewriter.setInsertionPointToStart(cast<BlockArgument>(filter).getOwner());
  auto type = cast<RankedTensorType>(filter.getType());
  ArrayRef<int64_t> shape = type.getShape();
  Location loc = filter.getLoc();
  auto blockedType = RankedTensorType::get(
      {shape[0], shape[1], shape[2], shape[3] / block, block}, type.getElementType());
  Value blocked = rewriter.create<tensor::ExpandShapeOp>(
      loc, blockedType, filter, ArrayRef<ReassociationIndices>{{0}, {1}, {2}, {3, 4}});
  Value packed = rewriter.create<tensor::EmptyOp>(
      loc, ArrayRef<int64_t>{shape[3] / block, shape[0], shape[1], shape[2], block},
      type.getElementType());
  return rewriter
      .create<linalg::TransposeOp>(loc, blocked, packed, ArrayRef<int64_t>{3, 0, 1, 2, 4})
      ->getResult(0);
}

/// Splits `conv` into one convolution per block of `block` output channels, each reading its
/// block of the packed filter, and returns the convolution of one block. In [KH, KW, C, F] a
/// block's filter rows lie F floats apart: for ResNet-50's 512-channel layers, 2 KB strides
/// that map the whole block onto a few cache sets, so that it streamed from memory for every
/// output row (the filter loads were the hottest instructions of the tile). Packed, the
/// block is one contiguous run that stays in cache across the rows.
FailureOr<linalg::LinalgOp> splitByFilterBlock(RewriterBase &rewriter, linalg::LinalgOp conv,
                                               int64_t block, PackedFilters &packedFilters) {
  Value filter = throughFullSlices(conv.getDpsInputOperand(1)->get());
  Value &packed = packedFilters[{filter, block}];
  if (!packed)
    packed = packFilter(rewriter, filter, block);
  FailureOr<linalg::LinalgOp> tile =
      tileWithOutputStart(rewriter, conv, {0, 0, 0, block, 0, 0, 0});
  if (failed(tile))
    return failure();
  OpOperand *tileFilter = tile->getDpsInputOperand(1);
  auto slice = tileFilter->get().getDefiningOp<tensor::ExtractSliceOp>();
  if (!slice)
    return failure();
  rewriter.setInsertionPoint(*tile);
  Location loc = slice.getLoc();
  AffineExpr offset = rewriter.getAffineDimExpr(0);
  OpFoldResult blockIndex = affine::makeComposedFoldedAffineApply(
      rewriter, loc, offset.floorDiv(block), {slice.getMixedOffsets()[3]});
  auto sliceType = cast<RankedTensorType>(slice.getType());
  ArrayRef<int64_t> shape = sliceType.getShape();
  SmallVector<OpFoldResult> offsets(5, rewriter.getIndexAttr(0));
  offsets[0] = blockIndex;
  SmallVector<OpFoldResult> sizes = getAsIndexOpFoldResult(
      rewriter.getContext(), ArrayRef<int64_t>{1, shape[0], shape[1], shape[2], block});
  SmallVector<OpFoldResult> strides(5, rewriter.getIndexAttr(1));
  Value blockFilter = rewriter.create<tensor::ExtractSliceOp>(loc, sliceType, packed, offsets,
                                                              sizes, strides);
  rewriter.modifyOpInPlace(*tile, [&] { tileFilter->set(blockFilter); });
  return tile;
}

/// A register tile of the convolution has kh = kw = 1: as a 1-D convolution along the output
/// row, the linalg vectorizer emits one broadcast-FMA per input channel and filter vector.
/// When the tile covers only part of the output channels, the filter is packed first.
LogicalResult generateConvolution(RewriterBase &rewriter, linalg::Conv2DNhwcHwcfOp conv,
                                  const CpuTarget &target,
                                  PackedFilters &packedFilters) {
  std::optional<SmallVector<int64_t>> bounds = staticFloatLoopBounds(conv);
  if (!bounds)
    return success();
  std::optional<SmallVector<int64_t>> tile = chooseConvRegisterTile(*bounds, target);
  if (!tile)
    return success();
  linalg::LinalgOp current = conv;
  if ((*tile)[3] < (*bounds)[3]) {
    FailureOr<linalg::LinalgOp> blockConv =
        splitByFilterBlock(rewriter, current, (*tile)[3], packedFilters);
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
  FailureOr<linalg::LinalgOp> tiled = tileWithLoops(rewriter, *outputTiled, reductionTile);
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
  return success();
}

/// Cache tiles first (when the matrices are large enough to need them), then a register tile
/// of C that stays in registers across k; `registerLoops` receives the register tile's
/// outermost loop.
LogicalResult generateMatmul(RewriterBase &rewriter, linalg::MatmulOp matmul,
                             const CpuTarget &target, Operation *&registerLoops) {
  std::optional<SmallVector<int64_t>> bounds = staticFloatLoopBounds(matmul);
  if (!bounds)
    return success();
  std::optional<SmallVector<int64_t>> registerTile = chooseMatmulRegisterTile(*bounds, target);
  if (!registerTile)
    return success();
  linalg::LinalgOp current = matmul;
  SmallVector<int64_t> cacheTile = chooseMatmulCacheTile(*bounds, *registerTile);
  if (llvm::any_of(cacheTile, [](int64_t size) { return size != 0; })) {
    FailureOr<linalg::LinalgOp> tiled = tileWithLoops(rewriter, current, cacheTile);
    if (failed(tiled))
      return matmul.emitError("kiln-codegen-contractions: cache tiling the matmul failed");
    current = *tiled;
  }
  FailureOr<linalg::LinalgOp> tiled =
      tileWithLoops(rewriter, current, *registerTile, &registerLoops);
  if (failed(tiled))
    return current.emitError("kiln-codegen-contractions: register tiling the matmul failed");
  if (failed(linalg::vectorize(rewriter, *tiled)))
    return tiled->getOperation()->emitError(
        "kiln-codegen-contractions: vectorizing a matmul tile failed");
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
    PackedFilters packedFilters;
    SmallVector<Operation *> matmulTiles;
    for (linalg::LinalgOp op : contractions) {
      Operation *registerLoops = nullptr;
      LogicalResult generated =
          isa<linalg::MatmulOp>(op)
              ? generateMatmul(rewriter, cast<linalg::MatmulOp>(op), target, registerLoops)
              : generateConvolution(rewriter, cast<linalg::Conv2DNhwcHwcfOp>(op), target,
                                    packedFilters);
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
