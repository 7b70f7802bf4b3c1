//===- Winograd.cpp - the kiln-winograd pass -------------------------------===//
//
// A 3x3, stride-1 convolution as Winograd's minimal filtering F(m x m, 3 x 3) (Lavin and
// Gray, "Fast Algorithms for Convolutional Neural Networks", 2016): each m x m tile of the
// output is A^T [(G g G^T) . (B^T d B)] A, where d is the (m + 2) x (m + 2) input patch the
// tile reads and g the filter. Over channels the elementwise product becomes one matmul per
// position of the alpha x alpha transformed tile, (tiles x C) times (C x F), with 2.25x
// (m = 2) or 4x (m = 4) fewer multiply-adds than the direct convolution.
//
// The transformed input and the products are alpha^2 / m^2 times the size of the input and
// the output (4x and 2.25x): streamed through memory they would cost more than the
// multiply-adds saved. So the rewrite makes its own tasks (an scf.forall over blocks of
// tile rows), and each task transforms its rows of input into scratch tensors of its own,
// multiplies them by the transformed filter and transforms the products into its slice of
// the output, all while they are in cache. The transforms are vector code: loop nests over
// (images, tile rows, tile columns, channel vectors) that read a tile's alpha^2 vectors once
// and transform them in registers, rows then columns (as one elementwise generic per
// position, each re-reading its 4 patch vectors, the transforms of a 16-channel ResNet-20
// convolution had been more of its time than its multiply-adds); the products are one
// linalg.matmul in a loop over the positions (kiln-codegen-contractions' register tiles).
// The filter is transformed once per call, before the tasks.
//
// A stride-2 convolution's tile of m x m outputs reads a (2m + 1) x (2m + 1) patch: along
// each dimension its even inputs meet the filter's taps 0 and 2 (a stride-1 correlation
// with a 2-tap filter, F(m, 2)) and its odd ones tap 1 alone. So its scheme has
// alpha = 2m + 1 positions (F(m, 2)'s m + 1 and m plain ones) and the same matmuls per
// position: 1.44x (m = 2) or 1.78x (m = 4) fewer multiply-adds than the direct convolution.
//
//===----------------------------------------------------------------------===//
#include "compiler/Codegen/CpuTarget.h"
#include "compiler/Codegen/Passes.h"
#include "compiler/Codegen/TaskFusion.h"
#include "compiler/Codegen/WinogradFilterGradient.h"
#include "compiler/Codegen/WinogradTransforms.h"
#include "compiler/Transforms/WorthPreparing.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h" // the transforms' math.fma (getDependentDialects)
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Utils/Utils.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Matchers.h"

namespace kiln {
#define GEN_PASS_DEF_KILNWINOGRADPASS
#include "compiler/Codegen/Passes.h.inc"
} // namespace kiln

using namespace mlir;
using kiln::WinogradScheme;

