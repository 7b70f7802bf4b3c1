//===- PlanMemory.cpp - the kiln-plan-memory pass -------------------------===//
//
// The static memory plan: the statically shaped temporaries of an entry function become views
// of one byte arena that the runtime allocates once per session, at offsets chosen here from
// the buffers' live ranges, so that a step allocates nothing. Passes.td states the rules. The
// file reads top to bottom: which allocs qualify, their live ranges, the packing, the rewrite,
// and the module attribute that carries the summary to kilnc.
//
//===----------------------------------------------------------------------===//
#include "compiler/Conversion/MemoryPlan.h"
#include "compiler/Conversion/Passes.h"

#include "mlir/Analysis/Liveness.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/Transforms/BufferViewFlowAnalysis.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/DataLayoutInterfaces.h"
#include "llvm/Support/MathExtras.h"

#include <optional>

namespace kiln {
#define GEN_PASS_DEF_KILNPLANMEMORYPASS
#include "compiler/Conversion/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace {

/// Every planned buffer starts on a cache line: what the runtime guarantees for the arena's
/// base and for its own buffers, and what AVX-512 loads want.
constexpr uint64_t kAlignment = 64;
/// A task's scratch buffer on the stack at most (OpenMP worker threads have 4 MB).
constexpr uint64_t kMaxTaskScratchBytes = 512 * 1024;
/// Beyond this an arena is a mistake in the model, and offsets could overflow when summed.
constexpr uint64_t kMaxArenaBytes = uint64_t(1) << 62;

/// The fields of one entry's plan in the `kiln.memory_plan` module attribute.
constexpr llvm::StringLiteral kArenaBytes = "arena_bytes";
constexpr llvm::StringLiteral kBuffers = "buffers";
constexpr llvm::StringLiteral kBufferBytes = "buffer_bytes";
constexpr llvm::StringLiteral kHeapBuffers = "heap_buffers";

/// A temporary to place: its alloc, its size, and its live range as positions of top-level
/// operations of the function's block (first and last use, inclusive).
struct Buffer {
  memref::AllocOp alloc;
  uint64_t bytes = 0;
  unsigned first = 0, last = 0;
  uint64_t offset = 0;

