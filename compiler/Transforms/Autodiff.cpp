//===- Autodiff.cpp - reverse-mode differentiation of kiln functions ------===//
//
// The pass copies the function, differentiates the copy with respect to its `kiln.wrt`
// arguments (vjp::reverseGradients: each op's VjpOpInterface builds its gradients) and adds
// the gradients into gradient-buffer arguments.
//
//===----------------------------------------------------------------------===//
#include "compiler/Transforms/EntryBuffers.h"
#include "compiler/Transforms/Passes.h"
#include "dialects/Kiln/IR/KilnOps.h"
#include "dialects/Kiln/IR/ReverseMode.h"
#include "dialects/Kiln/IR/VjpUtils.h"

namespace kiln {
#define GEN_PASS_DEF_KILNAUTODIFFPASS
#include "compiler/Transforms/Passes.h.inc"
} // namespace kiln

using namespace mlir;
using namespace kiln;

namespace {

constexpr StringLiteral kAutodiffAttr = "kiln.autodiff";
constexpr StringLiteral kWrtAttr = "kiln.wrt";

/// Builds the backward pass of `func` (already a copy) before its return; returns the gradient
/// of the objective with respect to each of `wrt` (null where it does not depend on it).
FailureOr<SmallVector<Value>> differentiate(func::FuncOp func, ArrayRef<BlockArgument> wrt) {
  Block &body = func.getBody().front();
  Operation *ret = body.getTerminator();
  if (ret->getNumOperands() == 0)
    return func.emitError("function to differentiate has no results; its first result must "
                          "be the scalar objective");
  Value objective = ret->getOperand(0);
  auto objectiveType = dyn_cast<RankedTensorType>(objective.getType());
  if (!objectiveType || objectiveType.getRank() != 0 ||
      !isa<FloatType>(objectiveType.getElementType()))
    return func.emitError("the objective (first result) must be a rank-0 float tensor, got ")
           << objective.getType();

  SmallVector<Operation *> forwardOps;
  for (Operation &op : body.without_terminator())
    forwardOps.push_back(&op);
  OpBuilder b(ret);
  Value seed = vjp::splat(b, func.getLoc(), objectiveType, 1.0);
  SmallVector<Value> wrtValues(wrt.begin(), wrt.end());
  return vjp::reverseGradients(b, forwardOps, objective, seed, wrtValues);
}

LogicalResult buildGradientFunction(func::FuncOp source, StringRef name) {
  MLIRContext *context = source.getContext();
  auto module = source->getParentOfType<ModuleOp>();
  if (module.lookupSymbol(name))
    return source.emitError("kiln.autodiff target '") << name << "' already exists";
  OpBuilder moduleBuilder(source);
  moduleBuilder.setInsertionPointAfter(source);
  auto func = cast<func::FuncOp>(moduleBuilder.clone(*source));
  func.setSymName(name);
  func.setPublic();
  func->removeAttr(kAutodiffAttr);

  SmallVector<BlockArgument> wrt;
  for (BlockArgument arg : func.getArguments())
    if (func.getArgAttr(arg.getArgNumber(), kWrtAttr))
      wrt.push_back(arg);
  for (BlockArgument arg : wrt) {
    if (!vjp::isDifferentiable(arg))
      return source.emitError("argument #")
             << arg.getArgNumber() << " is marked kiln.wrt but is not a float tensor";
    if (argBuffer(func, arg.getArgNumber()).empty())
      return source.emitError("argument #")
             << arg.getArgNumber() << " is marked kiln.wrt but has no kiln.buffer name";
  }

  FailureOr<SmallVector<Value>> grads = differentiate(func, wrt);
  if (failed(grads))
    return failure();

  // Gradient buffers: one argument each, returned with this micro-batch's gradient added.
  auto ret = cast<func::ReturnOp>(func.getBody().front().getTerminator());
  SmallVector<Value> results(ret.getOperands());
  SmallVector<DictionaryAttr> resultAttrs;
  for (unsigned i = 0; i < func.getNumResults(); ++i)
    resultAttrs.push_back(func.getResultAttrDict(i) ? func.getResultAttrDict(i)
                                                    : DictionaryAttr::get(context));
  OpBuilder b(ret);
  for (auto [arg, grad] : llvm::zip(wrt, *grads)) {
    std::string bufferName = (argBuffer(func, arg.getArgNumber()) + "@grad").str();
    BlockArgument accumulator = appendArgument(func, arg.getType(), bufferName, "gradient");
    results.push_back(grad ? vjp::add(b, func.getLoc(), accumulator, grad) : accumulator);
    resultAttrs.push_back(bufferAttrs(context, bufferName, "gradient"));
  }
  setResults(func, results, resultAttrs);
  for (func::FuncOp f : {func, source})
    for (unsigned i = 0; i < f.getNumArguments(); ++i)
      f.removeArgAttr(i, kWrtAttr);
  return success();
}

struct KilnAutodiffPass : kiln::impl::KilnAutodiffPassBase<KilnAutodiffPass> {
  using KilnAutodiffPassBase::KilnAutodiffPassBase;

  void runOnOperation() override {
    SmallVector<func::FuncOp> sources;
    for (auto func : getOperation().getOps<func::FuncOp>())
      if (func->hasAttr(kAutodiffAttr))
        sources.push_back(func);
    for (func::FuncOp source : sources) {
      auto name = source->getAttrOfType<StringAttr>(kAutodiffAttr);
      if (!name || name.getValue().empty()) {
        source.emitError("kiln.autodiff must name the function to create");
        return signalPassFailure();
      }
      if (!llvm::hasSingleElement(source.getBody())) {
        source.emitError("functions to differentiate must have a single block");
        return signalPassFailure();
      }
      if (failed(buildGradientFunction(source, name.getValue())))
        return signalPassFailure();
      if (source.isPrivate())
        source.erase();
      else
        source->removeAttr(kAutodiffAttr);
    }
  }
};

} // namespace
