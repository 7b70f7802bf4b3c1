//===- LoweringUtils.cpp - building blocks shared by the kiln lowerings ---===//
#include "compiler/Conversion/KilnToLinalg/LoweringUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"

#include <numeric>

using namespace mlir;

Value kiln::scalarConstant(OpBuilder &b, Location loc, Type type, double value) {
  if (auto floatType = dyn_cast<FloatType>(type))
    return b.create<arith::ConstantOp>(loc, b.getFloatAttr(floatType, value));
  return b.create<arith::ConstantOp>(
      loc, b.getIntegerAttr(type, static_cast<int64_t>(value)));
}

Value kiln::lowestValue(OpBuilder &b, Location loc, Type type) {
  if (auto floatType = dyn_cast<FloatType>(type))
    return b.create<arith::ConstantOp>(
        loc, b.getFloatAttr(floatType, APFloat::getInf(floatType.getFloatSemantics(),
                                                       /*Negative=*/true)));
  unsigned width = type.getIntOrFloatBitWidth();
  APInt lowest = width == 1 ? APInt(1, 0) : APInt::getSignedMinValue(width);
  return b.create<arith::ConstantOp>(loc, b.getIntegerAttr(type, lowest));
}

Value kiln::filledTensor(OpBuilder &b, Location loc, RankedTensorType type, double value) {
  Value empty = b.create<tensor::EmptyOp>(loc, type.getShape(), type.getElementType());
  Value scalar = scalarConstant(b, loc, type.getElementType(), value);
  return b.create<linalg::FillOp>(loc, scalar, empty).getResult(0);
}

Value kiln::buildMappedGeneric(OpBuilder &b, Location loc, RankedTensorType resultType,
                               ValueRange inputs, ArrayRef<AffineMap> maps, ScalarBodyFn body) {
  int64_t rank = resultType.getRank();
  SmallVector<AffineMap> indexingMaps(maps);
  indexingMaps.push_back(b.getMultiDimIdentityMap(rank));
  SmallVector<utils::IteratorType> iterators(rank, utils::IteratorType::parallel);
  Value init =
      b.create<tensor::EmptyOp>(loc, resultType.getShape(), resultType.getElementType());
  auto generic = b.create<linalg::GenericOp>(
      loc, resultType, inputs, init, indexingMaps, iterators,
      [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
        Value result = body(nested, nestedLoc, args.drop_back());
        nested.create<linalg::YieldOp>(nestedLoc, result);
      });
  return generic.getResult(0);
}

Value kiln::buildBroadcastGeneric(OpBuilder &b, Location loc, RankedTensorType resultType,
                                  ValueRange inputs, ScalarBodyFn body) {
  int64_t rank = resultType.getRank();
  SmallVector<AffineMap> maps;
  for (Value input : inputs) {
    auto type = cast<RankedTensorType>(input.getType());
    // Right-aligned numpy broadcasting: an input dimension of size 1 facing a larger result
    // dimension always reads index 0.
    SmallVector<AffineExpr> exprs;
    int64_t offset = rank - type.getRank();
    for (int64_t d = 0; d < type.getRank(); ++d) {
      bool stretched = type.getDimSize(d) == 1 && resultType.getDimSize(d + offset) != 1;
      exprs.push_back(stretched ? b.getAffineConstantExpr(0)
                                : b.getAffineDimExpr(d + offset));
    }
    maps.push_back(AffineMap::get(rank, 0, exprs, b.getContext()));
  }
  return buildMappedGeneric(b, loc, resultType, inputs, maps, body);
}

Value kiln::reshapeTensor(OpBuilder &b, Location loc, Value value, RankedTensorType type) {
  auto sourceType = cast<RankedTensorType>(value.getType());
  if (sourceType == type)
    return value;
  // Through a 1-D tensor: collapse every dimension into one, then expand into the target.
  // Rank-0 tensors collapse and expand with an empty reassociation.
  int64_t count = sourceType.getNumElements();
  auto flatType = RankedTensorType::get({count}, sourceType.getElementType());
  Value flat = value;
  if (sourceType.getRank() == 0) {
    flat = b.create<tensor::ExpandShapeOp>(loc, flatType, value,
                                           ArrayRef<ReassociationIndices>{});
  } else if (sourceType.getRank() > 1) {
    ReassociationIndices all(sourceType.getRank());
    std::iota(all.begin(), all.end(), 0);
    flat = b.create<tensor::CollapseShapeOp>(loc, flatType, value,
                                             ArrayRef<ReassociationIndices>{all});
  }
  if (type.getRank() == 0)
    return b.create<tensor::CollapseShapeOp>(loc, type, flat, ArrayRef<ReassociationIndices>{});
  if (type.getRank() == 1)
    return flat;
  ReassociationIndices all(type.getRank());
  std::iota(all.begin(), all.end(), 0);
  return b.create<tensor::ExpandShapeOp>(loc, type, flat, ArrayRef<ReassociationIndices>{all});
}

