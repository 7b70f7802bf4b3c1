//===- ContractionBackward.cpp - conv2d gradients to linalg.generic -------===//
//
// Both gradients are contractions written as linalg.generic over grouped (N, G, C/G, ...)
// views, so groups need no special case:
//  - filter gradient: dW[g,f,c,kh,kw] = sum_{n,oh,ow} dY[n,g,f,oh,ow] *
//                                        Xpad[n,g,c,oh*s+kh*d, ow*s+kw*d];
//  - input gradient: a stride-1 correlation of the stride-dilated, (K-1)*d-padded output
//    gradient with the spatially flipped filter, computed over the padded input extent and
//    then cropped to the input (positions the forward windows never covered get zero).
// This is the reference (--codegen=loops) and the form of grouped convolutions; ops marked
// channels-last lower through ChannelsLast.cpp to the convolution the code generator tiles.
//
//===----------------------------------------------------------------------===//
#include "compiler/Conversion/KilnToLinalg/ChannelsLast.h"
#include "compiler/Conversion/KilnToLinalg/LoweringUtils.h"
#include "compiler/Conversion/Passes.h"
#include "dialects/Kiln/IR/KilnOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

using namespace mlir;
using namespace kiln;

namespace {

/// Splits dimension `dim` of a tensor into (groups, size / groups).
Value splitGroups(OpBuilder &b, Location loc, Value value, int64_t dim, int64_t groups) {
  auto type = cast<RankedTensorType>(value.getType());
  SmallVector<int64_t> shape;
  SmallVector<ReassociationIndices> reassociation;
  for (int64_t d = 0; d < type.getRank(); ++d) {
    if (d == dim) {
      reassociation.push_back({(int64_t)shape.size(), (int64_t)shape.size() + 1});
      shape.append({groups, type.getDimSize(d) / groups});
    } else {
      reassociation.push_back({(int64_t)shape.size()});
      shape.push_back(type.getDimSize(d));
    }
  }
  auto grouped = RankedTensorType::get(shape, type.getElementType());
  return b.create<tensor::ExpandShapeOp>(loc, grouped, value, reassociation);
}

/// Merges dimensions (dim, dim + 1) back into one.
Value mergeGroups(OpBuilder &b, Location loc, Value value, int64_t dim) {
  auto type = cast<RankedTensorType>(value.getType());
  SmallVector<int64_t> shape;
  SmallVector<ReassociationIndices> reassociation;
  for (int64_t d = 0; d < type.getRank(); ++d) {
    if (d == dim) {
      reassociation.push_back({d, d + 1});
      shape.push_back(type.getDimSize(d) * type.getDimSize(d + 1));
      ++d;
    } else {
      reassociation.push_back({d});
      shape.push_back(type.getDimSize(d));
    }
  }
  auto merged = RankedTensorType::get(shape, type.getElementType());
  return b.create<tensor::CollapseShapeOp>(loc, merged, value, reassociation);
}

/// A multiply-accumulate linalg.generic: out += lhs * rhs over `numDims` loops, the first
/// `numParallel` of them parallel.
Value multiplyAccumulate(OpBuilder &b, Location loc, Value lhs, Value rhs, Value init,
                         ArrayRef<AffineMap> maps, int64_t numDims, int64_t numParallel) {
  SmallVector<utils::IteratorType> iterators(numDims, utils::IteratorType::reduction);
  for (int64_t d = 0; d < numParallel; ++d)
    iterators[d] = utils::IteratorType::parallel;
  return b
      .create<linalg::GenericOp>(
          loc, init.getType(), ValueRange{lhs, rhs}, init, maps, iterators,
          [](OpBuilder &nb, Location nl, ValueRange args) {
            Value product = emitMul(nb, nl, args[0], args[1]);
            nb.create<linalg::YieldOp>(nl, emitAdd(nb, nl, args[2], product));
          })
      .getResult(0);
}

struct Conv2DBackwardFilterLowering : OpRewritePattern<Conv2DBackwardFilterOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(Conv2DBackwardFilterOp op,
                                PatternRewriter &rewriter) const override {
    if (isMarkedChannelsLast(op) && op.getGroups() == 1) {
      rewriter.replaceOp(op, lowerConvBackwardFilterChannelsLast(rewriter, op));
      return success();
    }
    Location loc = op.getLoc();
    RankedTensorType filterType = op.getFilterGrad().getType();
    Type element = filterType.getElementType();
    ArrayRef<int64_t> pads = op.getPads(), strides = op.getStrides(),
                      dilations = op.getDilations();
    int64_t groups = op.getGroups();
    Value input = padTensor(rewriter, loc, op.getInput(), {0, 0, pads[0], pads[1]},
                            {0, 0, pads[2], pads[3]}, scalarConstant(rewriter, loc, element, 0));
    Value x = splitGroups(rewriter, loc, input, 1, groups);
    Value dy = splitGroups(rewriter, loc, op.getOutputGrad(), 1, groups);
    // Accumulate per output column first (loops g, f, c, kh, kw, ow parallel; n, oh
    // reduction), then sum the columns: the long accumulation then runs along contiguous
    // rows of the input and the output gradient instead of across the 3-wide filter.
    int64_t ow = cast<RankedTensorType>(op.getOutputGrad().getType()).getDimSize(3);
    SmallVector<int64_t> gradShape = {groups, filterType.getDimSize(0) / groups,
                                      filterType.getDimSize(1), filterType.getDimSize(2),
                                      filterType.getDimSize(3)};
    SmallVector<int64_t> columnShape(gradShape);
    columnShape.push_back(ow);
    MLIRContext *ctx = getContext();
    auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
    AffineMap xMap = AffineMap::get(
        8, 0, {d(6), d(0), d(2), d(7) * strides[0] + d(3) * dilations[0],
               d(5) * strides[1] + d(4) * dilations[1]},
        ctx);
    AffineMap dyMap = AffineMap::get(8, 0, {d(6), d(0), d(1), d(7), d(5)}, ctx);
    AffineMap columnMap = AffineMap::getMultiDimIdentityMap(8, ctx).getMajorSubMap(6);
    Value columns = multiplyAccumulate(
        rewriter, loc, x, dy,
        filledTensor(rewriter, loc, RankedTensorType::get(columnShape, element), 0),
        {xMap, dyMap, columnMap}, 8, 6);
    AffineMap all = AffineMap::getMultiDimIdentityMap(6, ctx);
    SmallVector<utils::IteratorType> iterators(5, utils::IteratorType::parallel);
    iterators.push_back(utils::IteratorType::reduction);
    auto gradType = RankedTensorType::get(gradShape, element);
    Value grad =
        rewriter
            .create<linalg::GenericOp>(
                loc, gradType, columns, filledTensor(rewriter, loc, gradType, 0),
                ArrayRef<AffineMap>{all, all.getMajorSubMap(5)}, iterators,
                [](OpBuilder &b, Location l, ValueRange args) {
                  b.create<linalg::YieldOp>(l, emitAdd(b, l, args[1], args[0]));
                })
            .getResult(0);
    rewriter.replaceOp(op, mergeGroups(rewriter, loc, grad, 0));
    return success();
  }
};

