//===- VjpContraction.cpp - gradients of convolution, gemm and matmul -----===//
#include "dialects/Kiln/IR/KilnOps.h"
#include "dialects/Kiln/IR/VjpUtils.h"

using namespace mlir;
using namespace kiln;
using namespace kiln::vjp;

LogicalResult Conv2DOp::buildVjp(OpBuilder &b, ArrayRef<Value> dys,
                                 SmallVectorImpl<Value> &dxs) {
  Location loc = getLoc();
  Value dy = dys[0];
  dxs.push_back(b.create<Conv2DBackwardDataOp>(loc, getInput().getType(), dy, getFilter(),
                                               getStridesAttr(), getPadsAttr(),
                                               getDilationsAttr(), getGroupsAttr()));
  dxs.push_back(b.create<Conv2DBackwardFilterOp>(loc, getFilter().getType(), getInput(), dy,
                                                 getStridesAttr(), getPadsAttr(),
                                                 getDilationsAttr(), getGroupsAttr()));
  if (getBias())
    dxs.push_back(reshape(b, loc, reduceSum(b, loc, dy, {0, 2, 3}, /*keepdims=*/false),
                          typeOf(getBias())));
  return success();
}

LogicalResult GemmOp::buildVjp(OpBuilder &b, ArrayRef<Value> dys, SmallVectorImpl<Value> &dxs) {
  Location loc = getLoc();
  Value dy = dys[0], a = getA(), bm = getB();
  bool transA = getTransA(), transB = getTransB();
  double alpha = getAlpha().convertToDouble();
  auto gemm = [&](Value x, Value y, bool tx, bool ty) -> Value {
    return b.create<GemmOp>(loc, x, y, /*c=*/Value(), b.getBoolAttr(tx), b.getBoolAttr(ty),
                            b.getF64FloatAttr(alpha), b.getF64FloatAttr(1.0));
  };
  // Y = alpha * op(A) op(B) + beta * C, with op(X) = X or X^T.
  dxs.push_back(transA ? gemm(bm, dy, transB, true) : gemm(dy, bm, false, !transB));
  dxs.push_back(transB ? gemm(dy, a, true, transA) : gemm(a, dy, !transA, false));
  if (Value c = getC())
    dxs.push_back(sumToShape(b, loc, scale(b, loc, dy, getBeta().convertToDouble()),
                             typeOf(c)));
  return success();
}

namespace {

/// Swaps the last two dimensions.
Value transposeLastTwo(OpBuilder &b, Location loc, Value x) {
  int64_t rank = typeOf(x).getRank();
  SmallVector<int64_t> perm = llvm::to_vector(llvm::seq<int64_t>(0, rank));
  std::swap(perm[rank - 1], perm[rank - 2]);
  return b.create<TransposeOp>(loc, x, perm);
}

} // namespace

LogicalResult MatMulOp::buildVjp(OpBuilder &b, ArrayRef<Value> dys,
                                 SmallVectorImpl<Value> &dxs) {
  Location loc = getLoc();
  Value lhs = getLhs(), rhs = getRhs(), dy = dys[0];
  if (typeOf(lhs).getRank() < 2 || typeOf(rhs).getRank() < 2)
    return emitOpError("gradient of a matmul with a 1-D operand is not supported yet");
  // dA = dY B^T and dB = A^T dY, each summed over the batch dimensions it was broadcast on.
  Value dLhs = b.create<MatMulOp>(loc, dy, transposeLastTwo(b, loc, rhs));
  Value dRhs = b.create<MatMulOp>(loc, transposeLastTwo(b, loc, lhs), dy);
  dxs.push_back(sumToShape(b, loc, dLhs, typeOf(lhs)));
  dxs.push_back(sumToShape(b, loc, dRhs, typeOf(rhs)));
  return success();
}