Value kiln::broadcastAlong(OpBuilder &b, Location loc, RankedTensorType type, Value vector,
                           int64_t dim) {
  AffineMap map = AffineMap::get(type.getRank(), 0, b.getAffineDimExpr(dim), b.getContext());
  return buildMappedGeneric(b, loc, type, vector, map,
                            [](OpBuilder &, Location, ValueRange args) { return args[0]; });
}

Value kiln::transposeTensor(OpBuilder &b, Location loc, Value value, ArrayRef<int64_t> perm) {
  auto type = cast<RankedTensorType>(value.getType());
  SmallVector<int64_t> shape;
  for (int64_t dim : perm)
    shape.push_back(type.getDimSize(dim));
  Value init = b.create<tensor::EmptyOp>(loc, shape, type.getElementType());
  return b.create<linalg::TransposeOp>(loc, value, init, perm).getResult()[0];
}

Value kiln::padTensor(OpBuilder &b, Location loc, Value value, ArrayRef<int64_t> low,
                      ArrayRef<int64_t> high, Value padValue) {
  if (llvm::all_of(low, [](int64_t p) { return p == 0; }) &&
      llvm::all_of(high, [](int64_t p) { return p == 0; }))
    return value;
  auto type = cast<RankedTensorType>(value.getType());
  SmallVector<int64_t> shape(type.getShape());
  for (size_t d = 0; d < shape.size(); ++d)
    shape[d] += low[d] + high[d];
  auto resultType = RankedTensorType::get(shape, type.getElementType());
  return b.create<tensor::PadOp>(loc, resultType, value, getAsIndexOpFoldResult(b.getContext(), low),
                                 getAsIndexOpFoldResult(b.getContext(), high), padValue);
}

Value kiln::emitAdd(OpBuilder &b, Location loc, Value x, Value y) {
  if (isa<FloatType>(x.getType()))
    return b.create<arith::AddFOp>(loc, x, y);
  return b.create<arith::AddIOp>(loc, x, y);
}

Value kiln::emitMul(OpBuilder &b, Location loc, Value x, Value y) {
  if (isa<FloatType>(x.getType()))
    return b.create<arith::MulFOp>(loc, x, y);
  return b.create<arith::MulIOp>(loc, x, y);
}

Value kiln::emitDiv(OpBuilder &b, Location loc, Value x, Value y) {
  if (isa<FloatType>(x.getType()))
    return b.create<arith::DivFOp>(loc, x, y);
  return b.create<arith::DivSIOp>(loc, x, y);
}

Value kiln::emitMax(OpBuilder &b, Location loc, Value x, Value y) {
  if (isa<FloatType>(x.getType()))
    return b.create<arith::MaximumFOp>(loc, x, y);
  return b.create<arith::MaxSIOp>(loc, x, y);
}

Value kiln::emitMin(OpBuilder &b, Location loc, Value x, Value y) {
  if (isa<FloatType>(x.getType()))
    return b.create<arith::MinimumFOp>(loc, x, y);
  return b.create<arith::MinSIOp>(loc, x, y);
}

LogicalResult kiln::checkSupportedElementTypes(PatternRewriter &rewriter, Operation *op) {
  auto supported = [](Type type) {
    Type element = cast<ShapedType>(type).getElementType();
    if (isa<Float16Type, BFloat16Type, Float32Type, Float64Type>(element))
      return true;
    auto integer = dyn_cast<IntegerType>(element);
    return integer && integer.isSignless();
  };
  for (Type type : op->getOperandTypes())
    if (!supported(type))
      return rewriter.notifyMatchFailure(op, "unsupported operand element type");
  for (Type type : op->getResultTypes())
    if (!supported(type))
      return rewriter.notifyMatchFailure(op, "unsupported result element type");
  return success();
}
