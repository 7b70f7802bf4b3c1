//===- StripParameters.cpp - the kiln-strip-parameters pass ---------------===//
#include "compiler/Conversion/Passes.h"
#include "dialects/Kiln/IR/KilnOps.h"

namespace kiln {
#define GEN_PASS_DEF_KILNSTRIPPARAMETERSPASS
#include "compiler/Conversion/Passes.h.inc"
} // namespace kiln

namespace {
struct KilnStripParametersPass
    : kiln::impl::KilnStripParametersPassBase<KilnStripParametersPass> {
  using KilnStripParametersPassBase::KilnStripParametersPassBase;

  void runOnOperation() override {
    for (auto parameter :
         llvm::make_early_inc_range(getOperation().getOps<kiln::ParameterOp>()))
      parameter.erase();
  }
};
} // namespace
