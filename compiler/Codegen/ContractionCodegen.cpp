//===- ContractionCodegen.cpp - the kiln-codegen-contractions pass --------===//
//
// Register tiling and vectorization of convolutions and matmuls on tensors, with the C++ API
// of the transformations that docs/codegen-plan.md's transform-dialect prototype measured:
// tile (scf.for), reduce a convolution tile to a 1-D convolution, vectorize the tile, fold
// the tile's slices into vector transfers. Tile sizes come from CpuTarget.cpp.
//
//===----------------------------------------------------------------------===//
#include "compiler/Codegen/CpuTarget.h"
#include "compiler/Codegen/Passes.h"

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

/// Tiles `op` with one scf.for per non-zero size and returns the op computing one tile.
FailureOr<linalg::LinalgOp> tileWithLoops(RewriterBase &rewriter, linalg::LinalgOp op,
                                          ArrayRef<int64_t> sizes) {
  scf::SCFTilingOptions options;
  options.setTileSizes(getAsIndexOpFoldResult(rewriter.getContext(), sizes));
  rewriter.setInsertionPoint(op);
  FailureOr<scf::SCFTilingResult> tiled =
      scf::tileUsingSCF(rewriter, cast<TilingInterface>(op.getOperation()), options);
  if (failed(tiled))
    return failure();
  rewriter.replaceOp(op, tiled->replacements);
  return cast<linalg::LinalgOp>(tiled->tiledOps.front());
}

/// A register tile of the convolution has kh = kw = 1: as a 1-D convolution along the output
/// row, the linalg vectorizer emits one broadcast-FMA per input channel and filter vector.
LogicalResult generateConvolution(RewriterBase &rewriter, linalg::Conv2DNhwcHwcfOp conv,
                                  const CpuTarget &target) {
  std::optional<SmallVector<int64_t>> bounds = staticFloatLoopBounds(conv);
  if (!bounds)
    return success();
  std::optional<SmallVector<int64_t>> tile = chooseConvRegisterTile(*bounds, target);
  if (!tile)
    return success();
  FailureOr<linalg::LinalgOp> tiled = tileWithLoops(rewriter, conv, *tile);
  if (failed(tiled))
    return conv.emitError("kiln-codegen-contractions: tiling the convolution failed");
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
/// of C that stays in registers across k.
LogicalResult generateMatmul(RewriterBase &rewriter, linalg::MatmulOp matmul,
                             const CpuTarget &target) {
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
  FailureOr<linalg::LinalgOp> tiled = tileWithLoops(rewriter, current, *registerTile);
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
    for (linalg::LinalgOp op : contractions) {
      LogicalResult generated =
          isa<linalg::MatmulOp>(op)
              ? generateMatmul(rewriter, cast<linalg::MatmulOp>(op), target)
              : generateConvolution(rewriter, cast<linalg::Conv2DNhwcHwcfOp>(op), target);
      if (failed(generated))
        return signalPassFailure();
    }
    // What transform.structured.vectorize_children_and_apply_patterns adds after
    // vectorizing: contractions recognised in the vectorized bodies, transfers of the tiles'
    // slices read straight from the full tensors.
    RewritePatternSet patterns(&getContext());
    vector::populateVectorTransferPermutationMapLoweringPatterns(patterns);
    vector::populateVectorReductionToContractPatterns(patterns);
    vector::populateSinkVectorBroadcastPatterns(patterns);
    vector::TransferReadOp::getCanonicalizationPatterns(patterns, &getContext());
    vector::TransferWriteOp::getCanonicalizationPatterns(patterns, &getContext());
    tensor::populateFoldTensorSubsetIntoVectorTransferPatterns(patterns);
    if (failed(applyPatternsAndFoldGreedily(func, std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
