//===- FoldTransposes.cpp - the kiln-fold-transposes pass -----------------===//
//
// A layout change between two linalg ops is data movement that an indexing map can do for
// free: a generic can read its input through a permuted map, or write its result in the
// permuted order. These patterns move every transpose into the generics next to it, so that
// after kiln-choose-layout the only transposes left are those next to ops without indexing
// maps of their own (named convolutions and pooling, function arguments and results).
//
//===----------------------------------------------------------------------===//
#include "compiler/Codegen/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/IndexingUtils.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace kiln {
#define GEN_PASS_DEF_KILNFOLDTRANSPOSESPASS
#include "compiler/Codegen/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace {

/// `map`'s results reordered: result i of the new map is result order[i] of `map`.
AffineMap reorderResults(AffineMap map, ArrayRef<int64_t> order) {
  SmallVector<AffineExpr> results;
  for (int64_t i : order)
    results.push_back(map.getResult(i));
  return AffineMap::get(map.getNumDims(), map.getNumSymbols(), results, map.getContext());
}

/// transpose(transpose(x, p), q) is transpose(x, p o q), or x when that is the identity.
struct ComposeTransposes : OpRewritePattern<linalg::TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(linalg::TransposeOp outer,
                                PatternRewriter &rewriter) const override {
    auto inner = outer.getInput().getDefiningOp<linalg::TransposeOp>();
    if (!inner)
      return failure();
    SmallVector<int64_t> composed;
    for (int64_t dim : outer.getPermutation())
      composed.push_back(inner.getPermutation()[dim]);
    if (isIdentityPermutation(composed)) {
      rewriter.replaceOp(outer, inner.getInput());
      return success();
    }
    rewriter.modifyOpInPlace(outer, [&] {
      outer.getInputMutable().assign(inner.getInput());
      outer.setPermutation(composed);
    });
    return success();
  }
};

/// A generic reading transpose(x, perm) reads x instead: operand dimension i was x's
/// dimension perm[i], so x's dimension d is indexed by the old map's result inverse[d].
struct ReadThroughTranspose : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(linalg::GenericOp op, PatternRewriter &rewriter) const override {
    SmallVector<AffineMap> maps = op.getIndexingMapsArray();
    bool changed = false;
    SmallVector<Value> inputs(op.getDpsInputs());
    for (auto [index, input] : llvm::enumerate(inputs)) {
      auto transpose = input.getDefiningOp<linalg::TransposeOp>();
      if (!transpose)
        continue;
      maps[index] = reorderResults(maps[index], invertPermutationVector(transpose.getPermutation()));
      input = transpose.getInput();
      changed = true;
    }
    if (!changed)
      return failure();
    rewriter.modifyOpInPlace(op, [&] {
      op.getInputsMutable().assign(inputs);
      op.setIndexingMapsAttr(rewriter.getAffineMapArrayAttr(maps));
    });
    return success();
  }
};

/// Marks a generic that WriteChannelsLast rewrote, so that no pattern moves its layout again.
constexpr llvm::StringLiteral kChannelsLastAttr = "kiln.channels_last";

/// True if `op` has one result, written into a fresh tensor that its payload does not read:
/// it may write that result in any layout.
bool writesFreshTensor(linalg::GenericOp op) {
  if (op.getNumDpsInits() != 1 || op->getNumResults() != 1)
    return false;
  OpOperand *init = op.getDpsInitOperand(0);
  return init->get().getDefiningOp<tensor::EmptyOp>() && !op.payloadUsesValueFromOperand(init);
}

/// Replaces `producer` (writesFreshTensor) by a generic that writes its result permuted by
/// `perm` into a fresh tensor of `resultType`; returns the new generic.
linalg::GenericOp writePermuted(PatternRewriter &rewriter, linalg::GenericOp producer,
                                ArrayRef<int64_t> perm, RankedTensorType resultType) {
  SmallVector<AffineMap> maps = producer.getIndexingMapsArray();
  maps.back() = reorderResults(maps.back(), perm);
  Location loc = producer.getLoc();
  rewriter.setInsertionPoint(producer);
  Value empty = rewriter.create<tensor::EmptyOp>(loc, resultType.getShape(),
                                                 resultType.getElementType());
  auto permuted = rewriter.create<linalg::GenericOp>(
      loc, TypeRange{resultType}, producer.getDpsInputs(), ValueRange{empty}, maps,
      producer.getIteratorTypesArray());
  rewriter.inlineRegionBefore(producer.getRegion(), permuted.getRegion(),
                              permuted.getRegion().begin());
  return permuted;
}

