//===- VectorLowering.cpp - the kiln-vector-lower pass --------------------===//
//
// The post-bufferization half of the contraction schedule (docs/codegen-plan.md, steps 6-7):
// subviews folded into transfers, loop-invariant code and accumulator transfers hoisted out of
// the reduction loops, then contractions to FMAs and transfers to 1-D loads and stores. The
// pattern groups are applied one after the other: MLIR 19 ran out of memory on a convolution
// with the groups combined.
//
//===----------------------------------------------------------------------===//
#include "compiler/Codegen/Passes.h"

#include "mlir/Conversion/VectorToSCF/VectorToSCF.h"
#include "mlir/Dialect/Linalg/Transforms/Hoisting.h"
#include "mlir/Dialect/MemRef/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorTransforms.h"
#include "mlir/IR/Dominance.h"
#include "mlir/Interfaces/LoopLikeInterface.h"
#include "mlir/Transforms/CSE.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Transforms/LoopInvariantCodeMotionUtils.h"

namespace kiln {
#define GEN_PASS_DEF_KILNVECTORLOWERPASS
#include "compiler/Codegen/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace {

/// linalg::hoistRedundantVectorTransfers on each top-level nest of `func` rather than on
/// `func`: after each transfer it hoists, it walks all of its root again, and the hundreds of
/// nests of a training step with kiln-winograd's tasks took 10 s that way. A loop at the top
/// level is hoisted from inside an scf.execute_region made for the purpose (the hoisting
/// replaces a loop it hoists out of, which must not be its root) and put back after.
void hoistNestByNest(RewriterBase &rewriter, func::FuncOp func) {
  SmallVector<Operation *> nests;
  for (Operation &op : func.getBody().front())
    if (op.getNumRegions() != 0)
      nests.push_back(&op);
  for (Operation *nest : nests) {
    if (!isa<LoopLikeOpInterface>(nest) || nest->getNumResults() != 0) {
      linalg::hoistRedundantVectorTransfers(nest);
      continue;
    }
    rewriter.setInsertionPoint(nest);
    auto wrapper = rewriter.create<scf::ExecuteRegionOp>(nest->getLoc(), TypeRange{});
    Block *body = rewriter.createBlock(&wrapper.getRegion());
    rewriter.create<scf::YieldOp>(nest->getLoc());
    nest->moveBefore(body->getTerminator());
    linalg::hoistRedundantVectorTransfers(wrapper);
    rewriter.eraseOp(body->getTerminator());
    rewriter.inlineBlockBefore(body, wrapper);
    rewriter.eraseOp(wrapper);
  }
}

struct KilnVectorLowerPass : kiln::impl::KilnVectorLowerPassBase<KilnVectorLowerPass> {
  using KilnVectorLowerPassBase::KilnVectorLowerPassBase;

  LogicalResult initialize(MLIRContext *context) override {
    // Canonicalization of the ops that alias folding and hoisting deal with, as the
    // canonicalize pass collects it: the subview folding leaves index arithmetic that must
    // fold before the hoisting sees invariant transfers. Only these dialects': every loaded
    // dialect's patterns made this the slowest pass of a ResNet-50 training compile.
    RewritePatternSet patterns(context);
    memref::populateFoldMemRefAliasOpPatterns(patterns);
    const llvm::StringRef dialects[] = {"affine", "arith", "memref", "scf", "vector"};
    for (Dialect *dialect : context->getLoadedDialects())
      if (llvm::is_contained(dialects, dialect->getNamespace()))
        dialect->getCanonicalizationPatterns(patterns);
    for (RegisteredOperationName op : context->getRegisteredOperations())
      if (llvm::is_contained(dialects, op.getDialectNamespace()))
        op.getCanonicalizationPatterns(patterns, context);
    foldAndCanonicalize = FrozenRewritePatternSet(std::move(patterns));
    return success();
  }

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    bool hasVectors = false;
    func.walk([&](vector::TransferReadOp) {
      hasVectors = true;
      return WalkResult::interrupt();
    });
    if (!hasVectors)
      return;
    MLIRContext *context = &getContext();
    auto apply = [&](const FrozenRewritePatternSet &patterns) {
      return applyPatternsAndFoldGreedily(func, patterns);
    };

    if (failed(apply(foldAndCanonicalize)))
      return signalPassFailure();
    IRRewriter rewriter(context);
    DominanceInfo dominance(func);
    eliminateCommonSubExpressions(rewriter, dominance, func);
    func.walk([](LoopLikeOpInterface loop) { moveLoopInvariantCode(loop); });
    hoistNestByNest(rewriter, func);

    RewritePatternSet dropUnitDims(context);
    vector::populateCastAwayVectorLeadingOneDimPatterns(dropUnitDims);
    vector::TransferReadOp::getCanonicalizationPatterns(dropUnitDims, context);
    vector::TransferWriteOp::getCanonicalizationPatterns(dropUnitDims, context);
    if (failed(apply(FrozenRewritePatternSet(std::move(dropUnitDims)))))
      return signalPassFailure();

    RewritePatternSet contractions(context);
    vector::populateVectorContractLoweringPatterns(
        contractions, vector::VectorTransformsOptions().setVectorTransformsOptions(
                          vector::VectorContractLowering::OuterProduct));
    vector::populateVectorOuterProductLoweringPatterns(contractions);
    if (failed(apply(FrozenRewritePatternSet(std::move(contractions)))))
      return signalPassFailure();

    RewritePatternSet transfers(context);
    vector::populateVectorTransferPermutationMapLoweringPatterns(transfers);
    populateVectorToSCFConversionPatterns(
        transfers, VectorTransferToSCFOptions().setTargetRank(1).enableFullUnroll());
    vector::populateVectorTransferLoweringPatterns(transfers, /*maxTransferRank=*/1);
    if (failed(apply(FrozenRewritePatternSet(std::move(transfers)))))
      return signalPassFailure();
  }

  FrozenRewritePatternSet foldAndCanonicalize;
};

} // namespace
