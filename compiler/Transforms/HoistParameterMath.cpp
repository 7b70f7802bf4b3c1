//===- HoistParameterMath.cpp - the kiln-hoist-parameter-math pass --------===//
//
// An inference step used to lay out every filter again (OIHW to the convolutions' packed
// [F/block, KH, KW, C, block]) and fold batch norm into it: for ResNet-50, a third of a
// batch-1 step went into work whose inputs never change between steps. This pass moves that
// work into an entry point of its own, `prepare`, whose results the runtime keeps in
// `prepared` buffers and recomputes only when parameters may have changed.
//
//===----------------------------------------------------------------------===//
#include "compiler/Transforms/EntryBuffers.h"
#include "compiler/Transforms/Passes.h"
#include "compiler/Transforms/WorthPreparing.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/RegionUtils.h"
#include "llvm/ADT/SetVector.h"

namespace kiln {
#define GEN_PASS_DEF_KILNHOISTPARAMETERMATHPASS
#include "compiler/Transforms/Passes.h.inc"
} // namespace kiln

using namespace mlir;
using namespace kiln;

namespace {

constexpr llvm::StringLiteral kPrepareEntry = "prepare";
constexpr llvm::StringLiteral kPreparedRole = "prepared";

/// Whether running `op` has no effect but its results. Tasks (scf.forall) qualify when their
/// bodies do: their terminator's parallel inserts write only the forall's own results.
bool onlyComputesResults(Operation *op) {
  WalkResult result = op->walk([](Operation *nested) {
    if (isa<scf::InParallelOp, tensor::ParallelInsertSliceOp>(nested))
      return WalkResult::advance();
    if (auto effects = dyn_cast<MemoryEffectOpInterface>(nested))
      return effects.hasNoEffect() ? WalkResult::advance() : WalkResult::interrupt();
    return nested->hasTrait<OpTrait::HasRecursiveMemoryEffects>() ? WalkResult::advance()
                                                                   : WalkResult::interrupt();
  });
  return !result.wasInterrupted();
}

/// A constant or an empty tensor: no operands, no regions, no effects. Such ops are copied
/// into `prepare` when moved ops use them, never moved themselves.
bool isOperandFree(Operation *op) {
  return op->getNumOperands() == 0 && op->getNumRegions() == 0 && op->getNumResults() == 1 &&
         isMemoryEffectFree(op);
}

bool isView(Operation *op) {
  return isa<tensor::ExpandShapeOp, tensor::CollapseShapeOp, tensor::ExtractSliceOp>(op);
}

/// Elements of a statically shaped tensor value; 0 for anything else.
int64_t elementCount(Value value) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  return type && type.hasStaticShape() ? type.getNumElements() : 0;
}

/// The values `op` reads: its operands and what its regions capture from above.
SetVector<Value> valuesRead(Operation *op) {
  SetVector<Value> values(op->operand_begin(), op->operand_end());
  for (Region &region : op->getRegions())
    getUsedValuesDefinedAbove(region, values);
  return values;
}

