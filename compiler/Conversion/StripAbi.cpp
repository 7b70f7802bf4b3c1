//===- StripAbi.cpp - the kiln-strip-abi pass -----------------------------===//
#include "compiler/Conversion/Passes.h"
#include "dialects/Kiln/IR/KilnOps.h"

namespace kiln {
#define GEN_PASS_DEF_KILNSTRIPABIPASS
#include "compiler/Conversion/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace {
struct KilnStripAbiPass : kiln::impl::KilnStripAbiPassBase<KilnStripAbiPass> {
  using KilnStripAbiPassBase::KilnStripAbiPassBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    for (auto parameter : llvm::make_early_inc_range(module.getOps<kiln::ParameterOp>()))
      parameter.erase();
    for (auto func : module.getOps<func::FuncOp>()) {
      for (unsigned i = 0; i < func.getNumArguments(); ++i) {
        func.removeArgAttr(i, kiln::kBufferAttrName);
        func.removeArgAttr(i, kiln::kRoleAttrName);
      }
      for (unsigned i = 0; i < func.getNumResults(); ++i) {
        func.removeResultAttr(i, StringAttr::get(&getContext(), kiln::kBufferAttrName));
        func.removeResultAttr(i, StringAttr::get(&getContext(), kiln::kRoleAttrName));
      }
    }
  }
};
} // namespace
