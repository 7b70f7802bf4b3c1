//===- PrefetchEpilogue.cpp - the kiln-prefetch-epilogue pass -------------===//
//
// A register tile's epilogue (a residual add fused onto the tile, EpilogueFusion.cpp) reads
// its operand after the tile's reduction loop. With channels-last activations, consecutive
// tiles of one channel block read rows a whole pixel apart (kilobytes), a pattern the
// hardware prefetcher does not follow, and the residual was written long before: each read
// misses to L3 or memory, and the out-of-order core cannot start it early, the reduction
// loop's hundreds of FMAs fill its window. In ResNet-50 those loads held 14-29 % of the
// expanding 1x1 convolutions' samples. A prefetch of the same rows before the reduction
// loop overlaps the misses with the tile's FMAs.
//
//===----------------------------------------------------------------------===//
#include "compiler/Codegen/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Dominance.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace kiln {
#define GEN_PASS_DEF_KILNPREFETCHEPILOGUEPASS
#include "compiler/Codegen/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace {

constexpr int64_t kCacheLineBytes = 64;

/// How deep a chain of index arithmetic is cloned ahead of the loop (a load's indices are
/// affine.apply of the tile's induction variables: one or two levels).
constexpr int kMaxIndexDepth = 4;

/// Whether `loop` is a register tile's reduction loop: it carries vectors, and is not itself
/// the body of another such loop (the prefetch goes before the outermost one).
bool isTileReductionLoop(scf::ForOp loop) {
  auto carriesVector = [](scf::ForOp forOp) {
    return llvm::any_of(forOp.getResultTypes(), [](Type t) { return isa<VectorType>(t); });
  };
  if (!carriesVector(loop))
    return false;
  auto parent = loop->getParentOfType<scf::ForOp>();
  return !parent || !carriesVector(parent);
}

/// Where a prefetch goes and which tile's rows it fetches: before `reduction`, the rows of
/// the tile `tilesAhead` iterations of `tileLoop` (the loop around the tile) later.
struct PrefetchSite {
  scf::ForOp reduction;
  Operation *tileLoop; // null when the tile is not in a loop: only its own rows
  Value tileIv, tileStep;
  unsigned tilesAhead;

  /// Values that stay the same from the prefetch to the tile whose rows it fetches.
  bool isInvariant(Value value, DominanceInfo &dominance) const {
    if (tilesAhead == 0)
      return dominance.properlyDominates(value, reduction);
    return dominance.properlyDominates(value, tileLoop);
  }
};

/// Whether `value`, for the prefetched tile, can be computed right before the reduction
/// loop: it is invariant, the tile loop's induction variable, or computed from those by
/// side-effect-free ops of the reduction loop's block.
bool computable(Value value, const PrefetchSite &site, DominanceInfo &dominance,
                int depth = 0) {
  if (site.isInvariant(value, dominance) ||
      (site.tileLoop && value == site.tileIv))
    return true;
  Operation *def = value.getDefiningOp();
  if (!def || depth == kMaxIndexDepth || def->getNumRegions() != 0 || !isPure(def) ||
      def->getBlock() != site.reduction->getBlock())
    return false;
  return llvm::all_of(def->getOperands(), [&](Value operand) {
    return computable(operand, site, dominance, depth + 1);
  });
}

/// `value` for the prefetched tile, computed before the reduction loop (computable holds):
/// itself when invariant, otherwise from `values` (which maps the induction variable to
/// the prefetched tile's) or clones of the ops that compute it, each made once.
Value materialize(Value value, const PrefetchSite &site, DominanceInfo &dominance,
                  IRMapping &values, OpBuilder &builder) {
  if (Value mapped = values.lookupOrNull(value))
    return mapped;
  if (site.isInvariant(value, dominance))
    return value;
  Operation *def = value.getDefiningOp();
  for (Value operand : def->getOperands())
    materialize(operand, site, dominance, values, builder);
  Operation *clone = builder.clone(*def, values);
  return clone->getResult(cast<OpResult>(value).getResultNumber());
}

