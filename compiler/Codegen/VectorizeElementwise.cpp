//===- VectorizeElementwise.cpp - the kiln-vectorize-elementwise pass -----===//
//
// Everything but the contractions (elementwise chains, broadcasts such as a bias that
// initialises a convolution's output, layout changes between NCHW and NHWC) used to reach
// LLVM as scalar loop nests with static trip counts. LLVM's loop vectorizer guarded each one
// with run-time overlap checks and unrolled it: at batch 8 one bias broadcast became 89,000
// lines of IR, and such nests took most of ResNet-50's compile time. Here each such op is
// tiled into blocks along the loop its result is written along (and, for a layout change,
// the loop its input is read along) and each block is vectorized: vector reads, vector
// arithmetic, for a layout change a transpose in registers (shuffles), vector writes.
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
#define GEN_PASS_DEF_KILNVECTORIZEELEMENTWISEPASS
#include "compiler/Codegen/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace {

/// The loop that indexes the innermost (contiguous) dimension of `map`'s operand.
unsigned innermostLoop(AffineMap map) {
  return cast<AffineDimExpr>(map.getResults().back()).getPosition();
}

/// The block of an elementwise op: the loop along which the result is written contiguously,
/// cut to at most `lanes` (a divisor of its bound), and when an input runs contiguously along
/// another loop that it also reads the written loop with (a layout change), that loop too;
/// every other loop 1. Empty when the op is not an all-parallel, statically shaped fp32 op
/// whose operands are read through projected permutations, or when a block side would be
/// shorter than 4 (a 3-channel image: shuffles would not pay).
SmallVector<int64_t> chooseBlock(linalg::LinalgOp op, int64_t lanes) {
  if (op.getNumDpsInits() != 1 || op.getNumReductionLoops() != 0 || op.hasIndexSemantics() ||
      op.getNumLoops() == 0)
    return {};
  for (Value operand : op->getOperands()) {
    auto type = dyn_cast<RankedTensorType>(operand.getType());
    if (!type || !type.hasStaticShape() || !type.getElementType().isF32())
      return {};
  }
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  if (!maps.back().isPermutation() ||
      !llvm::all_of(maps, [](AffineMap map) { return map.isProjectedPermutation(); }))
    return {};
  unsigned written = innermostLoop(maps.back());
  std::optional<unsigned> read;
  for (AffineMap map : ArrayRef(maps).drop_back()) {
    if (map.getNumResults() == 0 || innermostLoop(map) == written)
      continue;
    if (map.isFunctionOfDim(written)) {
      read = innermostLoop(map);
      break;
    }
  }
  SmallVector<int64_t> bounds = op.getStaticLoopRanges();
  SmallVector<int64_t> block(bounds.size(), 1);
  block[written] = kiln::largestDivisorAtMost(bounds[written], lanes);
  if (block[written] < 4)
    return {};
  if (read) {
    block[*read] = kiln::largestDivisorAtMost(bounds[*read], lanes);
    if (block[*read] < 4)
      return {};
  }
  return block;
}

struct KilnVectorizeElementwisePass
    : kiln::impl::KilnVectorizeElementwisePassBase<KilnVectorizeElementwisePass> {
  using KilnVectorizeElementwisePassBase::KilnVectorizeElementwisePassBase;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    int64_t lanes = kiln::CpuTarget::fromVectorBits(vectorBits).vectorFloats;
    SmallVector<std::pair<linalg::LinalgOp, SmallVector<int64_t>>> candidates;
    func.walk([&](linalg::LinalgOp op) {
      if (!isa<linalg::TransposeOp, linalg::GenericOp>(op))
        return;
      SmallVector<int64_t> block = chooseBlock(op, lanes);
      // A body the vectorizer cannot handle stays a scalar loop nest, as before this pass.
      if (!block.empty() && succeeded(linalg::vectorizeOpPrecondition(op)))
        candidates.push_back({op, block});
    });
    if (candidates.empty())
      return;

    IRRewriter rewriter(&getContext());
    SmallVector<Operation *> blockLoops;
    for (auto &[op, block] : candidates) {
      scf::SCFTilingOptions options;
      options.setTileSizes(getAsIndexOpFoldResult(&getContext(), block));
      rewriter.setInsertionPoint(op);
      FailureOr<scf::SCFTilingResult> tiled =
          scf::tileUsingSCF(rewriter, cast<TilingInterface>(op.getOperation()), options);
      if (failed(tiled)) {
        op.emitError("kiln-vectorize-elementwise: tiling an elementwise op failed");
        return signalPassFailure();
      }
      rewriter.replaceOp(op, tiled->replacements);
      auto blockOp = cast<linalg::LinalgOp>(tiled->tiledOps.front());
      if (failed(linalg::vectorize(rewriter, blockOp))) {
        blockOp.emitError("kiln-vectorize-elementwise: vectorizing a block failed");
        return signalPassFailure();
      }
      if (!tiled->loops.empty())
        blockLoops.push_back(tiled->loops.front());
    }

    // Permuted reads become plain reads and vector.transpose; the block's slices fold into
    // the transfers (as after the contractions' vectorization).
    RewritePatternSet patterns(&getContext());
    vector::populateVectorTransferPermutationMapLoweringPatterns(patterns);
    vector::TransferReadOp::getCanonicalizationPatterns(patterns, &getContext());
    vector::TransferWriteOp::getCanonicalizationPatterns(patterns, &getContext());
    tensor::populateFoldTensorSubsetIntoVectorTransferPatterns(patterns);
    if (failed(applyPatternsAndFoldGreedily(func, std::move(patterns))))
      return signalPassFailure();

    // The blocks' transposes, and only those, become shuffles now: the contractions'
    // transposes are left to the lowering the FMA schedule was measured with.
    SmallVector<Operation *> transposes;
    for (Operation *loop : blockLoops)
      loop->walk([&](vector::TransposeOp transpose) { transposes.push_back(transpose); });
    RewritePatternSet shuffles(&getContext());
    vector::populateVectorTransposeLoweringPatterns(
        shuffles, vector::VectorTransformsOptions().setVectorTransposeLowering(
                      lanes == 16 ? vector::VectorTransposeLowering::Shuffle16x16
                                  : vector::VectorTransposeLowering::Shuffle1D));
    vector::populateCastAwayVectorLeadingOneDimPatterns(shuffles);
    GreedyRewriteConfig config;
    config.strictMode = GreedyRewriteStrictness::ExistingAndNewOps;
    if (failed(applyOpPatternsAndFold(transposes, std::move(shuffles), config)))
      return signalPassFailure();
  }
};

} // namespace
