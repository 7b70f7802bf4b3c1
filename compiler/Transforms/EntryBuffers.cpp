//===- EntryBuffers.cpp - reading and writing buffer attributes of entries ===//
#include "compiler/Transforms/EntryBuffers.h"
#include "dialects/Kiln/IR/KilnOps.h"

using namespace mlir;

namespace {
StringRef stringAttr(DictionaryAttr attrs, StringRef name) {
  if (!attrs)
    return {};
  if (auto value = attrs.getAs<StringAttr>(name))
    return value.getValue();
  return {};
}
} // namespace

StringRef kiln::argBuffer(func::FuncOp func, unsigned index) {
  return stringAttr(func.getArgAttrDict(index), kBufferAttrName);
}
StringRef kiln::argRole(func::FuncOp func, unsigned index) {
  return stringAttr(func.getArgAttrDict(index), kRoleAttrName);
}
StringRef kiln::resultBuffer(func::FuncOp func, unsigned index) {
  return stringAttr(func.getResultAttrDict(index), kBufferAttrName);
}
StringRef kiln::resultRole(func::FuncOp func, unsigned index) {
  return stringAttr(func.getResultAttrDict(index), kRoleAttrName);
}

DictionaryAttr kiln::bufferAttrs(MLIRContext *context, StringRef name, StringRef role) {
  Builder b(context);
  return b.getDictionaryAttr({b.getNamedAttr(kBufferAttrName, b.getStringAttr(name)),
                              b.getNamedAttr(kRoleAttrName, b.getStringAttr(role))});
}

BlockArgument kiln::appendArgument(func::FuncOp func, Type type, StringRef name,
                                   StringRef role) {
  unsigned index = func.getNumArguments();
  func.insertArgument(index, type, bufferAttrs(func.getContext(), name, role), func.getLoc());
  return func.getArgument(index);
}

void kiln::setResults(func::FuncOp func, ValueRange values, ArrayRef<DictionaryAttr> attrs) {
  auto ret = cast<func::ReturnOp>(func.getBody().front().getTerminator());
  ret->setOperands(values);
  func.setType(FunctionType::get(func.getContext(), func.getArgumentTypes(),
                                 ValueRange(values).getTypes()));
  func.setAllResultAttrs(attrs);
}

std::optional<unsigned> kiln::findArgument(func::FuncOp func, StringRef name) {
  for (unsigned i = 0; i < func.getNumArguments(); ++i)
    if (argBuffer(func, i) == name)
      return i;
  return std::nullopt;
}