namespace {

/// Output channels per matmul task where the filter is too large for every task to read it
/// all: a [C, 128] slice of a position's filter (256 KB at 512 channels) stays in L2.
constexpr int64_t kGlobalChannelBlock = 128;

/// The direct convolution's multiply-adds over a scheme's, at least.
constexpr double kMinMultiplyAddSaving = 1.3;

/// `value` added to `init` (of its shape) by an elementwise linalg.generic.
Value addInto(OpBuilder &b, Location loc, Value value, Value init) {
  auto type = cast<RankedTensorType>(init.getType());
  SmallVector<AffineMap> maps(2, b.getMultiDimIdentityMap(type.getRank()));
  SmallVector<utils::IteratorType> iterators(type.getRank(), utils::IteratorType::parallel);
  return b
      .create<linalg::GenericOp>(
          loc, type, value, init, maps, iterators,
          [](OpBuilder &nested, Location nestedLoc, ValueRange args) {
            nested.create<linalg::YieldOp>(
                nestedLoc, nested.create<arith::AddFOp>(nestedLoc, args[1], args[0]).getResult());
          })
      .getResult(0);
}

/// `lhs` times `rhs` by a linalg.matmul that starts from zeros filled into `into`.
Value matmulFromZero(OpBuilder &b, Location loc, Value lhs, Value rhs, Value into, Value zero) {
  Value start = b.create<linalg::FillOp>(loc, zero, into).getResult(0);
  return b.create<linalg::MatmulOp>(loc, start.getType(), ValueRange{lhs, rhs}, start)
      .getResult(0);
}

/// The shapes of a convolution the rewrite takes: filter [3, 3, C, F], output [N, H, W, F]
/// (the input [N, stride * (H - 1) + 3 or more, ..., C], padded).
struct ConvShape {
  int64_t n = 0, h = 0, w = 0, c = 0, f = 0, stride = 1;
};

/// The shape of `conv` when it is a statically shaped fp32 3x3 convolution with strides 1 or
/// 2 (the same along both dimensions), unit dilations and channels in whole vectors of
/// `lanes` (both transforms are vector code along them): nullopt otherwise.
std::optional<ConvShape> candidateShape(linalg::Conv2DNhwcHwcfOp conv, int64_t lanes) {
  std::optional<int64_t> stride = kiln::staticFp32Stride(conv);
  if (stride != 1 && stride != 2)
    return std::nullopt;
  ArrayRef<int64_t> filter =
      cast<ShapedType>(conv.getDpsInputOperand(1)->get().getType()).getShape();
  ArrayRef<int64_t> output =
      cast<ShapedType>(conv.getDpsInitOperand(0)->get().getType()).getShape();
  ConvShape shape{output[0], output[1], output[2], filter[2], filter[3], *stride};
  if (filter[0] != 3 || filter[1] != 3 || shape.c % lanes != 0 || shape.f % lanes != 0)
    return std::nullopt;
  return shape;
}

/// A patch row's or column's index into the input the patches are read from, clamped into
/// it, and whether the unclamped one lies inside (null: statically inside).
struct SourceIndex {
  Value index, inside;
};

/// Where the input transform reads the patches from: a convolution's zero-padded input is
/// read unpadded (the pad's source, `top` and `left` rows and columns in), and what lies
/// outside it, the padding and the rows and columns past the end that tiles of an output m
/// does not divide read, as zeros (a masked vector read at a clamped index). That saves
/// the padded copy of the input (on ResNet-50's 56 x 56 strided layer, with its fill 15 %
/// of the convolution's time on one thread), and on an input no pad made, the one the
/// tiles past the end would need.
struct UnpaddedInput {
  Value value;
  int64_t top = 0, left = 0;
  ArrayRef<int64_t> shape; // [N, H, W, C]
  int64_t lanes = 0;
  bool masked = false; // false: every patch lies inside, read as it is

  /// The indices first + k, k < count, along dimension `dim` of the source.
  SmallVector<SourceIndex> indices(OpBuilder &b, Location loc, Value first, int64_t count,
                                   int64_t dim) const {
    SmallVector<SourceIndex> result;
    if (!masked) {
      for (int64_t k = 0; k < count; ++k)
        result.push_back({b.create<arith::AddIOp>(loc, first,
                                                  b.create<arith::ConstantIndexOp>(loc, k)),
                          Value()});
      return result;
    }
    int64_t size = shape[dim];
    Value zero = b.create<arith::ConstantIndexOp>(loc, 0);
    Value last = b.create<arith::ConstantIndexOp>(loc, size - 1);
    for (int64_t k = 0; k < count; ++k) {
      Value position = b.create<arith::AddIOp>(loc, first,
                                               b.create<arith::ConstantIndexOp>(loc, k));
      Value clamped = b.create<arith::MaxSIOp>(loc, zero,
                                               b.create<arith::MinSIOp>(loc, position, last));
      Value inside = b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::eq, clamped, position);
      result.push_back({clamped, inside});
    }
    return result;
  }

  /// The mask of a patch vector at (row, column): all lanes inside, none outside.
  Value mask(OpBuilder &b, Location loc, const SourceIndex &row,
             const SourceIndex &column) const {
    if (!masked)
      return Value();
    Value inside = b.create<arith::AndIOp>(loc, row.inside, column.inside);
    Value length = b.create<arith::SelectOp>(loc, inside,
                                             b.create<arith::ConstantIndexOp>(loc, lanes),
                                             b.create<arith::ConstantIndexOp>(loc, 0));
    return b.create<vector::CreateMaskOp>(loc, VectorType::get({lanes}, b.getI1Type()),
                                          length);
  }
};

