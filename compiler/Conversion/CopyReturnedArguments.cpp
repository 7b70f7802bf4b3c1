//===- CopyReturnedArguments.cpp - the kiln-copy-returned-arguments pass --===//
#include "compiler/Conversion/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "llvm/ADT/SmallPtrSet.h"

namespace kiln {
#define GEN_PASS_DEF_KILNCOPYRETURNEDARGUMENTSPASS
#include "compiler/Conversion/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace {
struct KilnCopyReturnedArgumentsPass
    : kiln::impl::KilnCopyReturnedArgumentsPassBase<KilnCopyReturnedArgumentsPass> {
  using KilnCopyReturnedArgumentsPassBase::KilnCopyReturnedArgumentsPassBase;

  void runOnOperation() override {
    getOperation().walk([](func::ReturnOp ret) {
      OpBuilder b(ret);
      llvm::SmallPtrSet<Value, 8> seen;
      for (OpOperand &operand : ret->getOpOperands()) {
        Value value = operand.get();
        auto type = dyn_cast<RankedTensorType>(value.getType());
        bool needsCopy = isa<BlockArgument>(value) || !seen.insert(value).second;
        if (!type || !needsCopy)
          continue;
        Value empty =
            b.create<tensor::EmptyOp>(ret.getLoc(), type.getShape(), type.getElementType());
        operand.set(b.create<linalg::CopyOp>(ret.getLoc(), value, empty).getResult(0));
      }
    });
  }
};
} // namespace
