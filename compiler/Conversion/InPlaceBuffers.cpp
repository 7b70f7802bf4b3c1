//===- InPlaceBuffers.cpp - the kiln-inplace-buffers pass -----------------===//
#include "compiler/Conversion/Passes.h"
#include "dialects/Kiln/IR/KilnOps.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "llvm/ADT/BitVector.h"

namespace kiln {
#define GEN_PASS_DEF_KILNINPLACEBUFFERSPASS
#include "compiler/Conversion/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace {

StringRef bufferName(DictionaryAttr attrs) {
  if (auto name = attrs ? attrs.getAs<StringAttr>(kiln::kBufferAttrName) : StringAttr())
    return name.getValue();
  return {};
}

void updateInPlace(func::FuncOp func) {
  if (func.isExternal() || func.isPrivate())
    return;
  llvm::StringMap<unsigned> argumentByBuffer;
  for (unsigned i = 0; i < func.getNumArguments(); ++i)
    if (StringRef name = bufferName(func.getArgAttrDict(i)); !name.empty())
      argumentByBuffer[name] = i;
  auto ret = cast<func::ReturnOp>(func.getBody().front().getTerminator());
  llvm::BitVector unchanged(func.getNumResults());
  OpBuilder b(ret);
  for (unsigned i = 0; i < func.getNumResults(); ++i) {
    auto it = argumentByBuffer.find(bufferName(func.getResultAttrDict(i)));
    if (it == argumentByBuffer.end())
      continue;
    BlockArgument arg = func.getArgument(it->second);
    Value value = ret.getOperand(i);
    if (value == arg) {
      unchanged.set(i);
      continue;
    }
    if (auto existing = value.getDefiningOp<bufferization::MaterializeInDestinationOp>();
        existing && existing.getDest() == arg)
      continue;
    func.setArgAttr(arg.getArgNumber(), "bufferization.writable", b.getBoolAttr(true));
    auto write = b.create<bufferization::MaterializeInDestinationOp>(ret.getLoc(), value, arg);
    ret.setOperand(i, write.getResult());
  }
  ret->eraseOperands(unchanged);
  func.eraseResults(unchanged);
}

struct KilnInPlaceBuffersPass : kiln::impl::KilnInPlaceBuffersPassBase<KilnInPlaceBuffersPass> {
  using KilnInPlaceBuffersPassBase::KilnInPlaceBuffersPassBase;

  void runOnOperation() override {
    for (auto func : getOperation().getOps<func::FuncOp>())
      updateInPlace(func);
  }
};

} // namespace