/// The patches of `shape` (whole tiles) at `scheme` read from `input`: unpadded when a zero
/// tensor.pad of its rows and columns made it.
UnpaddedInput unpaddedInput(Value input, const ConvShape &shape, const WinogradScheme &scheme,
                            int64_t lanes) {
  UnpaddedInput result{input, 0, 0, cast<RankedTensorType>(input.getType()).getShape(), lanes};
  auto pad = input.getDefiningOp<tensor::PadOp>();
  if (pad && pad.getConstantPaddingValue() &&
      matchPattern(pad.getConstantPaddingValue(), m_AnyZeroFloat())) {
    SmallVector<int64_t> low(pad.getStaticLow()), high(pad.getStaticHigh());
    bool spatialOnly = low[0] == 0 && low[3] == 0 && high[0] == 0 && high[3] == 0;
    if (spatialOnly && !ShapedType::isDynamicShape(low) && !ShapedType::isDynamicShape(high)) {
      result.value = pad.getSource();
      result.top = low[1];
      result.left = low[2];
      result.shape = cast<RankedTensorType>(pad.getSource().getType()).getShape();
    }
  }
  int64_t lastRow = scheme.stride * (shape.h - 1) + 2 - result.top,
          lastColumn = scheme.stride * (shape.w - 1) + 2 - result.left;
  result.masked = result.top > 0 || result.left > 0 || lastRow >= result.shape[1] ||
                  lastColumn >= result.shape[2];
  return result;
}

/// A task's block of tiles: `images` images by `tileRows` rows of tiles, each row all the
/// output's tile columns. As many tiles as `targetTiles` allows (the products' matmuls have
/// one row per tile), whole rows and whole images, at least one row; the scratch tensors of a
/// task (transformed input and products) within `scratchBytes`; and smaller blocks while
/// that makes fewer than `minTasks` tasks (a batch-1 ResNet-20's 8 x 8 layer was one task,
/// for one thread).
std::pair<int64_t, int64_t> chooseTaskBlock(const ConvShape &shape, const WinogradScheme &scheme,
                                            int64_t targetTiles, int64_t scratchBytes,
                                            int64_t minTasks) {
  int64_t tileRows = shape.h / scheme.m, tileColumns = shape.w / scheme.m;
  int64_t bytesPerTile = 4 * scheme.alpha() * scheme.alpha() * (shape.c + shape.f);
  int64_t limit = std::max<int64_t>(1, std::min(targetTiles, scratchBytes / bytesPerTile));
  int64_t rows = kiln::largestDivisorAtMost(tileRows, std::max<int64_t>(1, limit / tileColumns));
  int64_t images = 1;
  if (rows == tileRows)
    images = kiln::largestDivisorAtMost(shape.n,
                                        std::max<int64_t>(1, limit / (rows * tileColumns)));
  auto tasks = [&] { return (shape.n / images) * (tileRows / rows); };
  while (tasks() < minTasks && images > 1)
    images = kiln::largestDivisorAtMost(shape.n, images - 1);
  while (tasks() < minTasks && rows > 1)
    rows = kiln::largestDivisorAtMost(tileRows, rows - 1);
  return {images, rows};
}

struct KilnWinogradPass : kiln::impl::KilnWinogradPassBase<KilnWinogradPass> {
  using KilnWinogradPassBase::KilnWinogradPassBase;

