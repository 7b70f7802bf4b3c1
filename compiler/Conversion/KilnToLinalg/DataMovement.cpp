//===- DataMovement.cpp - kiln shape and copy ops to tensor / linalg ------===//
#include "compiler/Conversion/KilnToLinalg/LoweringUtils.h"
#include "compiler/Conversion/Passes.h"
#include "dialects/Kiln/IR/KilnOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace kiln;

namespace {

struct ConstantLowering : OpRewritePattern<ConstantOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ConstantOp op, PatternRewriter &rewriter) const override {
    auto value = dyn_cast<TypedAttr>(op.getValue());
    if (!value)
      return rewriter.notifyMatchFailure(op, "constant value is not a typed attribute");
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(op, value);
    return success();
  }
};

/// Every reshape-like op only reinterprets the row-major element order.
template <typename OpTy> struct ReshapeLikeLowering : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op, PatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, reshapeTensor(rewriter, op.getLoc(), op.getInput(),
                                         cast<RankedTensorType>(op.getOutput().getType())));
    return success();
  }
};

struct ConcatLowering : OpRewritePattern<ConcatOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ConcatOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getOutput().getType());
    Value result = rewriter.create<tensor::EmptyOp>(loc, type.getShape(), type.getElementType());
    int64_t axis = op.getAxis(), offset = 0;
    SmallVector<int64_t> offsets(type.getRank(), 0), strides(type.getRank(), 1);
    for (Value input : op.getInputs()) {
      auto inputType = cast<RankedTensorType>(input.getType());
      offsets[axis] = offset;
      result = rewriter.create<tensor::InsertSliceOp>(loc, input, result, ValueRange{},
                                                      ValueRange{}, ValueRange{}, offsets,
                                                      inputType.getShape(), strides);
      offset += inputType.getDimSize(axis);
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct TransposeLowering : OpRewritePattern<TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TransposeOp op, PatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, transposeTensor(rewriter, op.getLoc(), op.getInput(), op.getPerm()));
    return success();
  }
};

struct PadLowering : OpRewritePattern<PadOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(PadOp op, PatternRewriter &rewriter) const override {
    if (failed(checkSupportedElementTypes(rewriter, op)))
      return failure();
    auto type = cast<RankedTensorType>(op.getInput().getType());
    ArrayRef<int64_t> pads = op.getPads();
    Value value = scalarConstant(rewriter, op.getLoc(), type.getElementType(),
                                 op.getValue().convertToDouble());
    rewriter.replaceOp(op, padTensor(rewriter, op.getLoc(), op.getInput(),
                                     pads.take_front(type.getRank()),
                                     pads.drop_front(type.getRank()), value));
    return success();
  }
};

struct SliceLowering : OpRewritePattern<SliceOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SliceOp op, PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getOutput().getType());
    ArrayRef<int64_t> starts = op.getStarts(), steps = op.getSteps();
    if (llvm::all_of(steps, [](int64_t s) { return s > 0; })) {
      rewriter.replaceOpWithNewOp<tensor::ExtractSliceOp>(op, type, op.getInput(), ValueRange{},
                                                          ValueRange{}, ValueRange{}, starts,
                                                          type.getShape(), steps);
      return success();
    }
    // A negative step reads backwards: element i of dimension d is start + i * step, an
    // affine map that linalg.generic takes as is.
    SmallVector<AffineExpr> exprs;
    for (int64_t d = 0; d < type.getRank(); ++d)
      exprs.push_back(rewriter.getAffineConstantExpr(starts[d]) +
                      rewriter.getAffineDimExpr(d) * steps[d]);
    AffineMap map = AffineMap::get(type.getRank(), 0, exprs, getContext());
    rewriter.replaceOp(op, buildMappedGeneric(rewriter, loc, type, op.getInput(), map,
                                              [](OpBuilder &, Location, ValueRange args) {
                                                return args[0];
                                              }));
    return success();
  }
};

/// The gradient of a slice: the slice's elements written back, by stride, into zeros.
struct SliceBackwardLowering : OpRewritePattern<SliceBackwardOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SliceBackwardOp op, PatternRewriter &rewriter) const override {
    RankedTensorType type = op.getInputGrad().getType();
    auto sliceType = cast<RankedTensorType>(op.getOutputGrad().getType());
    Value zeros = filledTensor(rewriter, op.getLoc(), type, 0.0);
    rewriter.replaceOpWithNewOp<tensor::InsertSliceOp>(
        op, op.getOutputGrad(), zeros, ValueRange{}, ValueRange{}, ValueRange{}, op.getStarts(),
        sliceType.getShape(), op.getSteps());
    return success();
  }
};

} // namespace

void kiln::populateKilnDataMovementToTensorPatterns(RewritePatternSet &patterns) {
  patterns.add<ConstantLowering, ReshapeLikeLowering<ReshapeOp>, ReshapeLikeLowering<FlattenOp>,
               ReshapeLikeLowering<SqueezeOp>, ReshapeLikeLowering<UnsqueezeOp>, ConcatLowering,
               TransposeLowering, PadLowering, SliceLowering, SliceBackwardLowering>(patterns.getContext());
}
