//===- ReverseMode.cpp - reverse-mode gradients of a straight-line kiln graph ===//
#include "dialects/Kiln/IR/ReverseMode.h"
#include "dialects/Kiln/IR/KilnOps.h"
#include "dialects/Kiln/IR/VjpUtils.h"

#include "llvm/ADT/DenseSet.h"

using namespace mlir;
using namespace kiln;

namespace {

/// Values that depend on a `wrt` value and that the objective depends on: only these carry
/// gradients.
llvm::DenseSet<Value> activeValues(ArrayRef<Operation *> forwardOps, ArrayRef<Value> wrt,
                                   Value objective) {
  llvm::DenseSet<Value> varied(wrt.begin(), wrt.end());
  for (Operation *op : forwardOps)
    if (llvm::any_of(op->getOperands(), [&](Value v) { return varied.contains(v); }))
      for (Value result : op->getResults())
        if (vjp::isDifferentiable(result))
          varied.insert(result);
  llvm::DenseSet<Value> useful = {objective};
  for (Operation *op : llvm::reverse(forwardOps))
    if (llvm::any_of(op->getResults(), [&](Value v) { return useful.contains(v); }))
      for (Value operand : op->getOperands())
        useful.insert(operand);
  llvm::DenseSet<Value> active;
  for (Value v : varied)
    if (useful.contains(v))
      active.insert(v);
  return active;
}

} // namespace

FailureOr<SmallVector<Value>> vjp::reverseGradients(OpBuilder &b,
                                                    ArrayRef<Operation *> forwardOps,
                                                    Value objective, Value seed,
                                                    ArrayRef<Value> wrt) {
  llvm::DenseSet<Value> active = activeValues(forwardOps, wrt, objective);
  llvm::DenseMap<Value, Value> gradients;
  gradients[objective] = seed;
  OpBuilder::InsertPoint insertion = b.saveInsertionPoint();

  for (Operation *op : llvm::reverse(forwardOps)) {
    if (!llvm::any_of(op->getResults(), [&](Value r) { return gradients.count(r); }))
      continue;
    if (!llvm::any_of(op->getOperands(), [&](Value v) { return active.contains(v); }))
      continue;
    auto differentiable = dyn_cast<VjpOpInterface>(op);
    if (!differentiable)
      return op->emitOpError("has no gradient (no vector-Jacobian product), but it lies "
                             "between a differentiated value and the objective");
    SmallVector<Value> resultGrads;
    for (Value result : op->getResults())
      resultGrads.push_back(gradients.lookup(result));
    SmallVector<Value> operandGrads;
    b.restoreInsertionPoint(insertion);
    if (failed(differentiable.buildVjp(b, resultGrads, operandGrads)))
      return failure();
    if (operandGrads.size() != op->getNumOperands())
      return op->emitOpError("VJP produced ")
             << operandGrads.size() << " gradients for " << op->getNumOperands()
             << " operands";
    for (auto [operand, grad] : llvm::zip(op->getOperands(), operandGrads)) {
      if (!grad || !active.contains(operand))
        continue;
      if (grad.getType() != operand.getType())
        return op->emitOpError("VJP produced a gradient of type ")
               << grad.getType() << " for an operand of type " << operand.getType();
      Value &slot = gradients[operand];
      slot = slot ? vjp::add(b, grad.getLoc(), slot, grad) : grad;
    }
  }
  b.restoreInsertionPoint(insertion);
  SmallVector<Value> result;
  for (Value v : wrt)
    result.push_back(gradients.lookup(v));
  return result;
}
