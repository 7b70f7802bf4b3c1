//===- FuseElementwise.cpp - the kiln-fuse-elementwise pass ---------------===//
//
// Upstream's elementwise fusion on tensors, with kiln's rule for when to fuse: only a
// producer whose result has this one use, so that fusion never recomputes a value.
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
      return producer && producer->hasOneUse();
    });
    if (failed(applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