  /// Bytes it occupies in the arena: a whole number of lines, at least one, so the next
  /// buffer starts aligned and an empty buffer still has an address of its own.
  uint64_t footprint() const { return llvm::alignTo(std::max<uint64_t>(bytes, 1), kAlignment); }
  bool livesWith(const Buffer &other) const { return first <= other.last && other.first <= last; }
};

/// Whether `alloc` can be a view of the arena: memref.view makes static, identity-layout
/// memrefs of the arena's (default) memory space, and the arena's base is only 64-byte aligned.
bool fitsInArena(memref::AllocOp alloc) {
  MemRefType type = alloc.getType();
  if (!type.hasStaticShape() || !type.getLayout().isIdentity() || type.getMemorySpace())
    return false;
  if (std::optional<uint64_t> alignment = alloc.getAlignment(); alignment && *alignment > kAlignment)
    return false;
  Type element = type.getElementType();
  return element.isIntOrIndexOrFloat() || isa<VectorType, ComplexType>(element);
}

/// The bytes of `alloc`'s buffer as the LLVM lowering lays it out (the data layout's element
/// size times the element count), or nullopt when they pass `limit`.
std::optional<uint64_t> bytesWithin(memref::AllocOp alloc, const DataLayout &layout,
                                    uint64_t limit) {
  MemRefType type = alloc.getType();
  uint64_t bytes = layout.getTypeSize(type.getElementType()).getFixedValue();
  for (int64_t dim : type.getShape())
    if (__builtin_mul_overflow(bytes, static_cast<uint64_t>(dim), &bytes) || bytes > limit)
      return std::nullopt;
  return bytes;
}

/// The bytes of `alloc`'s buffer; an error if they do not fit the arena's limit.
FailureOr<uint64_t> byteSize(memref::AllocOp alloc, const DataLayout &layout) {
  if (std::optional<uint64_t> bytes = bytesWithin(alloc, layout, kMaxArenaBytes))
    return *bytes;
  return alloc.emitError() << "kiln-plan-memory: a buffer of type " << alloc.getType()
                           << " needs more than 2^62 bytes";
}

/// Replaces `alloc` by `buffer` (a view of the arena, a stack buffer), which nothing may
/// free: the alloc's deallocs go with it.
void replaceAlloc(memref::AllocOp alloc, Value buffer) {
  for (Operation *user : llvm::make_early_inc_range(alloc->getUsers()))
    if (isa<memref::DeallocOp>(user))
      user->erase();
  alloc.replaceAllUsesWith(buffer);
  alloc.erase();
}

/// The live range of `alloc`: from the first top-level operation that uses the buffer or a
/// view of it to the last one where any of them is live. Views come from
/// BufferViewFlowAnalysis (subviews, casts, reshapes, region results, any op returning a
/// memref it was given); the last use of a value of the function's block from mlir::Liveness;
/// a view made inside a nested region dies in the top-level operation that holds the region.
/// nullopt if a view reaches the function's terminator: the buffer outlives the call.
std::optional<std::pair<unsigned, unsigned>>
liveRange(memref::AllocOp alloc, Block &body, const BufferViewFlowAnalysis &views,
          const LivenessBlockInfo &liveness, const DenseMap<Operation *, unsigned> &position) {
  unsigned first = position.lookup(alloc), last = first;
  bool used = false;
  for (Value view : views.resolve(alloc.getMemref())) {
    for (Operation *user : view.getUsers()) {
      if (user == body.getTerminator())
        return std::nullopt;
      unsigned at = position.lookup(body.findAncestorOpInBlock(*user));
      first = used ? std::min(first, at) : at;
      used = true;
    }
    Operation *end = view.getParentBlock() == &body
                         ? liveness.getEndOperation(view, view.getDefiningOp())
                         : body.findAncestorOpInBlock(*view.getParentBlock()->getParentOp());
    last = std::max(last, position.lookup(end));
  }
  return std::make_pair(first, std::max(first, last));
}

/// Assigns each buffer an offset and returns the arena's size. Greedy by size with best fit:
/// buffers in decreasing size (program order among equals), each at the start of the smallest
/// gap, among the buffers already placed whose live ranges overlap its own, that holds it, or
/// above all of them. Big buffers placed first leave holes that small ones fill.
uint64_t pack(MutableArrayRef<Buffer> buffers) {
  SmallVector<Buffer *> order;
  for (Buffer &buffer : buffers)
    order.push_back(&buffer);
  llvm::stable_sort(order, [](Buffer *a, Buffer *b) { return a->bytes > b->bytes; });
  SmallVector<Buffer *> placed;
  uint64_t arenaBytes = 0;
  for (Buffer *buffer : order) {
    SmallVector<Buffer *> neighbours;
    for (Buffer *other : placed)
      if (other->livesWith(*buffer))
        neighbours.push_back(other);
    llvm::sort(neighbours, [](Buffer *a, Buffer *b) { return a->offset < b->offset; });
    uint64_t size = buffer->footprint();
    uint64_t cursor = 0, bestGap = UINT64_MAX;
    std::optional<uint64_t> best;
    for (Buffer *neighbour : neighbours) {
      if (neighbour->offset >= cursor) {
        uint64_t gap = neighbour->offset - cursor;
        if (gap >= size && gap < bestGap) {
          best = cursor;
          bestGap = gap;
        }
      }
      cursor = std::max(cursor, neighbour->offset + neighbour->footprint());
    }
    buffer->offset = best.value_or(cursor);
    arenaBytes = std::max(arenaBytes, buffer->offset + size);
    placed.push_back(buffer);
  }
  return arenaBytes;
}

/// Appends the arena argument to `func` and turns each planned alloc into a view of it.
void placeInArena(func::FuncOp func, ArrayRef<Buffer> buffers, uint64_t arenaBytes) {
  auto arenaType = MemRefType::get({static_cast<int64_t>(arenaBytes)},
                                   IntegerType::get(func.getContext(), 8));
  unsigned index = func.getNumArguments();
  func.insertArgument(index, arenaType, /*argAttrs=*/{}, func.getLoc());
  Value arena = func.getArgument(index);
  for (const Buffer &buffer : buffers) {
    memref::AllocOp alloc = buffer.alloc;
    OpBuilder b(alloc);
    Value offset = b.create<arith::ConstantIndexOp>(alloc.getLoc(), buffer.offset);
    replaceAlloc(alloc, b.create<memref::ViewOp>(alloc.getLoc(), alloc.getType(), arena,
                                                 offset, ValueRange{}));
  }
}

/// Whether `alloc` is a task's scratch buffer: made in the body of an scf.forall (one task),
/// static, small enough for a thread's stack. It becomes an alloca, which lives until the
/// task ends (convert-scf-to-openmp puts each task's body in an alloca scope): malloc and
/// free for every task of a kiln-winograd convolution cost more than its transforms.
bool isTaskScratch(memref::AllocOp alloc, const DataLayout &layout) {
  return isa_and_nonnull<scf::ForallOp>(alloc->getParentOp()) && fitsInArena(alloc) &&
         bytesWithin(alloc, layout, kMaxTaskScratchBytes);
}

/// Plans one entry function and rewrites it; an error only for a buffer too large to plan.
FailureOr<kiln::EntryMemoryPlan> planFunction(func::FuncOp func) {
  kiln::EntryMemoryPlan plan;
  SmallVector<memref::AllocOp> allocs;
  DataLayout layout = DataLayout::closest(func);
  func.walk([&](memref::AllocOp alloc) {
    if (!isTaskScratch(alloc, layout)) {
      allocs.push_back(alloc);
      return;
    }
    OpBuilder b(alloc);
    replaceAlloc(alloc, b.create<memref::AllocaOp>(alloc.getLoc(), alloc.getType(), ValueRange{},
                                                   b.getI64IntegerAttr(kAlignment)));
  });
  // Live ranges over one block's order; a control-flow graph would need more than that.
  if (allocs.empty() || !func.getBody().hasOneBlock()) {
    plan.heapBuffers = allocs.size();
    return plan;
  }
  Block &body = func.front();
  DenseMap<Operation *, unsigned> position;
  for (auto [index, op] : llvm::enumerate(body))
    position[&op] = index;
  BufferViewFlowAnalysis views(func);
  Liveness liveness(func);
  const LivenessBlockInfo &blockLiveness = *liveness.getLiveness(&body);

  SmallVector<Buffer> buffers;
  uint64_t footprints = 0;
  for (memref::AllocOp alloc : allocs) {
    std::optional<std::pair<unsigned, unsigned>> range;
    if (alloc->getBlock() == &body && fitsInArena(alloc))
      range = liveRange(alloc, body, views, blockLiveness, position);
    if (!range) {
      ++plan.heapBuffers;
      continue;
    }
    FailureOr<uint64_t> bytes = byteSize(alloc, layout);
    if (failed(bytes))
      return failure();
    Buffer buffer{alloc, *bytes, range->first, range->second};
    footprints += buffer.footprint();
    if (footprints > kMaxArenaBytes)
      return func.emitError() << "kiln-plan-memory: the temporaries of @" << func.getSymName()
                              << " need more than 2^62 bytes";
    plan.bufferBytes += buffer.bytes;
    buffers.push_back(buffer);
  }
  if (buffers.empty())
    return plan;
  plan.plannedBuffers = buffers.size();
  plan.arenaBytes = pack(buffers);
  placeInArena(func, buffers, plan.arenaBytes);
  return plan;
}

DictionaryAttr planAttr(Builder &b, const kiln::EntryMemoryPlan &plan) {
  auto field = [&](StringRef name, uint64_t value) {
    return b.getNamedAttr(name, b.getI64IntegerAttr(static_cast<int64_t>(value)));
  };
  return b.getDictionaryAttr({field(kArenaBytes, plan.arenaBytes),
                              field(kBuffers, plan.plannedBuffers),
                              field(kBufferBytes, plan.bufferBytes),
                              field(kHeapBuffers, plan.heapBuffers)});
}

struct KilnPlanMemoryPass : kiln::impl::KilnPlanMemoryPassBase<KilnPlanMemoryPass> {
  using KilnPlanMemoryPassBase::KilnPlanMemoryPassBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    Builder b(module.getContext());
    // Plans recorded by an earlier run stay, and their functions (which already take an arena)
    // are not planned twice.
    SmallVector<NamedAttribute> plans;
    if (Attribute existing = module->getAttr(kiln::kMemoryPlanAttrName)) {
      auto dictionary = dyn_cast<DictionaryAttr>(existing);
      if (!dictionary) {
        module.emitError() << "`" << kiln::kMemoryPlanAttrName
                           << "` must be a dictionary of entry plans, got " << existing;
        return signalPassFailure();
      }
      plans.append(dictionary.begin(), dictionary.end());
    }
    auto alreadyPlanned = [&](StringRef name) {
      return llvm::any_of(plans, [&](NamedAttribute plan) { return plan.getName() == name; });
    };
    for (auto func : module.getOps<func::FuncOp>()) {
      // A caller would have to pass the new arena argument: only uncalled entries are planned.
      if (func.isExternal() || func.isPrivate() || alreadyPlanned(func.getSymName()) ||
          !SymbolTable::symbolKnownUseEmpty(func, module))
        continue;
      FailureOr<kiln::EntryMemoryPlan> plan = planFunction(func);
      if (failed(plan))
        return signalPassFailure();
      plans.push_back(b.getNamedAttr(func.getSymName(), planAttr(b, *plan)));
    }
    module->setAttr(kiln::kMemoryPlanAttrName, b.getDictionaryAttr(plans));
  }
};

} // namespace