  void runOnOperation() override {
    std::optional<WinogradScheme> scheme = kiln::winogradSchemeFor(tile);
    if (!scheme) {
      getOperation().emitError("kiln-winograd: tile must be 2 or 4, not ")
          << static_cast<int64_t>(tile);
      return signalPassFailure();
    }
    int64_t lanes = kiln::CpuTarget::fromVectorBits(vectorBits).vectorFloats;
    SmallVector<std::tuple<linalg::Conv2DNhwcHwcfOp, ConvShape, WinogradScheme, bool>> convs;
    // Every task reads the whole transformed filter: one larger than `filter-bytes` no longer
    // stays in cache from task to task (ResNet-50's layer 4, 512 x 512 channels, 16 MB:
    // 65 GFLOP/s against 217 for the direct convolution; layer 3's strided one, 6.5 MB at
    // F(2 x 2), still gains: 236 against 212). Below `min-multiply-adds` the transforms and
    // the tasks' setup cost more than they save (a batch-1 ResNet-20, 2.4 M per
    // convolution: 0.52 ms a forward against 0.45 direct).
    // F(4 x 4) falls back to F(2 x 2) where its filter is too large (ResNet-50's layer 3,
    // 256 x 256 channels: 9.4 MB, slower there than F(2 x 2)'s 4.2 MB), at either stride.
    auto schemesAt = [&](int64_t stride) {
      SmallVector<WinogradScheme> schemes = {*kiln::winogradSchemeFor(scheme->m, stride)};
      if (scheme->m == 4)
        schemes.push_back(*kiln::winogradSchemeFor(2, stride));
      return schemes;
    };
    SmallVector<WinogradScheme> schemes = schemesAt(1);
    SmallVector<WinogradScheme> stridedSchemes = schemesAt(2);
    SmallVector<linalg::Conv2DNhwcHwcfOp> others;
    getOperation().walk([&](linalg::Conv2DNhwcHwcfOp conv) {
      std::optional<ConvShape> shape = candidateShape(conv, lanes);
      if (!shape) {
        others.push_back(conv);
        return;
      }
      if (shape->n * shape->h * shape->w * shape->c * shape->f * 9 < minMultiplyAdds)
        return;
      auto filterSize = [&](const WinogradScheme &candidate) {
        return 4 * candidate.alpha() * candidate.alpha() * shape->c * shape->f;
      };
      // Whole tiles may cover more than the output (7 x 7 as 8 x 8): at stride 2 and F(2 x 2)
      // that leaves ResNet-50's layer 4 with 1.1x fewer multiply-adds than the direct
      // convolution, not enough to pay for the transforms.
      auto savesEnough = [&](const WinogradScheme &candidate) {
        int64_t tiles = llvm::divideCeil(shape->h, candidate.m) *
                        llvm::divideCeil(shape->w, candidate.m);
        return shape->h * shape->w * 9 >=
               kMinMultiplyAddSaving * tiles * candidate.alpha() * candidate.alpha();
      };
      auto fits = [&](const WinogradScheme &candidate) {
        return filterSize(candidate) <= filterBytes && savesEnough(candidate);
      };
      ArrayRef<WinogradScheme> ofStride = shape->stride == 1 ? schemes : stridedSchemes;
      if (const WinogradScheme *chosen = llvm::find_if(ofStride, fits); chosen != ofStride.end())
        convs.push_back({conv, *shape, *chosen, /*global=*/false});
      else if (filterSize(ofStride.back()) <= globalFilterBytes && savesEnough(ofStride.back()))
        convs.push_back({conv, *shape, ofStride.back(), /*global=*/true});
    });
    IRRewriter rewriter(&getContext());
    for (auto &[conv, shape, chosen, global] : convs) {
      auto pad = conv.getDpsInputOperand(0)->get().getDefiningOp<tensor::PadOp>();
      rewrite(rewriter, conv, shape, chosen, lanes, global);
      if (pad && pad->use_empty()) // read unpadded
        rewriter.eraseOp(pad);
    }
    if (!filterGradients)
      return;
    // Filter gradients: F(4 x 4) where 4 divides the output, else F(2 x 2).
    kiln::FilterGradientLimits limits{lanes, minTasks, scratchBytes, minMultiplyAdds,
                                      filterBytes};
    for (linalg::Conv2DNhwcHwcfOp conv : others)
      for (const WinogradScheme &candidate : schemes)
        if (kiln::rewriteFilterGradientAsWinograd(rewriter, conv, candidate, limits))
          break;
  }