/// `value + offset`, folded when `value` is a constant.
Value addConstant(OpBuilder &builder, Location loc, Value value, int64_t offset) {
  if (std::optional<int64_t> constant = getConstantIntValue(value))
    return builder.create<arith::ConstantIndexOp>(loc, *constant + offset);
  return builder.create<arith::AddIOp>(
      loc, value, builder.create<arith::ConstantIndexOp>(loc, offset));
}

/// Whether any op inside `loop` uses `memref` (the reduction's own operands are streamed by
/// the loop itself; prefetching them too would only add instructions).
bool readInLoop(Value memref, scf::ForOp loop) {
  return llvm::any_of(memref.getUsers(),
                      [&](Operation *user) { return loop->isAncestor(user); });
}

/// Prefetches, before the reduction loop, every cache line of the row `load` reads for the
/// site's tile, when its indices can be computed there. On the tile loop's last iterations
/// the address lies past the rows the loop reads, possibly past the buffer: a prefetch
/// never faults and changes nothing but the caches. Returns whether it did.
bool prefetchRow(vector::LoadOp load, const PrefetchSite &site, DominanceInfo &dominance) {
  MemRefType memrefType = load.getMemRefType();
  VectorType vectorType = load.getVectorType();
  // (vector.load's verifier makes the row contiguous: the memref's last stride is 1.)
  if (vectorType.getRank() != 1 || vectorType.isScalable() || memrefType.getRank() == 0 ||
      readInLoop(load.getBase(), site.reduction))
    return false;
  unsigned elementBytes = vectorType.getElementTypeBitWidth() / 8;
  if (elementBytes == 0)
    return false;
  // The memref too: a view of the tile's rows may be taken after the reduction loop.
  SmallVector<Value> operands = {load.getBase()};
  llvm::append_range(operands, load.getIndices());
  if (!llvm::all_of(operands,
                    [&](Value operand) { return computable(operand, site, dominance); }))
    return false;

  OpBuilder builder(site.reduction);
  Location loc = load.getLoc();
  IRMapping values;
  if (site.tilesAhead != 0) {
    Value distance;
    if (std::optional<int64_t> step = getConstantIntValue(site.tileStep))
      distance = builder.create<arith::ConstantIndexOp>(loc, *step * site.tilesAhead);
    else
      distance = builder.create<arith::MulIOp>(
          loc, site.tileStep, builder.create<arith::ConstantIndexOp>(loc, site.tilesAhead));
    values.map(site.tileIv, builder.create<arith::AddIOp>(loc, site.tileIv, distance));
  }
  Value memref = materialize(load.getBase(), site, dominance, values, builder);
  SmallVector<Value> indices;
  for (Value index : load.getIndices())
    indices.push_back(materialize(index, site, dominance, values, builder));
  int64_t rowBytes = vectorType.getNumElements() * elementBytes;
  Value rowStart = indices.back();
  for (int64_t byte = 0; byte < rowBytes; byte += kCacheLineBytes) {
    if (byte != 0)
      indices.back() = addConstant(builder, loc, rowStart, byte / elementBytes);
    builder.create<memref::PrefetchOp>(loc, memref, indices, /*isWrite=*/false,
                                       /*localityHint=*/3, /*isDataCache=*/true);
  }
  return true;
}

struct KilnPrefetchEpiloguePass
    : kiln::impl::KilnPrefetchEpiloguePassBase<KilnPrefetchEpiloguePass> {
  using KilnPrefetchEpiloguePassBase::KilnPrefetchEpiloguePassBase;

  void runOnOperation() override {
    DominanceInfo &dominance = getAnalysis<DominanceInfo>();
    SmallVector<scf::ForOp> loops;
    getOperation().walk([&](scf::ForOp loop) {
      if (isTileReductionLoop(loop))
        loops.push_back(loop);
    });
    for (scf::ForOp loop : loops) {
      PrefetchSite site{loop, nullptr, {}, {}, 0};
      if (auto tileLoop = dyn_cast<scf::ForOp>(loop->getParentOp()))
        site = {loop, tileLoop, tileLoop.getInductionVar(), tileLoop.getStep(), tilesAhead};
      for (Operation *op = loop->getNextNode(); op; op = op->getNextNode())
        if (auto load = dyn_cast<vector::LoadOp>(op))
          prefetchRow(load, site, dominance);
    }
  }
};

} // namespace
