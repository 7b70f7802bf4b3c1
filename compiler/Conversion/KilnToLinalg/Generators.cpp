//===- Generators.cpp - kiln one_hot and random_uniform to linalg ---------===//
//
// Ops whose elements are computed from their own position: a linalg.generic that reads
// linalg.index. random_uniform hashes (seed, stream, linear index) with the SplitMix64
// finaliser, so every element is independent of loop order and thread count.
//
//===----------------------------------------------------------------------===//
#include "compiler/Conversion/KilnToLinalg/LoweringUtils.h"
#include "compiler/Conversion/Passes.h"
#include "dialects/Kiln/IR/KilnOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace kiln;

namespace {

/// A linalg.generic over `type` whose body computes each element from the loop indices.
Value buildIndexedGeneric(
    OpBuilder &b, Location loc, RankedTensorType type, ValueRange inputs,
    ArrayRef<AffineMap> inputMaps,
    llvm::function_ref<Value(OpBuilder &, Location, ValueRange, ValueRange)> body) {
  int64_t rank = type.getRank();
  SmallVector<AffineMap> maps(inputMaps);
  maps.push_back(b.getMultiDimIdentityMap(rank));
  SmallVector<utils::IteratorType> iterators(rank, utils::IteratorType::parallel);
  Value init = b.create<tensor::EmptyOp>(loc, type.getShape(), type.getElementType());
  return b
      .create<linalg::GenericOp>(
          loc, type, inputs, init, maps, iterators,
          [&](OpBuilder &nb, Location nl, ValueRange args) {
            SmallVector<Value> indices;
            for (int64_t d = 0; d < rank; ++d)
              indices.push_back(nb.create<linalg::IndexOp>(nl, d));
            nb.create<linalg::YieldOp>(nl, body(nb, nl, args.drop_back(), indices));
          })
      .getResult(0);
}

struct OneHotLowering : OpRewritePattern<OneHotOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(OneHotOp op, PatternRewriter &rewriter) const override {
    RankedTensorType type = op.getOutput().getType();
    int64_t rank = type.getRank();
    AffineMap indicesMap = rewriter.getMultiDimIdentityMap(rank).getMajorSubMap(rank - 1);
    double on = op.getOnValue().convertToDouble(), off = op.getOffValue().convertToDouble();
    Value result = buildIndexedGeneric(
        rewriter, op.getLoc(), type, op.getIndices(), indicesMap,
        [&](OpBuilder &b, Location loc, ValueRange args, ValueRange indices) {
          Value column = b.create<arith::IndexCastOp>(loc, args[0].getType(), indices.back());
          Value hit = b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::eq, args[0], column);
          Type element = type.getElementType();
          return b.create<arith::SelectOp>(loc, hit, scalarConstant(b, loc, element, on),
                                           scalarConstant(b, loc, element, off));
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct RandomUniformLowering : OpRewritePattern<RandomUniformOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(RandomUniformOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = op.getOutput().getType();
    Value seed = rewriter.create<tensor::ExtractOp>(loc, op.getSeed(), ValueRange{});
    int64_t stream = op.getStream();
    SmallVector<int64_t> strides(type.getRank(), 1);
    for (int64_t d = type.getRank() - 2; d >= 0; --d)
      strides[d] = strides[d + 1] * type.getDimSize(d + 1);
    Value result = buildIndexedGeneric(
        rewriter, loc, type, {}, {},
        [&](OpBuilder &b, Location l, ValueRange, ValueRange indices) {
          Type i64 = b.getI64Type();
          auto constant = [&](uint64_t v) -> Value {
            return b.create<arith::ConstantOp>(l, b.getIntegerAttr(i64, APInt(64, v)));
          };
          Value linear = constant(0);
          for (size_t d = 0; d < indices.size(); ++d) {
            Value index = b.create<arith::IndexCastOp>(l, i64, indices[d]);
            linear = b.create<arith::AddIOp>(
                l, linear, b.create<arith::MulIOp>(l, index, constant(strides[d])));
          }
          // SplitMix64: z = seed * golden + stream * odd constant + index, then finalise.
          Value z = b.create<arith::MulIOp>(l, seed, constant(0x9E3779B97F4A7C15ull));
          z = b.create<arith::AddIOp>(l, z, constant(uint64_t(stream) * 0xD1B54A32D192ED03ull));
          z = b.create<arith::AddIOp>(l, z, linear);
          auto mix = [&](Value v, uint64_t shift, uint64_t multiplier) -> Value {
            Value shifted = b.create<arith::ShRUIOp>(l, v, constant(shift));
            Value x = b.create<arith::XOrIOp>(l, v, shifted);
            return multiplier ? b.create<arith::MulIOp>(l, x, constant(multiplier)).getResult()
                              : x;
          };
          z = mix(z, 30, 0xBF58476D1CE4E5B9ull);
          z = mix(z, 27, 0x94D049BB133111EBull);
          z = mix(z, 31, 0);
          // The top 24 bits, scaled to [0, 1): exactly representable in f32.
          Value top = b.create<arith::ShRUIOp>(l, z, constant(40));
          Type element = type.getElementType();
          Value asFloat = b.create<arith::UIToFPOp>(l, element, top);
          return b.create<arith::MulFOp>(l, asFloat,
                                         scalarConstant(b, l, element, 1.0 / 16777216.0));
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void kiln::populateKilnGeneratorToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<OneHotLowering, RandomUniformLowering>(patterns.getContext());
}