  /// The transformed filter [alpha^2, C, F], one [C, F] matrix per position of the
  /// alpha x alpha tile: G g G^T for each input channel and vector of output channels, its
  /// 9 tap vectors read once and transformed in registers (rows, then columns), in tasks
  /// over blocks of input channels. (As one generic over (position, c, f) that read every
  /// tap for every position, the filter was read alpha^2 times: 22 % of ResNet-50's layer-4
  /// convolution.)
  Value transformFilter(OpBuilder &b, Location loc, Value filter, const ConvShape &shape,
                        const WinogradScheme &scheme, int64_t lanes) {
    MLIRContext *ctx = b.getContext();
    Type f32 = b.getF32Type();
    int64_t positions = scheme.alpha() * scheme.alpha();
    int64_t channelBlock =
        kiln::largestDivisorAtMost(shape.c, std::max<int64_t>(1, shape.c / minTasks));
    Value init =
        b.create<tensor::EmptyOp>(loc, ArrayRef<int64_t>{positions, shape.c, shape.f}, f32);
    auto tasks = b.create<scf::ForallOp>(
        loc, getAsIndexOpFoldResult(ctx, {0}), getAsIndexOpFoldResult(ctx, {shape.c}),
        getAsIndexOpFoldResult(ctx, {channelBlock}), ValueRange{init}, std::nullopt);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(tasks.getBody());
    Value firstChannel = tasks.getInductionVars()[0];
    Value zero = b.create<arith::ConstantOp>(loc, b.getF32FloatAttr(0));
    auto vectorType = VectorType::get({lanes}, f32);
    // Written in place, in the task's slice of the result.
    SmallVector<OpFoldResult> offsets = {b.getIndexAttr(0), firstChannel, b.getIndexAttr(0)};
    SmallVector<OpFoldResult> sizes =
        getAsIndexOpFoldResult(ctx, {positions, channelBlock, shape.f});
    SmallVector<OpFoldResult> strides = getAsIndexOpFoldResult(ctx, {1, 1, 1});
    Value blockInit = b.create<tensor::ExtractSliceOp>(loc, tasks.getRegionIterArgs().front(),
                                                       offsets, sizes, strides);
    Value block = kiln::vectorLoopNest(
        b, loc, {channelBlock, shape.f}, lanes, blockInit,
        [&](OpBuilder &nb, Location at, ValueRange ivs, Value block) {
          Value channel = nb.create<arith::AddIOp>(at, firstChannel, ivs[0]);
          SmallVector<Value> taps =
              kiln::readSquare(nb, at, filter, vectorType, zero, 3, [&](int64_t i, int64_t j) {
                return SmallVector<Value>{nb.create<arith::ConstantIndexOp>(at, i),
                                          nb.create<arith::ConstantIndexOp>(at, j), channel,
                                          ivs[1]};
              });
          return kiln::writePlanes(nb, at, kiln::sandwich(nb, at, taps, scheme.filterT, 3),
                                   block, {ivs[0], ivs[1]});
        });
    b.setInsertionPointToStart(tasks.getTerminator().getBody());
    b.create<tensor::ParallelInsertSliceOp>(loc, block, tasks.getRegionIterArgs().front(),
                                           offsets, sizes, strides);
    // Of a constant filter, computed once in `prepare` (kiln-hoist-parameter-math), not per
    // call: the transform costs a write of the larger filter and a read back, and in `forward`
    // it was 4 % of ResNet-50's strided layer 3 (14 % when the two threads' cores were far
    // apart and every task read the other thread's half of the result from its cache).
    tasks->setAttr(kiln::kWorthPreparingAttrName, b.getUnitAttr());
    return tasks.getResult(0);
  }

