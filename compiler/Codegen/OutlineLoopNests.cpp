//===- OutlineLoopNests.cpp - the kiln-outline-loop-nests pass ------------===//
//
// A training step lowers to one function with a loop nest per op: thousands of blocks.
// LLVM's loop passes update the dominator tree and query scalar evolution in ways that grow
// faster than linearly with the function (a ResNet-20 step spent 4 of its 5 compile minutes
// in DomTree updates), so every loop nest becomes its own small, never-inlined function. The
// call costs nothing next to a loop nest, and each function optimises on its own. Nests
// that come out identical (a ResNet stage repeats its blocks; the training and evaluation
// forward passes repeat each other) share one function, so LLVM compiles each once.
//
//===----------------------------------------------------------------------===//
#include "compiler/Codegen/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Transforms/RegionUtils.h"

namespace kiln {
#define GEN_PASS_DEF_KILNOUTLINELOOPNESTSPASS
#include "compiler/Codegen/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace {

/// The top-level ops worth a function of their own: loops and not-yet-lowered linalg ops,
/// which write memrefs and return nothing.
bool isLoopNest(Operation &op) {
  return op.getNumResults() == 0 &&
         isa<scf::ForOp, scf::ParallelOp, scf::ForallOp, linalg::LinalgOp>(op);
}

/// Whether `value` can be rebuilt inside the outlined function instead of passed to it:
/// constants (so the loops keep their static bounds) and views of memrefs that can be
/// passed or rebuilt (a strided view cannot be passed as a bare pointer).
bool isRebuildable(Value value) {
  Operation *def = value.getDefiningOp();
  if (!def)
    return false;
  if (matchPattern(def, m_Constant()))
    return true;
  if (!isa<memref::SubViewOp, memref::ViewOp, memref::ReinterpretCastOp,
           memref::CollapseShapeOp, memref::ExpandShapeOp, memref::CastOp>(def))
    return false;
  return llvm::all_of(def->getOperands(), [](Value operand) {
    auto type = dyn_cast<MemRefType>(operand.getType());
    bool passable = !type || (type.getLayout().isIdentity() && type.hasStaticShape());
    return passable || isRebuildable(operand);
  });
}

/// Scalars, vectors (a bias computed in registers that a fused tile stores) and dense
/// statically shaped buffers, which travel as bare pointers.
bool isPassable(Value value) {
  auto type = dyn_cast<MemRefType>(value.getType());
  if (!type)
    return value.getType().isIntOrIndexOrFloat() || isa<VectorType>(value.getType());
  return type.getLayout().isIdentity() && type.hasStaticShape();
}

/// Clones `value`'s defining op (after its own rebuildable operands) into the builder's
/// block, recording the mapping; passable operands must already be mapped.
void rebuild(OpBuilder &b, Value value, IRMapping &mapping) {
  if (mapping.contains(value))
    return;
  Operation *def = value.getDefiningOp();
  for (Value operand : def->getOperands())
    if (!mapping.contains(operand))
      rebuild(b, operand, mapping);
  b.clone(*def, mapping);
}

struct KilnOutlineLoopNestsPass
    : kiln::impl::KilnOutlineLoopNestsPassBase<KilnOutlineLoopNestsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    SmallVector<func::FuncOp> functions(module.getOps<func::FuncOp>());
    for (func::FuncOp func : functions) {
      if (func.isExternal() || !func.getBody().hasOneBlock())
        continue;
      unsigned index = 0;
      for (Operation &op : llvm::make_early_inc_range(func.getBody().front()))
        if (isLoopNest(op))
          outline(op, func, symbols, index++);
    }
  }

  /// Moves `nest` into a private function `<func>_nest<index>` and calls it.
  void outline(Operation &nest, func::FuncOp func, SymbolTable &symbols, unsigned index) {
    llvm::SetVector<Value> used;
    getUsedValuesDefinedAbove(nest.getRegions(), used);
    used.insert(nest.getOperands().begin(), nest.getOperands().end());
    // Arguments: every passable value used directly or through a rebuilt view. A buffer
    // that can be passed is, even when it is a view that could be rebuilt: the memory plan
    // makes temporaries views of the workspace at constant offsets, and rebuilt inside, the
    // offsets would make a stage's repeated blocks different functions.
    llvm::SetVector<Value> arguments;
    std::function<bool(Value)> collect = [&](Value value) {
      if (isa<MemRefType>(value.getType()) && isPassable(value)) {
        arguments.insert(value);
        return true;
      }
      if (isRebuildable(value))
        return llvm::all_of(value.getDefiningOp()->getOperands(), collect);
      if (!isPassable(value))
        return false;
      arguments.insert(value);
      return true;
    };
    if (!llvm::all_of(used, collect))
      return; // a value that can be neither passed nor rebuilt: leave the nest inline

    OpBuilder b(func.getContext());
    b.setInsertionPointToEnd(func->getParentOfType<ModuleOp>().getBody());
    auto type = b.getFunctionType(ValueRange(arguments.getArrayRef()).getTypes(), {});
    auto outlined = b.create<func::FuncOp>(
        nest.getLoc(), (func.getSymName() + "_nest" + llvm::Twine(index)).str(), type);
    outlined.setPrivate();
    outlined->setAttr("passthrough", b.getArrayAttr({b.getStringAttr("noinline")}));
    Block *body = outlined.addEntryBlock();
    IRMapping mapping;
    for (auto [value, argument] : llvm::zip(arguments, body->getArguments()))
      mapping.map(value, argument);
    b.setInsertionPointToStart(body);
    for (Value value : used)
      if (!mapping.contains(value))
        rebuild(b, value, mapping);
    b.clone(nest, mapping);
    b.create<func::ReturnOp>(nest.getLoc());

    // The function printed under a fixed name: equal text, equal code.
    std::string name = outlined.getSymName().str(), text;
    llvm::raw_string_ostream os(text);
    outlined.setSymName("nest");
    outlined->print(os, OpPrintingFlags().printGenericOpForm().useLocalScope());
    outlined.setSymName(name);
    auto [existing, inserted] = bodies.try_emplace(text, outlined);
    if (inserted)
      symbols.insert(outlined);
    else
      outlined.erase();

    b.setInsertionPoint(&nest);
    b.create<func::CallOp>(nest.getLoc(), existing->second, arguments.getArrayRef());
    nest.erase();
  }

  /// Outlined functions by the text of their body.
  llvm::StringMap<func::FuncOp> bodies;
};

} // namespace