/// `permuted` (the result of transposing a tensor of `original` type by `perm`) transposed
/// back, for users that read the original layout.
Value transposeBack(PatternRewriter &rewriter, Location loc, Value permuted,
                    RankedTensorType original, ArrayRef<int64_t> perm) {
  Value init =
      rewriter.create<tensor::EmptyOp>(loc, original.getShape(), original.getElementType());
  return rewriter.create<linalg::TransposeOp>(loc, permuted, init, invertPermutationVector(perm))
      .getResult()[0];
}

/// The permutation that takes NCHW to channels-last.
constexpr int64_t kToChannelsLast[] = {0, 2, 3, 1};

/// Whether every user of `producer`'s result reads it as a generic's input or transposes
/// it: users that can take it in another layout.
bool usersTakeAnyLayout(linalg::GenericOp producer) {
  return llvm::all_of(producer.getResult(0).getUses(), [](OpOperand &use) {
    if (isa<linalg::TransposeOp>(use.getOwner()))
      return true;
    auto generic = dyn_cast<linalg::GenericOp>(use.getOwner());
    return generic && generic.isDpsInput(&use);
  });
}

/// Whether a user of `producer`'s result transposes it by another permutation than `perm`.
bool transposedOtherwise(linalg::GenericOp producer, ArrayRef<int64_t> perm) {
  return llvm::any_of(producer->getUsers(), [&](Operation *user) {
    auto other = dyn_cast<linalg::TransposeOp>(user);
    return other && other.getPermutation() != perm;
  });
}

/// Makes `producer` (writesFreshTensor, usersTakeAnyLayout) write its result permuted by
/// `perm` and returns the new op. Users that transposed the result by `perm` take the new
/// one; the others get a transpose back, which generics fold into their maps and transposes
/// compose with.
linalg::GenericOp writeInLayout(PatternRewriter &rewriter, linalg::GenericOp producer,
                                ArrayRef<int64_t> perm) {
  auto oldType = cast<RankedTensorType>(producer.getResult(0).getType());
  auto type = RankedTensorType::get(applyPermutation(oldType.getShape(), perm),
                                    oldType.getElementType());
  linalg::GenericOp permuted = writePermuted(rewriter, producer, perm, type);
  Value result = permuted.getResult(0);
  Value back;
  for (Operation *user : llvm::make_early_inc_range(producer->getUsers())) {
    auto other = dyn_cast<linalg::TransposeOp>(user);
    if (other && other.getPermutation() == perm) {
      rewriter.replaceOp(user, result);
      continue;
    }
    if (!back)
      back = transposeBack(rewriter, producer.getLoc(), result, oldType, perm);
    rewriter.modifyOpInPlace(user, [&] { user->replaceUsesOfWith(producer.getResult(0), back); });
  }
  rewriter.eraseOp(producer);
  return permuted;
}

/// writeInLayout channels-last, marked so that no pattern moves the layout again.
void writeChannelsLast(PatternRewriter &rewriter, linalg::GenericOp producer) {
  writeInLayout(rewriter, producer, kToChannelsLast)
      ->setAttr(kChannelsLastAttr, rewriter.getUnitAttr());
}

/// transpose(generic(...), perm) where the generic writes a fresh tensor: the generic writes
/// the permuted tensor directly. Its other users are generics; they get a transpose back, which
/// ReadThroughTranspose then folds into their maps.
struct WriteTransposed : OpRewritePattern<linalg::TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(linalg::TransposeOp transpose,
                                PatternRewriter &rewriter) const override {
    // Generic users read through the transpose themselves (ReadThroughTranspose); moving it
    // into the producer only pays for users that cannot, and doing it for generic users too
    // would undo ReadThroughTranspose's work forever.
    if (llvm::all_of(transpose->getUsers(), [](Operation *user) { return isa<linalg::GenericOp>(user); }))
      return failure();
    auto producer = transpose.getInput().getDefiningOp<linalg::GenericOp>();
    if (!producer || !writesFreshTensor(producer) || producer->hasAttr(kChannelsLastAttr))
      return failure();
    // A generic may read the result (its map absorbs the transpose back), not write it.
    ArrayRef<int64_t> perm = transpose.getPermutation();
    if (!usersTakeAnyLayout(producer) || transposedOtherwise(producer, perm))
      return failure();
    writeInLayout(rewriter, producer, perm);
    return success();
  }
};

