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

/// The shapes of a convolution the rewrite takes: input [N, inH, inW, C] (padded; at least
/// stride * (H - 1) + 3 rows), filter [3, 3, C, F], output [N, H, W, F].
struct ConvShape {
  int64_t n = 0, h = 0, w = 0, c = 0, f = 0, stride = 1, inH = 0, inW = 0;
};

/// The shape of `conv` when it is a statically shaped fp32 3x3 convolution with strides 1 or
/// 2 (the same along both dimensions), unit dilations and channels in whole vectors of
/// `lanes` (both transforms are vector code along them): nullopt otherwise.
std::optional<ConvShape> candidateShape(linalg::Conv2DNhwcHwcfOp conv, int64_t lanes) {
  std::optional<int64_t> stride = kiln::staticFp32Stride(conv);
  if (stride != 1 && stride != 2)
    return std::nullopt;
  ArrayRef<int64_t> input =
      cast<ShapedType>(conv.getDpsInputOperand(0)->get().getType()).getShape();
  ArrayRef<int64_t> filter =
      cast<ShapedType>(conv.getDpsInputOperand(1)->get().getType()).getShape();
  ArrayRef<int64_t> output =
      cast<ShapedType>(conv.getDpsInitOperand(0)->get().getType()).getShape();
  ConvShape shape{output[0], output[1], output[2], filter[2], filter[3],
                  *stride,   input[1],  input[2]};
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
    SmallVector<std::tuple<linalg::Conv2DNhwcHwcfOp, ConvShape, WinogradScheme>> convs;
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
      auto fits = [&](const WinogradScheme &candidate) {
        int64_t positions = candidate.alpha() * candidate.alpha();
        return 4 * positions * shape->c * shape->f <= filterBytes;
      };
      ArrayRef<WinogradScheme> ofStride = shape->stride == 1 ? schemes : stridedSchemes;
      if (const WinogradScheme *chosen = llvm::find_if(ofStride, fits); chosen != ofStride.end())
        convs.push_back({conv, *shape, *chosen});
    });
    IRRewriter rewriter(&getContext());
    for (auto &[conv, shape, chosen] : convs) {
      auto pad = conv.getDpsInputOperand(0)->get().getDefiningOp<tensor::PadOp>();
      rewrite(rewriter, conv, shape, chosen, lanes);
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
  /// alpha x alpha tile: one generic over (position, c, f) for all positions (one nest, one
  /// set of tasks), which reads each tap's coefficient for its position from a constant
  /// vector. Its multiplications by zero cost nothing that counts: the filter is small next
  /// to the activations the tasks transform.
  Value transformFilter(OpBuilder &b, Location loc, Value filter, const ConvShape &shape,
                        const WinogradScheme &scheme) {
    MLIRContext *ctx = b.getContext();
    int64_t positions = scheme.alpha() * scheme.alpha();
    auto tapType = RankedTensorType::get({shape.c, shape.f}, b.getF32Type());
    auto coefficientType = RankedTensorType::get({positions}, b.getF32Type());
    SmallVector<Value> inputs;
    SmallVector<AffineMap> maps;
    AffineMap tapMap = AffineMap::get(3, 0, {b.getAffineDimExpr(1), b.getAffineDimExpr(2)}, ctx);
    AffineMap coefficientMap = AffineMap::get(3, 0, {b.getAffineDimExpr(0)}, ctx);
    for (int64_t i = 0; i < 3; ++i)
      for (int64_t j = 0; j < 3; ++j) {
        inputs.push_back(b.create<tensor::ExtractSliceOp>(
            loc, tapType, filter, getAsIndexOpFoldResult(ctx, {i, j, 0, 0}),
            getAsIndexOpFoldResult(ctx, {1, 1, shape.c, shape.f}),
            getAsIndexOpFoldResult(ctx, {1, 1, 1, 1})));
        maps.push_back(tapMap);
      }
    for (int64_t i = 0; i < 3; ++i)
      for (int64_t j = 0; j < 3; ++j) {
        SmallVector<float> coefficients;
        for (int64_t a = 0; a < scheme.alpha(); ++a)
          for (int64_t c = 0; c < scheme.alpha(); ++c)
            coefficients.push_back(scheme.tapCoefficient(a, c, i, j));
        inputs.push_back(b.create<arith::ConstantOp>(
            loc, DenseElementsAttr::get(coefficientType, ArrayRef<float>(coefficients))));
        maps.push_back(coefficientMap);
      }
    maps.push_back(b.getMultiDimIdentityMap(3));
    Value init = b.create<tensor::EmptyOp>(loc, ArrayRef<int64_t>{positions, shape.c, shape.f},
                                           b.getF32Type());
    SmallVector<utils::IteratorType> iterators(3, utils::IteratorType::parallel);
    Value transformed =
        b.create<linalg::GenericOp>(
             loc, init.getType(), inputs, init, maps, iterators,
             [](OpBuilder &nested, Location nestedLoc, ValueRange args) {
               Value sum;
               for (int64_t k = 0; k < 9; ++k) {
                 Value term = nested.create<arith::MulFOp>(nestedLoc, args[k], args[9 + k]);
                 sum = sum ? nested.create<arith::AddFOp>(nestedLoc, sum, term).getResult()
                           : term;
               }
               nested.create<linalg::YieldOp>(nestedLoc, sum);
             })
            .getResult(0);
    return transformed;
  }

  /// `conv` as Winograd tasks. An output whose height or width `m` does not divide (ResNet-50's
  /// 7 x 7 layer 4) is computed whole tiles wide, from an input padded with zeros at the
  /// bottom and right, into a tensor of its own; the convolution's result is its top-left
  /// part added to the convolution's init (nothing added to a zero fill).
  void rewrite(IRRewriter &rewriter, linalg::Conv2DNhwcHwcfOp conv, const ConvShape &real,
               const WinogradScheme &scheme, int64_t lanes) {
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
        transformFilter(rewriter, loc, conv.getDpsInputOperand(1)->get(), shape, scheme);

    auto forall = rewriter.create<scf::ForallOp>(
        loc, getAsIndexOpFoldResult(ctx, {0, 0}),
        getAsIndexOpFoldResult(ctx, {shape.n, shape.h / m}),
        getAsIndexOpFoldResult(ctx, {images, tileRows}), ValueRange{outputInit}, std::nullopt);
    rewriter.setInsertionPointToStart(forall.getBody());
    Value image = forall.getInductionVars()[0];
    OpFoldResult row = affine::makeComposedFoldedAffineApply(
        rewriter, loc, rewriter.getAffineDimExpr(0) * m, {forall.getInductionVars()[1]});
    auto index = [&](int64_t value) -> OpFoldResult { return rewriter.getIndexAttr(value); };

    // The transformed input [alpha^2, tiles (+ 1), C], tile by tile and vector by vector of
    // channels: the patch's alpha^2 vectors read once, B^T d B computed in registers in two
    // passes (rows, then columns), each position written to its plane. The planes are an
    // odd number of rows long: 64 rows of 16 channels, 4 KB, put the 16 vectors of a tile in
    // one set of the 8-way L1 cache (and the products' likewise).
    int64_t positions = alpha * alpha;
    int64_t planeRows = tiles | 1;
    auto stackedType = [&](int64_t channels) {
      return RankedTensorType::get({positions, planeRows, channels}, f32);
    };
    auto tileIndex = [&](OpBuilder &b, Location at, ValueRange tile) -> Value {
      AffineExpr imageInBlock = b.getAffineDimExpr(0), tileRow = b.getAffineDimExpr(1),
                 tileColumn = b.getAffineDimExpr(2);
      return affine::makeComposedAffineApply(
          b, at, (imageInBlock * tileRows + tileRow) * tileColumns + tileColumn,
          {tile[0], tile[1], tile[2]});
    };
    auto positionOf = [&](Value stacked, OpFoldResult position) {
      auto type = cast<RankedTensorType>(stacked.getType());
      SmallVector<OpFoldResult> offsets(type.getRank(), index(0)), sizes, strides;
      offsets[0] = position;
      for (int64_t size : type.getShape().drop_front())
        sizes.push_back(index(size));
      sizes.insert(sizes.begin(), index(1));
      strides.assign(type.getRank(), index(1));
      return std::make_tuple(offsets, sizes, strides);
    };
    auto constantIndex = [&](int64_t value) {
      return rewriter.create<arith::ConstantIndexOp>(loc, value);
    };
    auto vectorType = VectorType::get({lanes}, f32);
    SmallVector<bool> inBounds = {true};
    Value transformedInit =
        rewriter.create<tensor::EmptyOp>(loc, stackedType(shape.c).getShape(), f32);
    Value transformed = kiln::vectorLoopNest(
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

    // The products [alpha^2, tiles (+ 1), F]: one matmul per position, in a loop (one
    // register-tiled nest for all positions, not alpha^2 of them).
    Value productsInit =
        rewriter.create<tensor::EmptyOp>(loc, stackedType(shape.f).getShape(), f32);
    auto loop = rewriter.create<scf::ForOp>(
        loc, constantIndex(0), constantIndex(positions), constantIndex(1),
        ValueRange{productsInit},
        [&](OpBuilder &b, Location nestedLoc, Value position, ValueRange iterArgs) {
          // Position `position`'s matrix of `stacked`, its first `rows` rows.
          auto matrix = [&](Value stacked, int64_t rows) {
            auto type = cast<RankedTensorType>(stacked.getType());
            auto [offsets, sizes, strides] = positionOf(stacked, position);
            sizes[1] = index(rows);
            return b.create<tensor::ExtractSliceOp>(
                nestedLoc, RankedTensorType::get({rows, type.getShape()[2]}, f32), stacked,
                offsets, sizes, strides);
          };
          Value start =
              b.create<linalg::FillOp>(nestedLoc, zero, matrix(iterArgs[0], tiles).getResult())
                  .getResult(0);
          Value product = b.create<linalg::MatmulOp>(
                               nestedLoc, start.getType(),
                               ValueRange{matrix(transformed, tiles), matrix(filter, shape.c)},
                               start)
                              .getResult(0);
          auto [offsets, sizes, strides] = positionOf(iterArgs[0], position);
          sizes[1] = index(tiles);
          Value updated = b.create<tensor::InsertSliceOp>(nestedLoc, product, iterArgs[0],
                                                          offsets, sizes, strides);
          b.create<scf::YieldOp>(nestedLoc, updated);
        });
    Value products = loop.getResult(0);
    // The task's rows of the output, starting from the convolution's init (computed here when
    // it is a fill or broadcast), each output position (a, b) of the tiles added in place.
    Value sharedOutput = forall.getRegionIterArgs().front();
    SmallVector<OpFoldResult> outputOffsets = {image, row, index(0), index(0)};
    SmallVector<OpFoldResult> outputSizes = {index(images), index(tileRows * m),
                                             index(shape.w), index(shape.f)};
    SmallVector<OpFoldResult> unitStrides(4, index(1));
    auto slice = rewriter.create<tensor::ExtractSliceOp>(loc, sharedOutput, outputOffsets,
                                                         outputSizes, unitStrides);
    Value output = accumulate ? kiln::computeOutputStartInTask(rewriter, forall, slice)
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
                    at, b.create<vector::TransferReadOp>(at, vectorType, output, indices, zero,
                                                         inBounds),
                    pixel);
              output =
                  b.create<vector::TransferWriteOp>(at, pixel, output, indices, inBounds)
                      .getResult();
            }
          }
          return output;
        });
    rewriter.setInsertionPointToStart(forall.getTerminator().getBody());
    rewriter.create<tensor::ParallelInsertSliceOp>(loc, output, sharedOutput, outputOffsets,
                                                   outputSizes, unitStrides);
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
