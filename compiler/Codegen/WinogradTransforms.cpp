//===- WinogradTransforms.cpp - Winograd's matrices and vector transforms -===//
#include "compiler/Codegen/WinogradTransforms.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;

namespace {

// F(2 x 2, 3 x 3): the interpolation points 0, 1, -1 and infinity.
constexpr double kF2InputT[] = {1, 0, -1, 0, 0, 1, 1, 0, 0, -1, 1, 0, 0, 1, 0, -1};
constexpr double kF2FilterT[] = {1, 0, 0, 0.5, 0.5, 0.5, 0.5, -0.5, 0.5, 0, 0, 1};
constexpr double kF2OutputT[] = {1, 1, 1, 0, 0, 1, -1, -1};

// F(4 x 4, 3 x 3): the points 0, 1, -1, 2, -2 and infinity.
constexpr double kF4InputT[] = {4, 0, -5, 0,  1, 0, 0, -4, -4, 1, 1, 0, 0, 4, -4, -1, 1, 0,
                                0, -2, -1, 2, 1, 0, 0, 2,  -1, -2, 1, 0, 0, 4, 0, -5, 0, 1};
constexpr double kF4FilterT[] = {1.0 / 4,  0,         0,         -1.0 / 6, -1.0 / 6, -1.0 / 6,
                                 -1.0 / 6, 1.0 / 6,   -1.0 / 6,  1.0 / 24, 1.0 / 12, 1.0 / 6,
                                 1.0 / 24, -1.0 / 12, 1.0 / 6,   0,        0,        1};
constexpr double kF4OutputT[] = {1, 1, 1, 1, 1, 0, 0, 1, -1, 2,  -2, 0,
                                 0, 1, 1, 4, 4, 0, 0, 1, -1, 8, -8, 1};

// Stride 2: an output tile's m pixels along a dimension read the 2m + 1 inputs d_0 .. d_2m;
// the even ones meet the filter's taps g_0 and g_2, the odd ones g_1 alone. So the m + 1
// even inputs go through F(m, 2) (its points 0, 1 for m = 2; 0, 1, -1, 2 for m = 4) and the
// m odd ones stay as they are: alpha = 2m + 1 positions, m + 1 of them F(m, 2)'s products
// and m plain ones, and A^T adds both. In two dimensions, 25 multiplications for 4 outputs
// (F(2x2)) or 81 for 16 (F(4x4)) where the direct convolution takes 36 or 144.
constexpr double kF2S2InputT[] = {
    1, 0, -1, 0, 0, //
    0, 0, 1,  0, 0, //
    0, 0, -1, 0, 1, //
    0, 1, 0,  0, 0, //
    0, 0, 0,  1, 0};
constexpr double kF2S2FilterT[] = {1, 0, 0, //
                                   1, 0, 1, //
                                   0, 0, 1, //
                                   0, 1, 0, //
                                   0, 1, 0};
constexpr double kF2S2OutputT[] = {1, 1, 0, 1, 0, //
                                   0, 1, 1, 0, 1};

constexpr double kF4S2InputT[] = {
    2, 0, -1, 0, -2, 0, 1,  0, 0, //
    0, 0, -2, 0, -1, 0, 1,  0, 0, //
    0, 0, 2,  0, -3, 0, 1,  0, 0, //
    0, 0, -1, 0, 0,  0, 1,  0, 0, //
    0, 0, 2,  0, -1, 0, -2, 0, 1, //
    0, 1, 0,  0, 0,  0, 0,  0, 0, //
    0, 0, 0,  1, 0,  0, 0,  0, 0, //
    0, 0, 0,  0, 0,  1, 0,  0, 0, //
    0, 0, 0,  0, 0,  0, 0,  1, 0};
constexpr double kF4S2FilterT[] = {
    0.5,      0, 0,       //
    -0.5,     0, -0.5,    //
    -1.0 / 6, 0, 1.0 / 6, //
    1.0 / 6,  0, 1.0 / 3, //
    0,        0, 1,       //
    0,        1, 0,       //
    0,        1, 0,       //
    0,        1, 0,       //
    0,        1, 0};
constexpr double kF4S2OutputT[] = {1, 1, 1,  1, 0, 1, 0, 0, 0, //
                                   0, 1, -1, 2, 0, 0, 1, 0, 0, //
                                   0, 1, 1,  4, 0, 0, 0, 1, 0, //
                                   0, 1, -1, 8, 1, 0, 0, 0, 1};

} // namespace

