//===- Contraction.cpp - kiln convolution, gemm and matmul to linalg ------===//
//
// Contractions become linalg named ops, which the code generator (compiler/Codegen) tiles and
// vectorizes. Convolutions are NCHW unless kiln-choose-layout marked them channels-last.
// Bias is folded into the accumulator's initial value instead of added afterwards.
//
//===----------------------------------------------------------------------===//
#include "compiler/Conversion/KilnToLinalg/ChannelsLast.h"
#include "compiler/Conversion/KilnToLinalg/LoweringUtils.h"
#include "compiler/Conversion/Passes.h"
#include "dialects/Kiln/IR/KilnOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace kiln;

namespace {

/// The accumulator a contraction starts from: zeros, or `bias` broadcast along `biasDim`.
Value accumulatorInit(OpBuilder &b, Location loc, RankedTensorType type, Value bias,
                      int64_t biasDim) {
  return bias ? broadcastAlong(b, loc, type, bias, biasDim) : filledTensor(b, loc, type, 0.0);
}

struct Conv2DLowering : OpRewritePattern<Conv2DOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(Conv2DOp op, PatternRewriter &rewriter) const override {
    if (failed(checkSupportedElementTypes(rewriter, op)))
      return failure();
    if (isMarkedChannelsLast(op) && op.getGroups() == 1) {
      rewriter.replaceOp(op, lowerConvChannelsLast(rewriter, op));
      return success();
    }
    Location loc = op.getLoc();
    RankedTensorType resultType = op.getOutput().getType();
    Type element = resultType.getElementType();
    ArrayRef<int64_t> pads = op.getPads();
    Value input = padTensor(rewriter, loc, op.getInput(), {0, 0, pads[0], pads[1]},
                            {0, 0, pads[2], pads[3]}, scalarConstant(rewriter, loc, element, 0));
    Value filter = op.getFilter();
    Value init = accumulatorInit(rewriter, loc, resultType, op.getBias(), /*biasDim=*/1);
    auto strides = rewriter.getI64TensorAttr(op.getStrides());
    auto dilations = rewriter.getI64TensorAttr(op.getDilations());
    int64_t groups = op.getGroups();
    if (groups == 1) {
      Value conv = rewriter
                       .create<linalg::Conv2DNchwFchwOp>(loc, resultType,
                                                         ValueRange{input, filter}, init,
                                                         strides, dilations)
                       .getResult(0);
      rewriter.replaceOp(op, conv);
      return success();
    }
    // Grouped: split channels into (group, channel-in-group) and use the grouped named op.
    auto inType = cast<RankedTensorType>(input.getType());
    auto filterType = cast<RankedTensorType>(filter.getType());
    int64_t n = inType.getDimSize(0), c = inType.getDimSize(1), f = filterType.getDimSize(0);
    auto groupedInput = RankedTensorType::get(
        {n, groups, c / groups, inType.getDimSize(2), inType.getDimSize(3)}, element);
    auto groupedFilter = RankedTensorType::get(
        {groups, f / groups, filterType.getDimSize(1), filterType.getDimSize(2),
         filterType.getDimSize(3)},
        element);
    auto groupedResult = RankedTensorType::get(
        {n, groups, f / groups, resultType.getDimSize(2), resultType.getDimSize(3)}, element);
    SmallVector<ReassociationIndices> splitDim1 = {{0}, {1, 2}, {3}, {4}};
    SmallVector<ReassociationIndices> splitDim0 = {{0, 1}, {2}, {3}, {4}};
    Value gInput = rewriter.create<tensor::ExpandShapeOp>(loc, groupedInput, input, splitDim1);
    Value gFilter =
        rewriter.create<tensor::ExpandShapeOp>(loc, groupedFilter, filter, splitDim0);
    Value gInit = rewriter.create<tensor::ExpandShapeOp>(loc, groupedResult, init, splitDim1);
    Value conv = rewriter
                     .create<linalg::Conv2DNgchwGfchwOp>(loc, groupedResult,
                                                         ValueRange{gInput, gFilter}, gInit,
                                                         strides, dilations)
                     .getResult(0);
    rewriter.replaceOpWithNewOp<tensor::CollapseShapeOp>(op, resultType, conv, splitDim1);
    return success();
  }
};