/// A generic (ReLU, a residual add) whose NCHW result is transposed to channels-last for a
/// convolution and also read in other layouts (a filter gradient's transpose, the generics of
/// the backward pass) writes channels-last: the convolution's transpose disappears, the other
/// transposes start from channels-last (ComposeTransposes), generics read through their maps.
/// WriteTransposed handles a result with one layout change only; with several it cannot tell
/// which to take, and taking any one in turn would never settle. Here the choice is fixed
/// (channels-last, kiln-choose-layout's layout for convolutions) and the rewritten op is marked
/// so that no pattern moves its layout again.
struct WriteChannelsLast : OpRewritePattern<linalg::TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(linalg::TransposeOp transpose,
                                PatternRewriter &rewriter) const override {
    ArrayRef<int64_t> perm = transpose.getPermutation();
    if (perm != ArrayRef<int64_t>(kToChannelsLast))
      return failure();
    auto producer = transpose.getInput().getDefiningOp<linalg::GenericOp>();
    if (!producer || !writesFreshTensor(producer) || producer->hasAttr(kChannelsLastAttr) ||
        !usersTakeAnyLayout(producer))
      return failure();
    if (!transposedOtherwise(producer, perm))
      return failure(); // one layout change: WriteTransposed's case
    writeChannelsLast(rewriter, producer);
    return success();
  }
};

/// An elementwise generic that writes NCHW from inputs stored channels-last (a convolution's
/// result, a ReLU's mask, a batch norm's centred input) writes channels-last too, so that it
/// reads and writes along the channels and the generics after it read channels-last through
/// their maps: batch norm's statistics and its backward pass then stay in the layout of the
/// convolutions around them instead of transposing every activation twice. It takes the
/// layout of most of its full-size inputs; the mark that writeChannelsLast leaves ends the
/// propagation.
struct WriteInInputsLayout : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(linalg::GenericOp op, PatternRewriter &rewriter) const override {
    if (!writesFreshTensor(op) || op->hasAttr(kChannelsLastAttr) ||
        op.getNumReductionLoops() != 0 || op.getNumLoops() != 4 || !usersTakeAnyLayout(op))
      return failure();
    AffineMap nchw = rewriter.getMultiDimIdentityMap(4);
    if (op.getIndexingMapsArray().back() != nchw)
      return failure();
    SmallVector<unsigned> toChannelsLast(std::begin(kToChannelsLast), std::end(kToChannelsLast));
    AffineMap channelsLast = AffineMap::getPermutationMap(toChannelsLast, getContext());
    int64_t channelsLastInputs = 0, nchwInputs = 0;
    for (OpOperand *input : op.getDpsInputOperands()) {
      AffineMap map = op.getMatchingIndexingMap(input);
      channelsLastInputs += map == channelsLast;
      nchwInputs += map == nchw;
    }
    if (channelsLastInputs <= nchwInputs)
      return failure();
    writeChannelsLast(rewriter, op);
    return success();
  }
};

/// An elementwise generic whose result map is a permutation iterates in the result's order,
/// so that its innermost loop writes contiguously (the reads are what the layout makes them).
struct IterateInResultOrder : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(linalg::GenericOp op, PatternRewriter &rewriter) const override {
    if (op.getNumDpsInits() != 1 || op.getNumParallelLoops() != op.getNumLoops())
      return failure();
    AffineMap resultMap = op.getIndexingMapsArray().back();
    if (!resultMap.isPermutation() || resultMap.isIdentity())
      return failure();
    SmallVector<unsigned> order;
    for (AffineExpr expr : resultMap.getResults())
      order.push_back(cast<AffineDimExpr>(expr).getPosition());
    return linalg::interchangeGenericOp(rewriter, op, order);
  }
};

struct KilnFoldTransposesPass : kiln::impl::KilnFoldTransposesPassBase<KilnFoldTransposesPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<ComposeTransposes, ReadThroughTranspose, WriteTransposed, WriteChannelsLast,
                 WriteInInputsLayout, IterateInResultOrder>(&getContext());
    if (failed(applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
