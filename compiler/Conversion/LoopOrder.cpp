//===- LoopOrder.cpp - the kiln-loop-order pass ---------------------------===//
#include "compiler/Conversion/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/IR/PatternMatch.h"

namespace kiln {
#define GEN_PASS_DEF_KILNLOOPORDERPASS
#include "compiler/Conversion/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace {

/// The loop order [other parallel loops, reductions, the output's last dimension], or an
/// empty vector when the op is best left as it is.
SmallVector<unsigned> rowInnermostOrder(linalg::GenericOp op) {
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  if (op.getNumDpsInits() == 0 || op.getNumReductionLoops() == 0)
    return {};
  AffineMap outMap = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  if (outMap.getNumResults() == 0)
    return {};
  auto last = dyn_cast<AffineDimExpr>(outMap.getResults().back());
  if (!last || iterators[last.getPosition()] != utils::IteratorType::parallel)
    return {};
  unsigned row = last.getPosition();
  SmallVector<unsigned> order;
  for (unsigned d = 0; d < iterators.size(); ++d)
    if (d != row && iterators[d] == utils::IteratorType::parallel)
      order.push_back(d);
  for (unsigned d = 0; d < iterators.size(); ++d)
    if (iterators[d] == utils::IteratorType::reduction)
      order.push_back(d);
  order.push_back(row);
  return order;
}

struct KilnLoopOrderPass : kiln::impl::KilnLoopOrderPassBase<KilnLoopOrderPass> {
  using KilnLoopOrderPassBase::KilnLoopOrderPassBase;

  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    SmallVector<linalg::LinalgOp> ops;
    getOperation().walk([&](linalg::LinalgOp op) { ops.push_back(op); });
    for (linalg::LinalgOp op : ops) {
      auto generic = dyn_cast<linalg::GenericOp>(op.getOperation());
      if (!generic) {
        rewriter.setInsertionPoint(op);
        FailureOr<linalg::GenericOp> generalized = linalg::generalizeNamedOp(rewriter, op);
        if (failed(generalized))
          continue;
        generic = *generalized;
      }
      SmallVector<unsigned> order = rowInnermostOrder(generic);
      if (order.empty())
        continue;
      rewriter.setInsertionPoint(generic);
      if (failed(linalg::interchangeGenericOp(rewriter, generic, order)))
        return signalPassFailure();
    }
  }
};

} // namespace