FailureOr<llvm::StringMap<kiln::EntryMemoryPlan>> kiln::takeMemoryPlans(ModuleOp module) {
  llvm::StringMap<EntryMemoryPlan> plans;
  Attribute attr = module->removeAttr(kMemoryPlanAttrName);
  if (!attr)
    return plans;
  auto entries = dyn_cast<DictionaryAttr>(attr);
  if (!entries)
    return module.emitError() << "`" << kMemoryPlanAttrName
                              << "` must be a dictionary of entry plans, got " << attr;
  for (NamedAttribute entry : entries) {
    auto fields = dyn_cast<DictionaryAttr>(entry.getValue());
    auto read = [&](StringRef name, uint64_t &into) {
      auto value = fields ? fields.getAs<IntegerAttr>(name) : IntegerAttr();
      if (!value || value.getValue().isNegative() || value.getValue().getActiveBits() > 63)
        return false;
      into = value.getValue().getZExtValue();
      return true;
    };
    EntryMemoryPlan plan;
    if (!read(kArenaBytes, plan.arenaBytes) || !read(kBuffers, plan.plannedBuffers) ||
        !read(kBufferBytes, plan.bufferBytes) || !read(kHeapBuffers, plan.heapBuffers))
      return module.emitError() << "malformed memory plan of '" << entry.getName().getValue()
                                << "': expected {" << kArenaBytes << ", " << kBuffers << ", "
                                << kBufferBytes << ", " << kHeapBuffers
                                << "} as non-negative integers, got " << entry.getValue();
    plans[entry.getName().getValue()] = plan;
  }
  return plans;
}
