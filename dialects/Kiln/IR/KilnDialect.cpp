//===- KilnDialect.cpp - registration of the kiln dialect -----------------===//
#include "dialects/Kiln/IR/KilnDialect.h"
#include "dialects/Kiln/IR/KilnOps.h"

using namespace mlir;

#include "dialects/Kiln/IR/KilnOpsDialect.cpp.inc"

void kiln::KilnDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "dialects/Kiln/IR/KilnOps.cpp.inc"
      >();
}

Operation *kiln::KilnDialect::materializeConstant(OpBuilder &builder, Attribute value,
                                                  Type type, Location loc) {
  auto elements = dyn_cast<ElementsAttr>(value);
  if (!elements || elements.getType() != type)
    return nullptr;
  return builder.create<ConstantOp>(loc, elements);
}