struct KilnHoistParameterMathPass
    : kiln::impl::KilnHoistParameterMathPassBase<KilnHoistParameterMathPass> {
  using KilnHoistParameterMathPassBase::KilnHoistParameterMathPassBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto func = module.lookupSymbol<func::FuncOp>(entry);
    if (!func || func.isExternal())
      return;
    Block &body = func.getBody().front();

    SetVector<Operation *> moved = chooseMovedOps(func);
    SmallVector<Value> boundary;
    for (Operation *op : moved)
      for (Value result : op->getResults())
        if (llvm::any_of(result.getUsers(), [&](Operation *user) {
              return !moved.contains(body.findAncestorOpInBlock(*user));
            }))
          boundary.push_back(result);
    if (boundary.empty())
      return;
    if (module.lookupSymbol(kPrepareEntry)) {
      module.emitError() << "kiln-hoist-parameter-math: the module already has a function '"
                         << kPrepareEntry << "'";
      return signalPassFailure();
    }
    buildPrepare(func, moved, boundary);

    // `forward` reads the prepared buffers instead and no longer computes them.
    for (auto [index, value] : llvm::enumerate(boundary)) {
      BlockArgument prepared = appendArgument(func, value.getType(), preparedName(index),
                                              kPreparedRole);
      value.replaceUsesWithIf(prepared, [&](OpOperand &use) {
        return !moved.contains(body.findAncestorOpInBlock(*use.getOwner()));
      });
    }
    for (Operation *op : llvm::reverse(moved))
      op->erase();
  }

  static std::string preparedName(size_t index) {
    return "kiln.prepared." + std::to_string(index);
  }

  /// The top-level ops of `func` that compute from parameters alone, in program order.
  SetVector<Operation *> chooseMovedOps(func::FuncOp func) {
    DenseSet<Value> fromParameters;
    for (unsigned i = 0; i < func.getNumArguments(); ++i)
      if (argRole(func, i) == "parameter" || argRole(func, i) == "state")
        fromParameters.insert(func.getArgument(i));
    Block &body = func.getBody().front();
    SetVector<Operation *> moved;
    for (Operation &op : body.without_terminator()) {
      if (isOperandFree(&op) || !onlyComputesResults(&op))
        continue;
      bool readsParameter = false, readsOnlyParameters = true;
      int64_t elementsRead = 0, elementsWritten = 0;
      for (Value value : valuesRead(&op)) {
        if (fromParameters.contains(value)) {
          readsParameter = true;
          elementsRead += elementCount(value);
          continue;
        }
        Operation *producer = value.getDefiningOp();
        if (!producer || producer->getBlock() != &body || !isOperandFree(producer))
          readsOnlyParameters = false;
      }
      // A broadcast (a bias spread over a convolution's output) would turn a parameter into
      // a prepared buffer the size of an activation: cheaper to compute than to store. An
      // op marked worth preparing (a Winograd filter transform) moves whatever it writes.
      // Only tensors become buffers; vector reads of a parameter stay with their users.
      bool writesTensors = op.getNumResults() > 0;
      for (Value result : op.getResults()) {
        elementsWritten += elementCount(result);
        writesTensors &= elementCount(result) > 0;
      }
      bool grows = elementsWritten > elementsRead && !op.hasAttr(kWorthPreparingAttrName);
      if (!readsParameter || !readsOnlyParameters || !writesTensors || grows)
        continue;
      moved.insert(&op);
      fromParameters.insert(op.result_begin(), op.result_end());
    }
    // A view that no moved op reads stays in `forward`: as a result of `prepare` it would
    // only be a copy. Decided from the last op back, so that a chain of views stays whole.
    SmallVector<Operation *> candidates = moved.takeVector();
    DenseSet<Operation *> isCandidate(candidates.begin(), candidates.end()), kept;
    for (Operation *op : llvm::reverse(candidates))
      if (isView(op) && llvm::all_of(op->getUsers(), [&](Operation *user) {
            Operation *ancestor = body.findAncestorOpInBlock(*user);
            return !isCandidate.contains(ancestor) || kept.contains(ancestor);
          }))
        kept.insert(op);
    for (Operation *op : candidates)
      if (!kept.contains(op))
        moved.insert(op);
    return moved;
  }

  /// Creates `prepare`: the parameters the moved ops read, the moved ops (and the constants
  /// they use), the boundary values as results.
  void buildPrepare(func::FuncOp func, const SetVector<Operation *> &moved,
                    ArrayRef<Value> boundary) {
    SetVector<Value> read;
    for (Operation *op : moved)
      for (Value value : valuesRead(op))
        read.insert(value);
    SmallVector<unsigned> parameters;
    for (unsigned i = 0; i < func.getNumArguments(); ++i)
      if (read.contains(func.getArgument(i)))
        parameters.push_back(i);

    OpBuilder builder(func);
    builder.setInsertionPointAfter(func);
    SmallVector<Type> argTypes, resultTypes;
    for (unsigned i : parameters)
      argTypes.push_back(func.getArgument(i).getType());
    for (Value value : boundary)
      resultTypes.push_back(value.getType());
    auto prepare = builder.create<func::FuncOp>(func.getLoc(), kPrepareEntry,
                                                builder.getFunctionType(argTypes, resultTypes));
    for (auto [position, i] : llvm::enumerate(parameters))
      prepare.setArgAttrs(position, func.getArgAttrDict(i));
    for (size_t index = 0; index < boundary.size(); ++index)
      prepare.setResultAttrs(index, bufferAttrs(&getContext(), preparedName(index),
                                                kPreparedRole));

    Block *entryBlock = prepare.addEntryBlock();
    builder.setInsertionPointToStart(entryBlock);
    IRMapping mapping;
    for (auto [position, i] : llvm::enumerate(parameters))
      mapping.map(func.getArgument(i), entryBlock->getArgument(position));
    for (Operation &op : func.getBody().front().without_terminator()) {
      bool constantUsed = isOperandFree(&op) && read.contains(op.getResult(0));
      if (moved.contains(&op) || constantUsed)
        builder.clone(op, mapping);
    }
    SmallVector<Value> results;
    for (Value value : boundary)
      results.push_back(mapping.lookup(value));
    builder.create<func::ReturnOp>(func.getLoc(), results);
  }
};

} // namespace
