//===- VectorizeElementwise.cpp - the kiln-vectorize-elementwise pass -----===//
//
// Everything but the contractions (elementwise chains, broadcasts such as a bias that
// initialises a convolution's output, layout changes between NCHW and NHWC) used to reach
// LLVM as scalar loop nests with static trip counts. LLVM's loop vectorizer guarded each one
// with run-time overlap checks and unrolled it: at batch 8 one bias broadcast became 89,000
// lines of IR, and such nests took most of ResNet-50's compile time. Here each such op is
// tiled into blocks along the loop its result is written along (and, for a layout change,
// the loop its input is read along) and each block is vectorized: vector reads, vector
// arithmetic, for a layout change a transpose in registers (shuffles), vector writes. Sums
// along vectors (batch norm's per-channel statistics of a channels-last activation) are
// blocked the same way, one input vector added per step of their reduced loops.
//
//===----------------------------------------------------------------------===//
#include "compiler/Codegen/CpuTarget.h"
#include "compiler/Codegen/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
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
#include "mlir/Dialect/X86Vector/Transforms.h"
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
/// every other loop 1. A reduction (a sum per channel of a channels-last tensor) gets a block
/// only when every input that varies along the written loop is contiguous along it too: its
/// vectors are then sums of whole input vectors, one per step of the reduced loops. Empty when
/// the op is not a statically shaped fp32 op whose operands are read through projected
/// permutations, or when a block side would be shorter than 4 (a 3-channel image: shuffles
/// would not pay).
SmallVector<int64_t> chooseBlock(linalg::LinalgOp op, int64_t lanes) {
  if (op.getNumDpsInits() != 1 || op.hasIndexSemantics() || op.getNumLoops() == 0)
    return {};
  for (Value operand : op->getOperands()) {
    auto type = dyn_cast<RankedTensorType>(operand.getType());
    if (!type || !type.hasStaticShape() || !type.getElementType().isF32())
      return {};
  }
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  bool reduces = op.getNumReductionLoops() != 0;
  if (maps.back().getNumResults() == 0 || (!reduces && !maps.back().isPermutation()) ||
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
  if (reduces && read)
    return {};
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

/// Moves the loop a reduction's vectors run along (the written loop) innermost, permuting
/// `block` with the loops: the vectorizer orders a block's vector dimensions as its loops, and
/// with a reduced loop inside the written one it would read each input vector and then move
/// its elements one by one into a transposed vector of the same values.
LogicalResult iterateAlongVectorLast(RewriterBase &rewriter, linalg::LinalgOp &op,
                                     SmallVector<int64_t> &block) {
  auto generic = dyn_cast<linalg::GenericOp>(op.getOperation());
  if (!generic || op.getNumReductionLoops() == 0)
    return success();
  unsigned written = innermostLoop(op.getIndexingMapsArray().back());
  if (written == op.getNumLoops() - 1)
    return success();
  SmallVector<unsigned> order;
  for (unsigned loop = 0; loop < op.getNumLoops(); ++loop)
    if (loop != written)
      order.push_back(loop);
  order.push_back(written);
  rewriter.setInsertionPoint(generic);
  FailureOr<linalg::GenericOp> interchanged =
      linalg::interchangeGenericOp(rewriter, generic, order);
  if (failed(interchanged))
    return generic.emitError("kiln-vectorize-elementwise: reordering a reduction's loops failed");
  op = *interchanged;
  SmallVector<int64_t> permuted;
  for (unsigned loop : order)
    permuted.push_back(block[loop]);
  block = permuted;
  return success();
}

/// A generic reading a small operand through size-1 dimensions indexed by the constant 0 (a
/// per-channel [C, 1, 1] statistic that every pixel reads) reads it collapsed to the
/// dimensions that vary instead: upstream's vectorizer takes only maps that are projected
/// permutations, and batch norm's broadcasts would otherwise stay scalar loops.
struct ReadBroadcastsWithoutUnitDims : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(linalg::GenericOp op, PatternRewriter &rewriter) const override {
    SmallVector<AffineMap> maps = op.getIndexingMapsArray();
    SmallVector<Value> inputs(op.getDpsInputs());
    bool changed = false;
    for (auto [index, input] : llvm::enumerate(inputs)) {
      auto type = dyn_cast<RankedTensorType>(input.getType());
      if (!type)
        continue;
      AffineMap map = maps[index];
      auto isUnitZero = [&](int64_t dim) {
        auto constant = dyn_cast<AffineConstantExpr>(map.getResult(dim));
        return constant && constant.getValue() == 0 && type.getDimSize(dim) == 1;
      };
      // Each dropped dimension joins the group of the kept one before it (the first kept
      // one when it leads); with none kept the operand becomes a rank-0 tensor.
      SmallVector<ReassociationIndices> groups;
      SmallVector<unsigned> kept;
      ReassociationIndices leading;
      for (int64_t dim = 0; dim < type.getRank(); ++dim) {
        if (!isUnitZero(dim)) {
          kept.push_back(dim);
          groups.push_back(leading);
          leading.clear();
          groups.back().push_back(dim);
        } else if (groups.empty()) {
          leading.push_back(dim);
        } else {
          groups.back().push_back(dim);
        }
      }
      if (kept.size() == static_cast<size_t>(type.getRank()))
        continue;
      input = rewriter.create<tensor::CollapseShapeOp>(op.getLoc(), input, groups);
      maps[index] = map.getSubMap(kept);
      changed = true;
    }
    if (!changed)
      return failure();
    rewriter.modifyOpInPlace(op, [&] {
      op.getInputsMutable().assign(inputs);
      op.setIndexingMapsAttr(rewriter.getAffineMapArrayAttr(maps));
    });
    return success();
  }
};

struct KilnVectorizeElementwisePass
    : kiln::impl::KilnVectorizeElementwisePassBase<KilnVectorizeElementwisePass> {
  using KilnVectorizeElementwisePassBase::KilnVectorizeElementwisePassBase;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    int64_t lanes = kiln::CpuTarget::fromVectorBits(vectorBits).vectorFloats;
    RewritePatternSet collapse(&getContext());
    collapse.add<ReadBroadcastsWithoutUnitDims>(&getContext());
    if (failed(applyPatternsAndFoldGreedily(func, std::move(collapse))))
      return signalPassFailure();
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
      if (failed(iterateAlongVectorLast(rewriter, op, block)))
        return signalPassFailure();
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
    // the transfers (as after the contractions' vectorization). Only in the blocks' loops: a
    // contraction's accumulator tile is read and written through one permutation map, which
    // kiln-vector-lower needs to keep it in registers across the reduction (hoisting pairs
    // the read with the write); a whole op vectorized as one block has no slices to fold and
    // its permuted transfers are lowered with the rest by kiln-vector-lower.
    RewritePatternSet patterns(&getContext());
    vector::populateVectorTransferPermutationMapLoweringPatterns(patterns);
    vector::TransferReadOp::getCanonicalizationPatterns(patterns, &getContext());
    vector::TransferWriteOp::getCanonicalizationPatterns(patterns, &getContext());
    tensor::populateFoldTensorSubsetIntoVectorTransferPatterns(patterns);
    FrozenRewritePatternSet frozen(std::move(patterns));
    for (Operation *loop : blockLoops)
      if (failed(applyPatternsAndFoldGreedily(loop, frozen)))
        return signalPassFailure();

    // The blocks' transposes, and only those, become shuffles now: the contractions'
    // transposes are left to the lowering the FMA schedule was measured with. An 8 x 8 block
    // on AVX2 takes MLIR's AVX2 sequence (unpacks, shuffles, blends and 128-bit permutes of
    // 8-float rows): as one 64-float shuffle, LLVM loaded each element on its own
    // (a broadcast and a blend per float), and the layer-1 input transposes of a ResNet-20
    // training step ran 3x slower than the batch norm that writes as many bytes.
    SmallVector<Operation *> transposes;
    for (Operation *loop : blockLoops)
      loop->walk([&](vector::TransposeOp transpose) { transposes.push_back(transpose); });
    RewritePatternSet shuffles(&getContext());
    if (lanes == 8)
      x86vector::avx2::populateSpecializedTransposeLoweringPatterns(
          shuffles, x86vector::avx2::LoweringOptions().setTransposeOptions(
                        x86vector::avx2::TransposeLoweringOptions().lower8x8xf32()));
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