struct Conv2DBackwardDataLowering : OpRewritePattern<Conv2DBackwardDataOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(Conv2DBackwardDataOp op,
                                PatternRewriter &rewriter) const override {
    if (isMarkedChannelsLast(op) && op.getGroups() == 1) {
      rewriter.replaceOp(op, lowerConvBackwardDataChannelsLast(rewriter, op));
      return success();
    }
    Location loc = op.getLoc();
    RankedTensorType inputType = op.getInputGrad().getType();
    auto filterType = cast<RankedTensorType>(op.getFilter().getType());
    auto dyType = cast<RankedTensorType>(op.getOutputGrad().getType());
    Type element = inputType.getElementType();
    ArrayRef<int64_t> pads = op.getPads(), strides = op.getStrides(),
                      dilations = op.getDilations();
    int64_t groups = op.getGroups();
    int64_t n = inputType.getDimSize(0), c = inputType.getDimSize(1);
    int64_t f = filterType.getDimSize(0);
    int64_t kh = filterType.getDimSize(2), kw = filterType.getDimSize(3);
    int64_t hp = inputType.getDimSize(2) + pads[0] + pads[2];
    int64_t wp = inputType.getDimSize(3) + pads[1] + pads[3];
    int64_t haloH = (kh - 1) * dilations[0], haloW = (kw - 1) * dilations[1];

    // The output gradient spread out by the stride, with a (K-1)*d halo around it.
    Value dy = splitGroups(rewriter, loc, op.getOutputGrad(), 1, groups);
    auto spreadType = RankedTensorType::get({n, groups, f / groups, hp + haloH, wp + haloW},
                                            element);
    Value spread = rewriter.create<tensor::InsertSliceOp>(
        loc, dy, filledTensor(rewriter, loc, spreadType, 0),
        ArrayRef<OpFoldResult>{rewriter.getIndexAttr(0), rewriter.getIndexAttr(0),
                               rewriter.getIndexAttr(0), rewriter.getIndexAttr(haloH),
                               rewriter.getIndexAttr(haloW)},
        getAsIndexOpFoldResult(getContext(),
                               {n, groups, f / groups, dyType.getDimSize(2),
                                dyType.getDimSize(3)}),
        getAsIndexOpFoldResult(getContext(), {1, 1, 1, strides[0], strides[1]}));
    Value w = splitGroups(rewriter, loc, op.getFilter(), 0, groups);

    // Loops: n, g, c, ih, iw (parallel), f, kh, kw (reduction). Flipping the filter is the
    // same as reading the spread gradient at the mirrored tap, which keeps every loop a plain
    // dimension of some operand (linalg derives the loop bounds from those).
    MLIRContext *ctx = getContext();
    auto d = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
    AffineMap spreadMap = AffineMap::get(
        8, 0,
        {d(0), d(1), d(5), d(3) + (haloH - d(6) * dilations[0]),
         d(4) + (haloW - d(7) * dilations[1])},
        ctx);
    AffineMap filterMap = AffineMap::get(8, 0, {d(1), d(5), d(2), d(6), d(7)}, ctx);
    AffineMap outMap = AffineMap::get(8, 0, {d(0), d(1), d(2), d(3), d(4)}, ctx);
    auto paddedType = RankedTensorType::get({n, groups, c / groups, hp, wp}, element);
    Value padded = multiplyAccumulate(rewriter, loc, spread, w,
                                      filledTensor(rewriter, loc, paddedType, 0),
                                      {spreadMap, filterMap, outMap}, 8, 5);
    Value merged = mergeGroups(rewriter, loc, padded, 1);
    rewriter.replaceOpWithNewOp<tensor::ExtractSliceOp>(
        op, inputType, merged,
        getAsIndexOpFoldResult(getContext(), {0, 0, pads[0], pads[1]}),
        getAsIndexOpFoldResult(getContext(), inputType.getShape()),
        getAsIndexOpFoldResult(getContext(), {1, 1, 1, 1}));
    return success();
  }
};

} // namespace

void kiln::populateKilnContractionBackwardToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<Conv2DBackwardFilterLowering, Conv2DBackwardDataLowering>(patterns.getContext());
}
