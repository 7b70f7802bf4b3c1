//===- Parallelize.cpp - the kiln-parallelize pass -------------------------===//
//
// Threads enter the generated code here, as tasks: each large linalg op is split along its
// leading parallel loops into an scf.forall whose iterations are independent by
// construction (they write disjoint slices of the result). After bufferization,
// scf-forall-to-parallel and convert-scf-to-openmp make each forall one OpenMP work-sharing
// loop (kiln-dynamic-schedule hands its tasks out one at a time).
// Splitting on tensors, before the register tiling, keeps the contraction schedules of
// ContractionCodegen.cpp unchanged inside each task. A contraction's starting value (its
// zero fill or bias broadcast) is computed by its tasks rather than by tasks of its own, and
// so is the elementwise op that consumes its result (a ReLU, a residual add).
//
//===----------------------------------------------------------------------===//
#include "compiler/Codegen/CpuTarget.h"
#include "compiler/Codegen/OutputStart.h"
#include "compiler/Codegen/PartialReductions.h"
#include "compiler/Codegen/Passes.h"
#include "compiler/Codegen/TaskFusion.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

namespace kiln {
#define GEN_PASS_DEF_KILNPARALLELIZEPASS
#include "compiler/Codegen/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace {

/// Which loops of an op may be split, whether a split must divide its loop (a contraction's
/// tiles must stay static to vectorize), and the multiple each loop's tile must be.
struct SplitRule {
  SmallVector<bool> splittable;
  bool divide = false;
  SmallVector<int64_t> quantum; // per loop; empty: 1 everywhere
  int64_t quantumOf(size_t loop) const { return quantum.empty() ? 1 : quantum[loop]; }
};

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

/// The tile size that cuts a loop of `bound` iterations into at least `pieces` tasks: as
/// large as possible, a multiple of `quantum`, and dividing `bound` when `divide`; 0 when
/// no size does.
int64_t pieceSize(int64_t bound, int64_t pieces, int64_t quantum, bool divide) {
  int64_t largest = bound / pieces;
  if (!divide)
    return largest >= quantum ? largest - largest % quantum : 0;
  for (int64_t size = largest; size >= quantum; --size)
    if (bound % size == 0 && size % quantum == 0)
      return size;
  return 0;
}

/// Tile sizes over the loops of an op with `bounds`: the splittable loops are taken in
/// order, one task per index, until `minTasks` tasks; the loop that reaches the count is cut
/// into pieces instead, so that each task keeps as much contiguous work as possible. Empty
/// if the op does not reach two tasks.
SmallVector<int64_t> chooseTaskTile(ArrayRef<int64_t> bounds, const SplitRule &rule,
                                    int64_t minTasks) {
  SmallVector<int64_t> tile(bounds.size(), 0);
  int64_t tasks = 1;
  for (auto [loop, bound] : llvm::enumerate(bounds)) {
    if (!rule.splittable[loop] || bound < 2 || tasks >= minTasks)
      continue;
    int64_t pieces = ceilDiv(minTasks, tasks), quantum = rule.quantumOf(loop);
    if (bound > pieces) {
      if (int64_t size = pieceSize(bound, pieces, quantum, rule.divide)) {
        tile[loop] = size;
        tasks *= ceilDiv(bound, size);
        break;
      }
    }
    // Fewer pieces than tasks still wanted: one task per quantum (per index when it is 1).
    if (bound % quantum == 0 && bound > quantum) {
      tile[loop] = quantum;
      tasks *= bound / quantum;
    }
  }
  if (tasks < 2)
    return {};
  return tile;
}

/// Whether `expr` grows with every loop index it reads: sums, and products with positive
/// constants, of loop indices and constants. Upstream's tiling takes an operand's slice from
/// where the map sends a tile's first index and its sizes, which holds only for such maps:
/// for a flipped filter, read at `2 - kh`, it takes a one-element slice at offset 2 even
/// where kh is not split.
bool isIncreasing(AffineExpr expr) {
  if (isa<AffineDimExpr, AffineConstantExpr>(expr))
    return true;
  auto binary = dyn_cast<AffineBinaryOpExpr>(expr);
  if (!binary)
    return false;
  if (binary.getKind() == AffineExprKind::Add)
    return isIncreasing(binary.getLHS()) && isIncreasing(binary.getRHS());
  if (binary.getKind() == AffineExprKind::Mul) {
    auto factor = dyn_cast<AffineConstantExpr>(binary.getRHS());
    return factor && factor.getValue() > 0 && isIncreasing(binary.getLHS());
  }
  return false;
}

/// Whether every indexing map of `op` is increasing in every result.
bool hasIncreasingMaps(linalg::LinalgOp op) {
  return llvm::all_of(op.getIndexingMapsArray(), [](AffineMap map) {
    return llvm::all_of(map.getResults(), isIncreasing);
  });
}

/// The loops every operand reads through a plain index: each map result that reads the loop
/// is the loop's index alone. A split along them slices each operand along those results
/// only, whatever the other results are.
SmallVector<bool> plainlyIndexedLoops(linalg::LinalgOp op) {
  SmallVector<bool> plain(op.getNumLoops(), true);
  for (AffineMap map : op.getIndexingMapsArray())
    for (AffineExpr result : map.getResults())
      if (!isa<AffineDimExpr>(result))
        for (unsigned loop = 0; loop < plain.size(); ++loop)
          if (result.isFunctionOfDim(loop))
            plain[loop] = false;
  return plain;
}

/// The parallel loops of `op` along which no operand is contiguous (for a reduction, no
/// input): those kiln-vectorize-elementwise does not make vectors along (a task one index
/// wide along one of the others would stay scalar).
SmallVector<bool> parallelLoopsAcrossVectors(linalg::LinalgOp op) {
  SmallVector<bool> loops;
  for (utils::IteratorType iterator : op.getIteratorTypesArray())
    loops.push_back(iterator == utils::IteratorType::parallel);
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  if (op.getNumReductionLoops() != 0)
    maps.pop_back();
  for (AffineMap map : maps)
    if (map.getNumResults() != 0)
      if (auto innermost = dyn_cast<AffineDimExpr>(map.getResults().back()))
        loops[innermost.getPosition()] = false;
  return loops;
}

/// The split rule of `op`: a convolution over images and output rows (a register tile spans
/// output columns and channels, and the rows of as many images as CpuTarget.cpp puts in one
/// tile); a matmul over column blocks of whole vectors, else row blocks; anything else over
/// its parallelLoopsAcrossVectors, or over any parallel loop when it has none.
SplitRule splitRuleOf(linalg::LinalgOp op, ArrayRef<int64_t> bounds,
                      const kiln::CpuTarget &target) {
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  SplitRule rule;
  for (utils::IteratorType iterator : iterators)
    rule.splittable.push_back(iterator == utils::IteratorType::parallel);
  if (isa<linalg::Conv2DNhwcHwcfOp>(op)) {
    rule.divide = true;
    for (unsigned loop = 2; loop < rule.splittable.size(); ++loop)
      rule.splittable[loop] = false;
    if (std::optional<SmallVector<int64_t>> tile = kiln::chooseConvRegisterTile(bounds, target)) {
      rule.quantum.assign(bounds.size(), 1);
      rule.quantum[0] = (*tile)[0];
    }
    return rule;
  }
  SmallVector<bool> acrossVectors = parallelLoopsAcrossVectors(op);
  if (llvm::is_contained(acrossVectors, true))
    rule.splittable = acrossVectors;
  return rule;
}

/// Matmul (m, n, k): blocks of 8 rows and 32 columns at least, the largest register tile of
/// CpuTarget.cpp (8 x two AVX-512 vectors), so that splitting never narrows a task below
/// one register tile; when the shape has no such blocks, columns in whole 8-float vectors,
/// and failing that any blocks that divide. Row blocks alone when there are rows enough for
/// a quarter of `minTasks`: every task then reads all of B, which kiln-codegen-contractions
/// packs once for all of them (a task of a column block would pack its own part of B, once
/// per row block), and B streams through the cache once per task, so the tasks are few and
/// tall (16 tasks of 16 rows ran a filter gradient's 256 x 6272 x 1024 matmul at a third of
/// the FMA peak, bound by reading B 16 times).
SmallVector<int64_t> chooseMatmulTaskTile(ArrayRef<int64_t> bounds, int64_t minTasks) {
  SplitRule rowBlocks{{true, false, false}, /*divide=*/true, /*quantum=*/{8, 32, 1}};
  int64_t rowTasks = std::max<int64_t>(2, minTasks / 8);
  SmallVector<int64_t> tile = chooseTaskTile(bounds, rowBlocks, rowTasks);
  if (!tile.empty() && bounds[0] / tile[0] >= rowTasks)
    return tile;
  // Columns that 32 does not divide (a classifier's 1000) still in whole 8-float vectors: a
  // task of 500 columns could not be vectorized at all (its 8 x 2048 x 1000 ran as scalar
  // loops, 0.5 % of ResNet-50's batch-8 inference). An empty quantum: any blocks.
  const SmallVector<int64_t> quanta[] = {{8, 32, 1}, {8, 8, 1}, {}};
  for (const SmallVector<int64_t> &quantum : quanta) {
    SplitRule blocks{{true, true, false}, /*divide=*/true, quantum};
    tile = chooseTaskTile(bounds, blocks, minTasks);
    if (!tile.empty())
      break;
  }
  return tile;
}

/// Whether `op` moves data that bufferization added: a fill (a padded input's border), a
/// copy, or a map without inputs (what a padding becomes), on buffers.
bool isBufferDataMovement(linalg::LinalgOp op) {
  return op.hasPureBufferSemantics() &&
         (isa<linalg::FillOp, linalg::CopyOp>(op) ||
          (isa<linalg::MapOp>(op) && op.getNumDpsInputs() == 0));
}

/// The loop bounds of a statically shaped linalg op on tensors (or, splitting buffers, data
/// movement on buffers), or nullopt.
std::optional<SmallVector<int64_t>> staticLoopBounds(linalg::LinalgOp op) {
  if (!op.hasPureTensorSemantics() && !isBufferDataMovement(op))
    return std::nullopt;
  SmallVector<int64_t> bounds = op.getStaticLoopRanges();
  if (llvm::any_of(bounds, ShapedType::isDynamic))
    return std::nullopt;
  return bounds;
}

int64_t iterationCount(ArrayRef<int64_t> bounds) {
  int64_t iterations = 1;
  for (int64_t bound : bounds)
    iterations *= bound;
  return iterations;
}

/// The task computes its slice of the fill or broadcast its output starts from (the task
/// then reads the computed slice as its init).
void fuseOutputStart(RewriterBase &rewriter, scf::ForallOp forall, linalg::LinalgOp task) {
  if (auto slice = task.getDpsInitOperand(0)->get().getDefiningOp<tensor::ExtractSliceOp>())
    kiln::computeOutputStartInTask(rewriter, forall, slice);
}

struct KilnParallelizePass : kiln::impl::KilnParallelizePassBase<KilnParallelizePass> {
  using KilnParallelizePassBase::KilnParallelizePassBase;

