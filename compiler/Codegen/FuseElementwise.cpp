//===- FuseElementwise.cpp - the kiln-fuse-elementwise pass ---------------===//
//
// Upstream's elementwise fusion on tensors, with kiln's rule for when to fuse: only a
// producer whose result has this one use and that the consumer reads element for element
// (no broadcast), so that fusion never recomputes a value. The one exception is a producer
// that costs less to recompute than to keep: one full-size input read element for element,
// the others broadcast (per-channel vectors), an op or two per element (a batch norm's
// x - mean, or x-hat = (x - mean) * inv_std in its gradient). It is copied for each of its
// users, so that each fuses it and reads x where it would have read the stored result: the
// same traffic for the readers, and the result is never written. In a ResNet-20 training
// step those two tensors were written and read back for every batch norm.
//
//===----------------------------------------------------------------------===//
#include "compiler/Codegen/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace kiln {
#define GEN_PASS_DEF_KILNFUSEELEMENTWISEPASS
#include "compiler/Codegen/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace {

/// Whether `consumer` may fuse the producer of `operand` (given that it has no other use):
/// it reads the producer's result element for element.
bool readsElementForElement(OpOperand *operand) {
  auto consumer = dyn_cast<linalg::GenericOp>(operand->getOwner());
  return consumer && consumer.getMatchingIndexingMap(operand).isPermutation();
}

/// Whether `op` is cheaper to recompute in each user than to write and read back: all its
/// loops parallel, one result, one input of the result's full shape read element for
/// element and every other input broadcast (read through a map with fewer results), a
/// body of at most two arithmetic ops that does not read the output's old value.
bool isCheapToRecompute(linalg::GenericOp op) {
  if (op.getNumDpsInits() != 1 || op.getNumReductionLoops() != 0 ||
      op.getBody()->getOperations().size() > 3 ||
      op.payloadUsesValueFromOperand(op.getDpsInitOperand(0)))
    return false;
  int64_t fullInputs = 0;
  for (OpOperand *input : op.getDpsInputOperands()) {
    AffineMap map = op.getMatchingIndexingMap(input);
    if (map.isPermutation())
      ++fullInputs;
    else if (map.getNumResults() >= op.getNumLoops())
      return false;
  }
  return fullInputs == 1 && llvm::all_of(op.getBody()->without_terminator(), [](Operation &op) {
           return isa<arith::ArithDialect>(op.getDialect());
         });
}

/// Gives every user of a cheap-to-recompute producer its own copy, when every user can fuse
/// it; upstream's fusion then folds each copy into its user.
struct DuplicateCheapProducer : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(linalg::GenericOp op, PatternRewriter &rewriter) const override {
    Value result = op->getResult(0);
    if (result.hasOneUse() || result.use_empty() || !isCheapToRecompute(op) ||
        !llvm::all_of(result.getUses(), [](OpOperand &use) {
          return readsElementForElement(&use);
        }))
      return failure();
    SmallVector<OpOperand *> uses = llvm::map_to_vector(result.getUses(),
                                                        [](OpOperand &use) { return &use; });
    for (OpOperand *use : llvm::drop_begin(uses)) {
      rewriter.setInsertionPoint(op);
      Operation *copy = rewriter.clone(*op);
      rewriter.modifyOpInPlace(use->getOwner(), [&] { use->set(copy->getResult(0)); });
    }
    return success();
  }
};

struct KilnFuseElementwisePass
    : kiln::impl::KilnFuseElementwisePassBase<KilnFuseElementwisePass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    linalg::populateElementwiseOpsFusionPatterns(patterns, [](OpOperand *fused) {
      Operation *producer = fused->get().getDefiningOp();
      // A producer the consumer broadcasts (a per-channel scale read by every pixel) would
      // be recomputed for every element it is read at; it stays a small tensor of its own.
      return producer && producer->hasOneUse() && readsElementForElement(fused);
    });
    patterns.add<DuplicateCheapProducer>(&getContext());
    if (failed(applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