  /// `conv` as Winograd tasks; with `global`, its input transformed for all tiles before the
  /// matmuls and the output transforms after them. An output whose height or width `m` does
  /// not divide (ResNet-50's 7 x 7 layer 4) is computed whole tiles wide (the patches read
  /// zeros past the input's end) into a tensor of its own; the convolution's result is its
  /// top-left part added to the convolution's init (nothing added to a zero fill).
  void rewrite(IRRewriter &rewriter, linalg::Conv2DNhwcHwcfOp conv, const ConvShape &real,
               const WinogradScheme &scheme, int64_t lanes, bool global) {
    Location loc = conv.getLoc();
    MLIRContext *ctx = &getContext();
    Type f32 = rewriter.getF32Type();
    int64_t m = scheme.m, alpha = scheme.alpha();
    ConvShape shape = real;
    shape.h = llvm::divideCeil(real.h, m) * m;
    shape.w = llvm::divideCeil(real.w, m) * m;
    bool padded = shape.h != real.h || shape.w != real.w;
    auto [images, tileRows] =
        chooseTaskBlock(shape, scheme, taskTiles, scratchBytes, minTasks);
    int64_t tileColumns = shape.w / m, tiles = images * tileRows * tileColumns;
    Value input = conv.getDpsInputOperand(0)->get();
    Value init = conv.getDpsInitOperand(0)->get();
    rewriter.setInsertionPoint(conv);
    Value zero = rewriter.create<arith::ConstantOp>(loc, rewriter.getF32FloatAttr(0));
    // A zero start is not written: the tasks' output transforms write every pixel (a fill
    // of each task's rows first, turned into memset, was 4 % of a ResNet-20 training step).
    auto fill = init.getDefiningOp<linalg::FillOp>();
    bool startsAtZero = fill && matchPattern(fill.value(), m_AnyZeroFloat());
    bool accumulate = !padded && !startsAtZero;
    Value outputInit = startsAtZero ? fill.getDpsInitOperand(0)->get() : init;
    int64_t stride = scheme.stride;
    UnpaddedInput source = unpaddedInput(input, shape, scheme, lanes);
    if (padded) {
      outputInit = rewriter.create<tensor::EmptyOp>(
          loc, ArrayRef<int64_t>{shape.n, shape.h, shape.w, shape.f}, f32);
    }
    Value filter =
        transformFilter(rewriter, loc, conv.getDpsInputOperand(1)->get(), shape, scheme, lanes);

    int64_t positions = alpha * alpha, tileRowsInAll = shape.h / m;
    auto index = [&](int64_t value) -> OpFoldResult { return rewriter.getIndexAttr(value); };
    auto constantIndex = [&](int64_t value) {
      return rewriter.create<arith::ConstantIndexOp>(loc, value);
    };
    auto vectorType = VectorType::get({lanes}, f32);
    SmallVector<bool> inBounds = {true};
    SmallVector<OpFoldResult> unitStrides3(3, index(1));
    // Tasks over blocks of `images` x `tileRows` tile rows, sharing `shared`; the builder
    // left in the task's body.
    auto blockTasks = [&](Value shared) {
      auto tasks = rewriter.create<scf::ForallOp>(
          loc, getAsIndexOpFoldResult(ctx, {0, 0}),
          getAsIndexOpFoldResult(ctx, {shape.n, tileRowsInAll}),
          getAsIndexOpFoldResult(ctx, {images, tileRows}), ValueRange{shared}, std::nullopt);
      rewriter.setInsertionPointToStart(tasks.getBody());
      return tasks;
    };
    // A block task's first image, first output row and first tile among all tiles.
    auto blockImage = [](scf::ForallOp tasks) { return tasks.getInductionVars()[0]; };
    auto blockRow = [&](scf::ForallOp tasks) {
      return affine::makeComposedFoldedAffineApply(rewriter, loc, rewriter.getAffineDimExpr(0) * m,
                                                   {tasks.getInductionVars()[1]});
    };
    auto blockFirstTile = [&](scf::ForallOp tasks) {
      AffineExpr image = rewriter.getAffineDimExpr(0), tileRow = rewriter.getAffineDimExpr(1);
      return affine::makeComposedFoldedAffineApply(
          rewriter, loc, (image * tileRowsInAll + tileRow) * tileColumns,
          {tasks.getInductionVars()[0], tasks.getInductionVars()[1]});
    };

    // Stacked tensors [alpha^2, rows, channels], one plane per position. The planes are an
    // odd number of rows long: 64 rows of 16 channels, 4 KB, put the 16 vectors of a tile in
    // one set of the 8-way L1 cache.
    auto stackedType = [&](int64_t rows, int64_t channels) {
      return RankedTensorType::get({positions, rows | 1, channels}, f32);
    };
    auto tileIndex = [&](OpBuilder &b, Location at, ValueRange tile) -> Value {
      AffineExpr imageInBlock = b.getAffineDimExpr(0), tileRow = b.getAffineDimExpr(1),
                 tileColumn = b.getAffineDimExpr(2);
      return affine::makeComposedAffineApply(
          b, at, (imageInBlock * tileRows + tileRow) * tileColumns + tileColumn,
          {tile[0], tile[1], tile[2]});
    };
    // Position `position`'s [rows, channels] matrix of a stacked tensor, from column `column`.
    auto matrix = [&](OpBuilder &b, Location at, Value stacked, OpFoldResult position,
                      int64_t rows, int64_t channels, OpFoldResult column) {
      return b.create<tensor::ExtractSliceOp>(
          at, RankedTensorType::get({rows, channels}, f32), stacked,
          SmallVector<OpFoldResult>{position, index(0), column},
          SmallVector<OpFoldResult>{index(1), index(rows), index(channels)}, unitStrides3);
    };

    // A block's transformed input [alpha^2, tiles (+ 1), C], tile by tile and vector by
    // vector of channels: the patch's alpha^2 vectors read once, B^T d B computed in
    // registers in two passes (rows, then columns), each position written to its plane.
    auto transformInput = [&](Value image, OpFoldResult row) {
      Value transformedInit =
          rewriter.create<tensor::EmptyOp>(loc, stackedType(tiles, shape.c).getShape(), f32);
      return kiln::vectorLoopNest(
          rewriter, loc, {images, tileRows, tileColumns, shape.c}, lanes, transformedInit,
          [&](OpBuilder &b, Location at, ValueRange tile, Value transformed) {
            AffineExpr d0 = b.getAffineDimExpr(0), d1 = b.getAffineDimExpr(1);
            OpFoldResult patchImage =
                affine::makeComposedFoldedAffineApply(b, at, d0 + d1, {image, tile[0]});
            Value patchImageIndex = getValueOrCreateConstantIndexOp(b, at, patchImage);
            Value firstRow = affine::makeComposedAffineApply(
                b, at, (d0 + d1 * m) * stride - source.top, {row, tile[1]});
            Value firstColumn = affine::makeComposedAffineApply(
                b, at, d0 * (m * stride) - source.left, {tile[2]});
            SmallVector<SourceIndex> rows = source.indices(b, at, firstRow, alpha, 1),
                                     columns = source.indices(b, at, firstColumn, alpha, 2);
            SmallVector<Value> patch = kiln::readSquare(
                b, at, source.value, vectorType, zero, alpha,
                [&](int64_t i, int64_t j) {
                  return SmallVector<Value>{patchImageIndex, rows[i].index, columns[j].index,
                                            tile[3]};
                },
                [&](int64_t i, int64_t j) { return source.mask(b, at, rows[i], columns[j]); });
            return kiln::writePlanes(b, at, kiln::sandwich(b, at, patch, scheme.inputT, alpha),
                                     transformed, {tileIndex(b, at, tile), tile[3]});
          });
    };

    // A block's products [alpha^2, tiles (+ 1), F]: one matmul per position, in a loop (one
    // register-tiled nest for all positions, not alpha^2 of them).
    auto multiply = [&](Value transformed) {
      Value productsInit =
          rewriter.create<tensor::EmptyOp>(loc, stackedType(tiles, shape.f).getShape(), f32);
      auto loop = rewriter.create<scf::ForOp>(
          loc, constantIndex(0), constantIndex(positions), constantIndex(1),
          ValueRange{productsInit},
          [&](OpBuilder &b, Location at, Value position, ValueRange iterArgs) {
            auto products = matrix(b, at, iterArgs[0], position, tiles, shape.f, index(0));
            Value lhs = matrix(b, at, transformed, position, tiles, shape.c, index(0));
            Value rhs = matrix(b, at, filter, position, shape.c, shape.f, index(0));
            Value product = matmulFromZero(b, at, lhs, rhs, products, zero);
            Value updated = b.create<tensor::InsertSliceOp>(
                at, product, iterArgs[0], products.getMixedOffsets(),
                products.getMixedSizes(), unitStrides3);
            b.create<scf::YieldOp>(at, updated);
          });
      return loop.getResult(0);
    };

    // A block's rows of the output, starting from the convolution's init (computed here when
    // it is a fill or broadcast), each output position (a, b) of the tiles added in place.
    auto transformOutput = [&](scf::ForallOp tasks, Value products) {
      Value image = blockImage(tasks);
      OpFoldResult row = blockRow(tasks);
      Value sharedOutput = tasks.getRegionIterArgs().front();
      SmallVector<OpFoldResult> outputOffsets = {image, row, index(0), index(0)};
      SmallVector<OpFoldResult> outputSizes = {index(images), index(tileRows * m),
                                               index(shape.w), index(shape.f)};
      SmallVector<OpFoldResult> unitStrides(4, index(1));
      auto slice = rewriter.create<tensor::ExtractSliceOp>(loc, sharedOutput, outputOffsets,
                                                           outputSizes, unitStrides);
      Value output = accumulate ? kiln::computeOutputStartInTask(rewriter, tasks, slice)
                                : slice.getResult();
      rewriter.setInsertionPointAfterValue(output);
      output = kiln::vectorLoopNest(
          rewriter, loc, {images, tileRows, tileColumns, shape.f}, lanes, output,
          [&](OpBuilder &b, Location at, ValueRange tile, Value output) {
            SmallVector<Value> product =
                kiln::readPlanes(b, at, products, vectorType, zero, positions,
                                 {tileIndex(b, at, tile), tile[3]});
            SmallVector<Value> pixels = kiln::sandwich(b, at, product, scheme.outputT, alpha);
            AffineExpr d0 = b.getAffineDimExpr(0);
            for (int64_t a = 0; a < m; ++a) {
              Value y = affine::makeComposedAffineApply(b, at, d0 * m + a, {tile[1]});
              for (int64_t c = 0; c < m; ++c) {
                Value x = affine::makeComposedAffineApply(b, at, d0 * m + c, {tile[2]});
                SmallVector<Value> indices = {tile[0], y, x, tile[3]};
                Value pixel = pixels[a * m + c];
                if (accumulate)
                  pixel = b.create<arith::AddFOp>(
                      at,
                      b.create<vector::TransferReadOp>(at, vectorType, output, indices, zero,
                                                       inBounds),
                      pixel);
                output = b.create<vector::TransferWriteOp>(at, pixel, output, indices, inBounds)
                             .getResult();
              }
            }
            return output;
          });
      rewriter.setInsertionPointToStart(tasks.getTerminator().getBody());
      rewriter.create<tensor::ParallelInsertSliceOp>(loc, output, sharedOutput, outputOffsets,
                                                     outputSizes, unitStrides);
      rewriter.setInsertionPointAfter(tasks);
    };

    scf::ForallOp forall;
    if (!global) {
      // Each task transforms, multiplies and transforms back its own block: its scratch
      // stays in cache, and every task reads the whole transformed filter.
      forall = blockTasks(outputInit);
      transformOutput(forall,
                      multiply(transformInput(blockImage(forall), blockRow(forall))));
    } else {
      // A filter too large to be read by every task: the input transformed for all tiles
      // first (tasks over blocks), then one matmul per position and block of `fBlock`
      // output channels over all tiles (each task reads its slice of the filter once), then
      // the output transforms (tasks over blocks again).
      int64_t allTiles = shape.n * tileRowsInAll * tileColumns;
      Value transformedAll =
          rewriter.create<tensor::EmptyOp>(loc, stackedType(allTiles, shape.c).getShape(), f32);
      scf::ForallOp inputTasks = blockTasks(transformedAll);
      Value block = transformInput(blockImage(inputTasks), blockRow(inputTasks));
      OpFoldResult firstTile = blockFirstTile(inputTasks);
      Value blockTiles = rewriter.create<tensor::ExtractSliceOp>(
          loc, block, getAsIndexOpFoldResult(ctx, {0, 0, 0}),
          getAsIndexOpFoldResult(ctx, {positions, tiles, shape.c}), unitStrides3);
      rewriter.setInsertionPointToStart(inputTasks.getTerminator().getBody());
      rewriter.create<tensor::ParallelInsertSliceOp>(
          loc, blockTiles, inputTasks.getRegionIterArgs().front(),
          SmallVector<OpFoldResult>{index(0), firstTile, index(0)},
          getAsIndexOpFoldResult(ctx, {positions, tiles, shape.c}), unitStrides3);
      rewriter.setInsertionPointAfter(inputTasks);

      int64_t fBlock = kiln::largestDivisorAtMost(shape.f / lanes, kGlobalChannelBlock / lanes) *
                       lanes;
      Value productsAll =
          rewriter.create<tensor::EmptyOp>(loc, stackedType(allTiles, shape.f).getShape(), f32);
      auto matmulTasks = rewriter.create<scf::ForallOp>(
          loc, getAsIndexOpFoldResult(ctx, {0, 0}),
          getAsIndexOpFoldResult(ctx, {positions, shape.f}),
          getAsIndexOpFoldResult(ctx, {1, fBlock}), ValueRange{productsAll}, std::nullopt);
      rewriter.setInsertionPointToStart(matmulTasks.getBody());
      Value position = matmulTasks.getInductionVars()[0];
      Value column = matmulTasks.getInductionVars()[1];
      Value taskProducts =
          rewriter.create<tensor::EmptyOp>(loc, ArrayRef<int64_t>{allTiles, fBlock}, f32);
      Value lhs =
          matrix(rewriter, loc, inputTasks.getResult(0), position, allTiles, shape.c, index(0));
      Value rhs = matrix(rewriter, loc, filter, position, shape.c, fBlock, column);
      Value product = matmulFromZero(rewriter, loc, lhs, rhs, taskProducts, zero);
      rewriter.setInsertionPointToStart(matmulTasks.getTerminator().getBody());
      rewriter.create<tensor::ParallelInsertSliceOp>(
          loc, product, matmulTasks.getRegionIterArgs().front(),
          SmallVector<OpFoldResult>{position, index(0), column},
          getAsIndexOpFoldResult(ctx, {1, allTiles, fBlock}), unitStrides3);
      rewriter.setInsertionPointAfter(matmulTasks);

      forall = blockTasks(outputInit);
      Value products = rewriter.create<tensor::ExtractSliceOp>(
          loc, matmulTasks.getResult(0),
          SmallVector<OpFoldResult>{index(0), blockFirstTile(forall), index(0)},
          getAsIndexOpFoldResult(ctx, {positions, tiles, shape.f}), unitStrides3);
      transformOutput(forall, products);
    }
    if (!padded) {
      rewriter.replaceOp(conv, forall.getResults());
      kiln::fuseElementwiseConsumer(rewriter, forall);
      return;
    }
    rewriter.setInsertionPoint(conv);
    Value result = rewriter.create<tensor::ExtractSliceOp>(
        loc, forall.getResult(0), getAsIndexOpFoldResult(ctx, {0, 0, 0, 0}),
        getAsIndexOpFoldResult(ctx, {real.n, real.h, real.w, real.f}),
        getAsIndexOpFoldResult(ctx, {1, 1, 1, 1}));
    if (!startsAtZero)
      result = addInto(rewriter, loc, result, init);
    rewriter.replaceOp(conv, result);
  }
};

} // namespace
