//===- ChooseLayout.cpp - the kiln-choose-layout pass ---------------------===//
//
// The layout decision is made on the kiln graph, where the op and its shapes are still
// whole, and recorded as an attribute that kiln-to-linalg reads; the graph's NCHW semantics do
// not change. Ops left unmarked lower as before (NCHW, plain loops).
//
//===----------------------------------------------------------------------===//
#include "compiler/Codegen/Passes.h"
#include "dialects/Kiln/IR/KilnOps.h"

namespace kiln {
#define GEN_PASS_DEF_KILNCHOOSELAYOUTPASS
#include "compiler/Codegen/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace {

/// Convolutions the NHWC code path handles: one group, fp32, static shapes.
bool prefersChannelsLast(kiln::Conv2DOp conv) {
  if (conv.getGroups() != 1)
    return false;
  for (Value operand : conv->getOperands()) {
    auto type = dyn_cast<RankedTensorType>(operand.getType());
    if (!type || !type.hasStaticShape() || !type.getElementType().isF32())
      return false;
  }
  return true;
}

struct KilnChooseLayoutPass : kiln::impl::KilnChooseLayoutPassBase<KilnChooseLayoutPass> {
  void runOnOperation() override {
    Builder builder(&getContext());
    getOperation().walk([&](kiln::Conv2DOp conv) {
      if (prefersChannelsLast(conv))
        conv->setAttr("kiln.layout", builder.getStringAttr("nhwc"));
    });
  }
};

} // namespace