struct GemmLowering : OpRewritePattern<GemmOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(GemmOp op, PatternRewriter &rewriter) const override {
    if (failed(checkSupportedElementTypes(rewriter, op)))
      return failure();
    Location loc = op.getLoc();
    RankedTensorType resultType = op.getOutput().getType();
    Value a = op.getTransA() ? transposeTensor(rewriter, loc, op.getA(), {1, 0}) : op.getA();
    Value b = op.getTransB() ? transposeTensor(rewriter, loc, op.getB(), {1, 0}) : op.getB();
    Value product = rewriter
                        .create<linalg::MatmulOp>(loc, resultType, ValueRange{a, b},
                                                  filledTensor(rewriter, loc, resultType, 0.0))
                        .getResult(0);
    double alpha = op.getAlpha().convertToDouble(), beta = op.getBeta().convertToDouble();
    Value c = op.getC();
    if (alpha == 1.0 && (!c || beta == 0.0)) {
      rewriter.replaceOp(op, product);
      return success();
    }
    SmallVector<Value> operands = {product};
    if (c && beta != 0.0)
      operands.push_back(c);
    Value result = buildBroadcastGeneric(
        rewriter, loc, resultType, operands, [&](OpBuilder &nb, Location nl, ValueRange args) {
          Type t = args[0].getType();
          Value acc = emitMul(nb, nl, args[0], scalarConstant(nb, nl, t, alpha));
          if (args.size() == 2)
            acc = emitAdd(nb, nl, acc, emitMul(nb, nl, args[1], scalarConstant(nb, nl, t, beta)));
          return acc;
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Broadcasts `value` (shape [batch..., r, c]) to `batch` leading dimensions and flattens them
/// into one, giving [prod(batch), r, c] for linalg.batch_matmul.
Value toBatched(OpBuilder &b, Location loc, Value value, ArrayRef<int64_t> batch) {
  auto type = cast<RankedTensorType>(value.getType());
  SmallVector<int64_t> shape(batch);
  shape.append({type.getDimSize(type.getRank() - 2), type.getDimSize(type.getRank() - 1)});
  auto broadcastType = RankedTensorType::get(shape, type.getElementType());
  Value broadcast = value;
  if (type != broadcastType)
    broadcast = buildBroadcastGeneric(b, loc, broadcastType, value,
                                      [](OpBuilder &, Location, ValueRange args) { return args[0]; });
  int64_t count = 1;
  for (int64_t d : batch)
    count *= d;
  auto batchedType = RankedTensorType::get({count, shape[shape.size() - 2], shape.back()},
                                           type.getElementType());
  return reshapeTensor(b, loc, broadcast, batchedType);
}

struct MatMulLowering : OpRewritePattern<MatMulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(MatMulOp op, PatternRewriter &rewriter) const override {
    if (failed(checkSupportedElementTypes(rewriter, op)))
      return failure();
    Location loc = op.getLoc();
    RankedTensorType resultType = op.getOutput().getType();
    Type element = resultType.getElementType();
    auto lhsType = cast<RankedTensorType>(op.getLhs().getType());
    auto rhsType = cast<RankedTensorType>(op.getRhs().getType());
    // Promote 1-D operands to matrices as numpy does; the result drops those dimensions again.
    Value lhs = op.getLhs(), rhs = op.getRhs();
    if (lhsType.getRank() == 1)
      lhs = reshapeTensor(rewriter, loc, lhs,
                          RankedTensorType::get({1, lhsType.getDimSize(0)}, element));
    if (rhsType.getRank() == 1)
      rhs = reshapeTensor(rewriter, loc, rhs,
                          RankedTensorType::get({rhsType.getDimSize(0), 1}, element));
    auto l = cast<RankedTensorType>(lhs.getType()), r = cast<RankedTensorType>(rhs.getType());
    int64_t m = l.getDimSize(l.getRank() - 2), n = r.getDimSize(r.getRank() - 1);
    if (l.getRank() == 2 && r.getRank() == 2) {
      auto matType = RankedTensorType::get({m, n}, element);
      Value product = rewriter
                          .create<linalg::MatmulOp>(loc, matType, ValueRange{lhs, rhs},
                                                    filledTensor(rewriter, loc, matType, 0.0))
                          .getResult(0);
      rewriter.replaceOp(op, reshapeTensor(rewriter, loc, product, resultType));
      return success();
    }
    // Batch dimensions: everything of the result but the last two (before 1-D dropping).
    int64_t batchRank = std::max(l.getRank(), r.getRank()) - 2;
    SmallVector<int64_t> batch;
    for (int64_t d = 0; d < batchRank; ++d) {
      auto dim = [&](RankedTensorType t) {
        int64_t i = d - (batchRank - (t.getRank() - 2));
        return i < 0 ? int64_t(1) : t.getDimSize(i);
      };
      batch.push_back(std::max(dim(l), dim(r)));
    }
    Value lb = toBatched(rewriter, loc, lhs, batch), rb = toBatched(rewriter, loc, rhs, batch);
    int64_t count = cast<RankedTensorType>(lb.getType()).getDimSize(0);
    auto batchedType = RankedTensorType::get({count, m, n}, element);
    Value product = rewriter
                        .create<linalg::BatchMatmulOp>(loc, batchedType, ValueRange{lb, rb},
                                                       filledTensor(rewriter, loc, batchedType, 0.0))
                        .getResult(0);
    rewriter.replaceOp(op, reshapeTensor(rewriter, loc, product, resultType));
    return success();
  }
};

} // namespace

void kiln::populateKilnContractionToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<Conv2DLowering, GemmLowering, MatMulLowering>(patterns.getContext());
}