std::optional<int64_t> kiln::staticFp32Stride(linalg::Conv2DNhwcHwcfOp conv) {
  auto strides = llvm::to_vector(conv.getStrides().getValues<int64_t>());
  auto isOne = [](int64_t value) { return value == 1; };
  if (strides.size() != 2 || strides[0] != strides[1] ||
      !llvm::all_of(conv.getDilations().getValues<int64_t>(), isOne))
    return std::nullopt;
  bool staticFp32 = llvm::all_of(conv->getOperands(), [](Value operand) {
    auto type = dyn_cast<RankedTensorType>(operand.getType());
    return type && type.hasStaticShape() && type.getElementType().isF32();
  });
  return staticFp32 ? std::optional(strides[0]) : std::nullopt;
}

bool kiln::isStaticFp32UnitStride(linalg::Conv2DNhwcHwcfOp conv) {
  return staticFp32Stride(conv) == 1;
}

std::optional<kiln::WinogradScheme> kiln::winogradSchemeFor(int64_t m, int64_t stride) {
  if (m == 2 && stride == 1)
    return WinogradScheme{2, 1, kF2InputT, kF2FilterT, kF2OutputT};
  if (m == 4 && stride == 1)
    return WinogradScheme{4, 1, kF4InputT, kF4FilterT, kF4OutputT};
  if (m == 2 && stride == 2)
    return WinogradScheme{2, 2, kF2S2InputT, kF2S2FilterT, kF2S2OutputT};
  if (m == 4 && stride == 2)
    return WinogradScheme{4, 2, kF4S2InputT, kF4S2FilterT, kF4S2OutputT};
  return std::nullopt;
}

namespace {

/// sum_k coefficients[k] * values[k] for vectors: coefficients of 0 skipped, 1 and -1
/// additions and subtractions, the others fused multiply-adds. Positive terms come first, so
/// that a difference is one subtraction, not a negation and an addition.
Value linearCombination(OpBuilder &b, Location loc, ArrayRef<Value> values,
                        ArrayRef<double> coefficients) {
  SmallVector<std::pair<Value, double>> terms;
  for (auto [value, coefficient] : llvm::zip(values, coefficients))
    if (coefficient != 0)
      terms.push_back({value, coefficient});
  std::stable_partition(terms.begin(), terms.end(),
                        [](const auto &term) { return term.second > 0; });
  Value sum;
  for (auto [value, coefficient] : terms) {
    if (coefficient == 1) {
      sum = sum ? b.create<arith::AddFOp>(loc, sum, value) : value;
    } else if (coefficient == -1) {
      sum = sum ? b.create<arith::SubFOp>(loc, sum, value)
                : b.create<arith::NegFOp>(loc, value).getResult();
    } else {
      Value factor = b.create<arith::ConstantOp>(
          loc, SplatElementsAttr::get(cast<ShapedType>(value.getType()),
                                      b.getF32FloatAttr(static_cast<float>(coefficient))));
      sum = sum ? b.create<math::FmaOp>(loc, value, factor, sum)
                : b.create<arith::MulFOp>(loc, value, factor).getResult();
    }
  }
  assert(sum && "a row of a Winograd matrix has a non-zero entry");
  return sum;
}

} // namespace

/// T X T^T for the inner x inner vectors X (row-major) and the row-major matrix T of `inner`
/// columns, in two passes: (T X) first, then its rows times T^T. F(2 x 2, 3 x 3)'s input
/// transform takes 32 additions so, not the 48 of each position summed from the patch.
SmallVector<Value> kiln::sandwich(OpBuilder &b, Location loc, ArrayRef<Value> x,
                                  ArrayRef<double> t, int64_t inner) {
  int64_t rows = t.size() / inner;
  SmallVector<Value> left;
  for (int64_t a = 0; a < rows; ++a)
    for (int64_t j = 0; j < inner; ++j) {
      SmallVector<Value> column;
      for (int64_t i = 0; i < inner; ++i)
        column.push_back(x[i * inner + j]);
      left.push_back(linearCombination(b, loc, column, t.slice(a * inner, inner)));
    }
  SmallVector<Value> result;
  for (int64_t a = 0; a < rows; ++a)
    for (int64_t c = 0; c < rows; ++c)
      result.push_back(linearCombination(b, loc, ArrayRef(left).slice(a * inner, inner),
                                         t.slice(c * inner, inner)));
  return result;
}

