//===- DynamicSchedule.cpp - the kiln-dynamic-schedule pass ---------------===//
//
// The threads of a parallel region take its work-sharing loop's tasks one at a time from a
// counter they share: each adds one to it atomically and runs the task it names, until the
// count passes the last task. That is what OpenMP's schedule(dynamic) does, without libomp's
// dispatcher: Debian's libomp is built with KMP_DEBUG, and its __kmpc_dispatch_init and
// __kmpc_dispatch_next format their trace messages (malloc, vsnprintf, free) on every call,
// traced or not. That formatting was 4 % of a ResNet-20 training step's samples.
//
//===----------------------------------------------------------------------===//
#include "compiler/Conversion/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/OpenMP/OpenMPDialect.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/FunctionInterfaces.h"

namespace kiln {
#define GEN_PASS_DEF_KILNDYNAMICSCHEDULEPASS
#include "compiler/Conversion/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace {

/// The loop nest of `wsloop` when the loop can be scheduled by the threads themselves: it is
/// the only work of its parallel region (so the region's end is the loop's barrier), which
/// is not nested in another (whose threads would share the one counter), names no schedule
/// (a schedule someone chose stays) and has no clause that needs libomp's work-sharing
/// (reductions, ordered, linear, nowait), and its nest is one block with bounds defined
/// outside the region, in a function (whose frame holds the counter).
omp::LoopNestOp selfSchedulable(omp::WsloopOp wsloop) {
  auto parallel = dyn_cast<omp::ParallelOp>(wsloop->getParentOp());
  if (!parallel || parallel->getParentOfType<omp::ParallelOp>() ||
      !parallel.getRegion().hasOneBlock() ||
      &parallel.getRegion().front().front() != wsloop.getOperation() ||
      !isa<omp::TerminatorOp>(wsloop->getNextNode()))
    return nullptr;
  if (wsloop.getScheduleValAttr() || wsloop.getScheduleChunkVar() ||
      !wsloop.getReductionVars().empty() || !wsloop.getLinearVars().empty() ||
      wsloop.getOrderedValAttr() || wsloop.getNowait())
    return nullptr;
  auto nest = dyn_cast<omp::LoopNestOp>(wsloop.getWrappedLoop());
  if (!nest || !nest.getRegion().hasOneBlock() ||
      !parallel->getParentOfType<FunctionOpInterface>())
    return nullptr;
  // The trip counts are computed before the region: its bounds must be defined there.
  auto outside = [&](Value bound) {
    return !parallel->isAncestor(bound.getParentBlock()->getParentOp());
  };
  if (!llvm::all_of(nest.getLowerBound(), outside) ||
      !llvm::all_of(nest.getUpperBound(), outside) || !llvm::all_of(nest.getStep(), outside))
    return nullptr;
  return nest;
}

/// Each dimension's trip count, computed before `parallel` from the nest's bounds.
SmallVector<Value> tripCounts(OpBuilder &builder, Location loc, omp::LoopNestOp nest) {
  Value zero = builder.create<arith::ConstantIndexOp>(loc, 0);
  SmallVector<Value> counts;
  for (auto [lower, upper, step] :
       llvm::zip(nest.getLowerBound(), nest.getUpperBound(), nest.getStep())) {
    Value span = builder.create<arith::SubIOp>(loc, upper, lower);
    if (nest.getInclusive())
      span = builder.create<arith::AddIOp>(
          loc, span, builder.create<arith::ConstantIndexOp>(loc, 1));
    Value count = builder.create<arith::CeilDivSIOp>(loc, span, step);
    counts.push_back(builder.create<arith::MaxSIOp>(loc, count, zero));
  }
  return counts;
}

/// Replaces `wsloop` with a loop that takes task numbers from a counter the parallel
/// region's threads share, turns each number back into the nest's induction variables (the
/// last dimension fastest, as the work-sharing loop numbers them) and runs the nest's body.
void scheduleBySharedCounter(RewriterBase &rewriter, omp::WsloopOp wsloop,
                             omp::LoopNestOp nest) {
  auto parallel = cast<omp::ParallelOp>(wsloop->getParentOp());
  Location loc = wsloop.getLoc();
  Type i64 = rewriter.getI64Type();

  // The counter lives in the calling thread's frame (allocated once, at the function's
  // entry) and starts at zero before each parallel region; the region captures its address.
  auto function = parallel->getParentOfType<FunctionOpInterface>();
  rewriter.setInsertionPointToStart(&function.getFunctionBody().front());
  Value counter = rewriter.create<memref::AllocaOp>(loc, MemRefType::get({}, i64));
  rewriter.setInsertionPoint(parallel);
  rewriter.create<memref::StoreOp>(loc, rewriter.create<arith::ConstantIntOp>(loc, 0, i64),
                                   counter);
  SmallVector<Value> counts = tripCounts(rewriter, loc, nest);
  Value total = counts.front();
  for (Value count : ArrayRef(counts).drop_front())
    total = rewriter.create<arith::MulIOp>(loc, total, count);

  // Branches, not an scf.while: the nest's body is a memref.alloca_scope, which the memref
  // lowering (before scf's, see buildKilnLoopsToLLVMPipeline) splits into blocks.
  Block *entry = wsloop->getBlock();
  Block *exit = rewriter.splitBlock(entry, wsloop->getIterator());
  Block *head = rewriter.createBlock(exit);
  Block *body = rewriter.createBlock(exit, {rewriter.getIndexType()}, {loc});
  rewriter.setInsertionPointToEnd(entry);
  rewriter.create<cf::BranchOp>(loc, head);

  rewriter.setInsertionPointToEnd(head);
  Value one = rewriter.create<arith::ConstantIntOp>(loc, 1, i64);
  Value taken = rewriter.create<memref::AtomicRMWOp>(loc, arith::AtomicRMWKind::addi, one,
                                                     counter, ValueRange{});
  Value task = rewriter.create<arith::IndexCastOp>(loc, rewriter.getIndexType(), taken);
  Value more = rewriter.create<arith::CmpIOp>(loc, arith::CmpIPredicate::slt, task, total);
  rewriter.create<cf::CondBranchOp>(loc, more, body, ValueRange{task}, exit, ValueRange{});

  rewriter.setInsertionPointToEnd(body);
  Value remaining = body->getArgument(0);
  SmallVector<Value> ivs(counts.size());
  for (int64_t dim = counts.size() - 1; dim >= 0; --dim) {
    Value index = remaining;
    if (dim != 0) {
      index = rewriter.create<arith::RemUIOp>(loc, remaining, counts[dim]);
      remaining = rewriter.create<arith::DivUIOp>(loc, remaining, counts[dim]);
    }
    Value offset = rewriter.create<arith::MulIOp>(loc, index, nest.getStep()[dim]);
    ivs[dim] = rewriter.create<arith::AddIOp>(loc, nest.getLowerBound()[dim], offset);
  }
  auto next = rewriter.create<cf::BranchOp>(loc, head);
  Block &nestBody = nest.getRegion().front();
  Operation *nestYield = nestBody.getTerminator();
  rewriter.inlineBlockBefore(&nestBody, next, ivs);
  rewriter.eraseOp(nestYield);
  rewriter.eraseOp(wsloop);
}

struct KilnDynamicSchedulePass
    : kiln::impl::KilnDynamicSchedulePassBase<KilnDynamicSchedulePass> {
  void runOnOperation() override {
    // The loops the threads cannot schedule themselves get libomp's schedule(dynamic), unless
    // they name a schedule.
    auto dynamic = omp::ClauseScheduleKindAttr::get(&getContext(),
                                                     omp::ClauseScheduleKind::Dynamic);
    SmallVector<std::pair<omp::WsloopOp, omp::LoopNestOp>> loops;
    getOperation()->walk([&](omp::WsloopOp wsloop) {
      if (omp::LoopNestOp nest = selfSchedulable(wsloop))
        loops.push_back({wsloop, nest});
      else if (!wsloop.getScheduleValAttr())
        wsloop.setScheduleValAttr(dynamic);
    });
    IRRewriter rewriter(&getContext());
    for (auto [wsloop, nest] : loops)
      scheduleBySharedCounter(rewriter, wsloop, nest);
  }
};

} // namespace