  /// Only ops at the top level: one inside a loop already runs once per iteration.
  SmallVector<linalg::LinalgOp> topLevelOps(bool contractions) {
    SmallVector<linalg::LinalgOp> ops;
    for (Block &block : getOperation().getBody())
      for (Operation &op : block)
        if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op))
          if (isa<linalg::Conv2DNhwcHwcfOp, linalg::MatmulOp>(op) == contractions)
            ops.push_back(linalgOp);
    return ops;
  }

  /// The target kiln-codegen-contractions' register tiles are sized for.
  kiln::CpuTarget target;

  /// The task tile of `op`, or an empty vector when it stays whole.
  SmallVector<int64_t> taskTile(linalg::LinalgOp op) {
    std::optional<SmallVector<int64_t>> bounds = staticLoopBounds(op);
    if (!bounds)
      return {};
    if (iterationCount(*bounds) < minIterations)
      return {};
    if (isa<linalg::MatmulOp>(op))
      return chooseMatmulTaskTile(*bounds, minTasks);
    SplitRule rule = splitRuleOf(op, *bounds, target);
    if (!hasIncreasingMaps(op)) {
      // A flipped filter (read at `2 - kh`): whole pieces of its plainly indexed loops, for
      // splitAlongPlainLoops.
      if (!op.hasPureTensorSemantics() || op->getNumResults() != 1)
        return {};
      for (auto [splittable, plain] : llvm::zip(rule.splittable, plainlyIndexedLoops(op)))
        splittable = splittable && plain;
      rule.divide = true;
    }
    return chooseTaskTile(*bounds, rule, minTasks);
  }

  /// Splits `op` into tasks along the loops `tile` cuts, which are plainly indexed and
  /// divided into whole pieces, without upstream's tiling: each operand is sliced along the
  /// results that are a cut loop's index and taken whole along the others, and the task's op
  /// keeps `op`'s maps. (Upstream slices every result from where its map sends the tile's
  /// first index, wrong for a flip even along loops it does not cut. Left whole, the
  /// 512 x 512 x 3 x 3 filter flips of a layer-4 input gradient ran on one thread: 17 % of
  /// its samples, and the other thread's wait in libomp 15 %.)
  linalg::LinalgOp splitAlongPlainLoops(RewriterBase &rewriter, linalg::LinalgOp op,
                                        ArrayRef<int64_t> tile) {
    Location loc = op.getLoc();
    SmallVector<int64_t> bounds = op.getStaticLoopRanges();
    SmallVector<OpFoldResult> lowerBounds, upperBounds, steps;
    SmallVector<unsigned> cutLoops;
    for (auto [loop, size] : llvm::enumerate(tile)) {
      if (size == 0)
        continue;
      cutLoops.push_back(loop);
      lowerBounds.push_back(rewriter.getIndexAttr(0));
      upperBounds.push_back(rewriter.getIndexAttr(bounds[loop]));
      steps.push_back(rewriter.getIndexAttr(size));
    }
    rewriter.setInsertionPoint(op);
    auto forall = rewriter.create<scf::ForallOp>(loc, lowerBounds, upperBounds, steps,
                                                 op.getDpsInits(), std::nullopt);
    SmallVector<OpFoldResult> offsetOfLoop(bounds.size());
    for (auto [index, loop] : llvm::enumerate(cutLoops))
      offsetOfLoop[loop] = forall.getInductionVars()[index];

    // The slice of an operand read through `map`: a cut loop's piece, the rest whole.
    auto sliceOf = [&](Value operand, AffineMap map) {
      SmallVector<OpFoldResult> offsets, sizes, strides;
      for (auto [dim, result] : llvm::enumerate(map.getResults())) {
        auto loop = dyn_cast<AffineDimExpr>(result);
        bool cut = loop && tile[loop.getPosition()] != 0;
        offsets.push_back(cut ? offsetOfLoop[loop.getPosition()] : rewriter.getIndexAttr(0));
        sizes.push_back(rewriter.getIndexAttr(
            cut ? tile[loop.getPosition()]
                : cast<ShapedType>(operand.getType()).getDimSize(dim)));
        strides.push_back(rewriter.getIndexAttr(1));
      }
      return std::make_tuple(offsets, sizes, strides);
    };
    rewriter.setInsertionPointToStart(forall.getBody());
    SmallVector<Value> operands;
    for (OpOperand &operand : op->getOpOperands()) {
      Value source = op.isDpsInit(&operand) ? forall.getRegionIterArgs().front()
                                            : operand.get();
      auto [offsets, sizes, strides] = sliceOf(source, op.getMatchingIndexingMap(&operand));
      operands.push_back(
          rewriter.create<tensor::ExtractSliceOp>(loc, source, offsets, sizes, strides));
    }
    auto task = cast<linalg::LinalgOp>(
        mlir::clone(rewriter, op, {operands.back().getType()}, operands));
    rewriter.setInsertionPointToStart(forall.getTerminator().getBody());
    auto [offsets, sizes, strides] =
        sliceOf(forall.getRegionIterArgs().front(), op.getIndexingMapsArray().back());
    rewriter.create<tensor::ParallelInsertSliceOp>(loc, task->getResult(0),
                                                   forall.getRegionIterArgs().front(), offsets,
                                                   sizes, strides);
    rewriter.replaceOp(op, forall.getResults());
    return task;
  }

  /// A large sum along vectors only (per-channel sums of a channels-last tensor) becomes
  /// partial sums per index of its outermost reduced loop, which split into tasks along that
  /// loop; returns the op to split into tasks, `op` itself when it stays as it is.
  linalg::LinalgOp splitAlongReducedLoop(RewriterBase &rewriter, linalg::LinalgOp op) {
    auto generic = dyn_cast<linalg::GenericOp>(op.getOperation());
    if (!generic || op.getNumReductionLoops() == 0 ||
        llvm::is_contained(parallelLoopsAcrossVectors(op), true))
      return op;
    std::optional<SmallVector<int64_t>> bounds = staticLoopBounds(op);
    if (!bounds || iterationCount(*bounds) < minIterations)
      return op;
    FailureOr<linalg::GenericOp> partial = kiln::splitIntoPartialSums(rewriter, generic);
    return succeeded(partial) ? cast<linalg::LinalgOp>(partial->getOperation()) : op;
  }

  /// Splits `op` into tasks (an scf.forall) and returns the op computing one task; null when
  /// `op` stays whole; failure after reporting an error.
  FailureOr<linalg::LinalgOp> splitIntoTasks(RewriterBase &rewriter, linalg::LinalgOp op) {
    SmallVector<int64_t> tile = taskTile(op);
    if (tile.empty())
      return linalg::LinalgOp();
    if (!hasIncreasingMaps(op))
      return splitAlongPlainLoops(rewriter, op, tile);
    scf::SCFTilingOptions options;
    options.setTileSizes(getAsIndexOpFoldResult(&getContext(), tile));
    options.setLoopType(scf::SCFTilingOptions::LoopType::ForallOp);
    rewriter.setInsertionPoint(op);
    FailureOr<scf::SCFTilingResult> tiled =
        scf::tileUsingSCF(rewriter, cast<TilingInterface>(op.getOperation()), options);
    if (failed(tiled))
      return op.emitError("kiln-parallelize: splitting the op into tasks failed");
    rewriter.replaceOp(op, tiled->replacements);
    return cast<linalg::LinalgOp>(tiled->tiledOps.front());
  }

  void runOnOperation() override {
    // Once per function: with vector-bits=0 it reads the host CPU's features.
    target = kiln::CpuTarget::fromVectorBits(vectorBits);
    IRRewriter rewriter(&getContext());
    if (buffers) {
      for (linalg::LinalgOp op : topLevelOps(/*contractions=*/false))
        if (isBufferDataMovement(op) && failed(splitIntoTasks(rewriter, op)))
          return signalPassFailure();
      return;
    }
    // Contractions first, so that the fill or broadcast they start from joins their tasks.
    for (linalg::LinalgOp op : topLevelOps(/*contractions=*/true)) {
      FailureOr<linalg::LinalgOp> task = splitIntoTasks(rewriter, op);
      if (failed(task))
        return signalPassFailure();
      if (*task) {
        auto forall = (*task)->getParentOfType<scf::ForallOp>();
        fuseOutputStart(rewriter, forall, *task);
        kiln::fuseElementwiseConsumer(rewriter, forall);
      }
    }
    if (contractionsOnly)
      return;
    for (linalg::LinalgOp op : topLevelOps(/*contractions=*/false))
      if (failed(splitIntoTasks(rewriter, splitAlongReducedLoop(rewriter, op))))
        return signalPassFailure();
  }
};

} // namespace
