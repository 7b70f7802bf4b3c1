//===- FuseElementwise.cpp - the kiln-fuse-elementwise pass ---------------===//
//
// Upstream's elementwise fusion on tensors, with kiln's rule for when to fuse: only a
// producer whose result has this one use and that the consumer reads element for element
// (no broadcast), so that fusion never recomputes a value.
//
//===----------------------------------------------------------------------===//
#include "compiler/Codegen/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace kiln {
#define GEN_PASS_DEF_KILNFUSEELEMENTWISEPASS
#include "compiler/Codegen/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace {

struct KilnFuseElementwisePass
    : kiln::impl::KilnFuseElementwisePassBase<KilnFuseElementwisePass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    linalg::populateElementwiseOpsFusionPatterns(patterns, [](OpOperand *fused) {
      Operation *producer = fused->get().getDefiningOp();
      if (!producer || !producer->hasOneUse())
        return false;
      // A producer the consumer broadcasts (a per-channel scale read by every pixel) would
      // be recomputed for every element it is read at; it stays a small tensor of its own.
      auto consumer = cast<linalg::LinalgOp>(fused->getOwner());
      return consumer.getMatchingIndexingMap(fused).isPermutation();
    });
    if (failed(applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