SmallVector<Value> kiln::readSquare(OpBuilder &b, Location loc, Value source, VectorType type,
                                    Value padding, int64_t side,
                                    function_ref<SmallVector<Value>(int64_t, int64_t)> indices,
                                    function_ref<Value(int64_t, int64_t)> mask) {
  int64_t rank = cast<ShapedType>(source.getType()).getRank();
  AffineMap lastDimension = AffineMap::getMinorIdentityMap(rank, 1, b.getContext());
  SmallVector<Value> square;
  for (int64_t i = 0; i < side; ++i)
    for (int64_t j = 0; j < side; ++j)
      square.push_back(b.create<vector::TransferReadOp>(
          loc, type, source, indices(i, j), lastDimension, padding,
          mask ? mask(i, j) : Value(), b.getBoolArrayAttr({true})));
  return square;
}

SmallVector<Value> kiln::readPlanes(OpBuilder &b, Location loc, Value from, VectorType type,
                                    Value padding, int64_t count, ValueRange trailing) {
  SmallVector<Value> values;
  for (int64_t position = 0; position < count; ++position) {
    SmallVector<Value> indices = {b.create<arith::ConstantIndexOp>(loc, position)};
    indices.append(trailing.begin(), trailing.end());
    values.push_back(b.create<vector::TransferReadOp>(loc, type, from, indices, padding,
                                                      ArrayRef<bool>{true}));
  }
  return values;
}

Value kiln::writePlanes(OpBuilder &b, Location loc, ArrayRef<Value> values, Value into,
                        ValueRange trailing) {
  // One 2-D write [plane, lane] rather than one write per plane: one-shot bufferization's
  // analysis grew with the square of a chain of writes into one tensor (F(4x4) at stride 2
  // writes 81 planes per tile), a third of a ResNet-20 training compile; kiln-vector-lower
  // unrolls the write into the planes' 1-D stores after bufferization.
  auto lane = cast<VectorType>(values.front().getType());
  auto planes = VectorType::get({static_cast<int64_t>(values.size()), lane.getNumElements()},
                                lane.getElementType());
  Value stacked = b.create<arith::ConstantOp>(loc, planes, b.getZeroAttr(planes));
  for (auto [position, value] : llvm::enumerate(values))
    stacked = b.create<vector::InsertOp>(loc, value, stacked, static_cast<int64_t>(position));
  SmallVector<Value> indices = {b.create<arith::ConstantIndexOp>(loc, 0)};
  indices.append(trailing.begin(), trailing.end());
  int64_t rank = static_cast<int64_t>(indices.size());
  AffineMap planeAndLane = AffineMap::get(
      rank, 0, {b.getAffineDimExpr(0), b.getAffineDimExpr(rank - 1)}, b.getContext());
  return b
      .create<vector::TransferWriteOp>(loc, stacked, into, indices, planeAndLane,
                                       ArrayRef<bool>{true, true})
      .getResult();
}

Value kiln::vectorLoopNest(OpBuilder &b, Location loc, ArrayRef<int64_t> bounds, int64_t lanes,
                           Value init,
                           function_ref<Value(OpBuilder &, Location, ValueRange, Value)> body) {
  auto constantIndex = [&](int64_t value) -> Value {
    return b.create<arith::ConstantIndexOp>(loc, value);
  };
  SmallVector<Value> lowerBounds(bounds.size(), constantIndex(0)), upperBounds, steps;
  for (int64_t bound : bounds) {
    upperBounds.push_back(constantIndex(bound));
    steps.push_back(constantIndex(1));
  }
  steps.back() = constantIndex(lanes);
  scf::LoopNest nest = scf::buildLoopNest(
      b, loc, lowerBounds, upperBounds, steps, ValueRange{init},
      [&](OpBuilder &nested, Location at, ValueRange ivs, ValueRange iterArgs) {
        return scf::ValueVector{body(nested, at, ivs, iterArgs.front())};
      });
  return nest.results.front();
}

