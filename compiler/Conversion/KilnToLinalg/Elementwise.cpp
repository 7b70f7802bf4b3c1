//===- Elementwise.cpp - kiln elementwise ops to linalg.generic -----------===//
//
// One pattern template for every elementwise op: the op contributes only its scalar body
// (an overload of scalarBody below); broadcasting is the same for all of them.
//
//===----------------------------------------------------------------------===//
#include "compiler/Conversion/KilnToLinalg/LoweringUtils.h"
#include "compiler/Conversion/Passes.h"
#include "dialects/Kiln/IR/KilnOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "llvm/ADT/StringSwitch.h"

using namespace mlir;
using namespace kiln;

namespace {

bool isFloat(Value v) { return isa<FloatType>(v.getType()); }

Value scalarBody(ReluOp, OpBuilder &b, Location loc, ValueRange args) {
  return emitMax(b, loc, args[0], scalarConstant(b, loc, args[0].getType(), 0.0));
}
Value scalarBody(SigmoidOp, OpBuilder &b, Location loc, ValueRange args) {
  Value one = scalarConstant(b, loc, args[0].getType(), 1.0);
  Value negExp = b.create<math::ExpOp>(loc, b.create<arith::NegFOp>(loc, args[0]));
  return b.create<arith::DivFOp>(loc, one, b.create<arith::AddFOp>(loc, one, negExp));
}
Value scalarBody(TanhOp, OpBuilder &b, Location loc, ValueRange args) {
  return b.create<math::TanhOp>(loc, args[0]);
}
Value scalarBody(ExpOp, OpBuilder &b, Location loc, ValueRange args) {
  return b.create<math::ExpOp>(loc, args[0]);
}
Value scalarBody(LogOp, OpBuilder &b, Location loc, ValueRange args) {
  return b.create<math::LogOp>(loc, args[0]);
}
Value scalarBody(SqrtOp, OpBuilder &b, Location loc, ValueRange args) {
  return b.create<math::SqrtOp>(loc, args[0]);
}
Value scalarBody(NegOp, OpBuilder &b, Location loc, ValueRange args) {
  if (isFloat(args[0]))
    return b.create<arith::NegFOp>(loc, args[0]);
  return b.create<arith::SubIOp>(loc, scalarConstant(b, loc, args[0].getType(), 0), args[0]);
}
Value scalarBody(ReciprocalOp, OpBuilder &b, Location loc, ValueRange args) {
  return emitDiv(b, loc, scalarConstant(b, loc, args[0].getType(), 1.0), args[0]);
}
Value scalarBody(AbsOp, OpBuilder &b, Location loc, ValueRange args) {
  if (isFloat(args[0]))
    return b.create<math::AbsFOp>(loc, args[0]);
  return b.create<math::AbsIOp>(loc, args[0]);
}
Value scalarBody(LeakyReluOp op, OpBuilder &b, Location loc, ValueRange args) {
  Value x = args[0];
  Value zero = scalarConstant(b, loc, x.getType(), 0.0);
  Value alpha = scalarConstant(b, loc, x.getType(), op.getAlpha().convertToDouble());
  Value negative = b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OLT, x, zero);
  return b.create<arith::SelectOp>(loc, negative, b.create<arith::MulFOp>(loc, alpha, x), x);
}
Value scalarBody(ClipOp op, OpBuilder &b, Location loc, ValueRange args) {
  Value x = args[0];
  if (std::optional<APFloat> min = op.getMin())
    x = emitMax(b, loc, x, scalarConstant(b, loc, x.getType(), min->convertToDouble()));
  if (std::optional<APFloat> max = op.getMax())
    x = emitMin(b, loc, x, scalarConstant(b, loc, x.getType(), max->convertToDouble()));
  return x;
}
Value scalarBody(AddOp, OpBuilder &b, Location loc, ValueRange args) {
  return emitAdd(b, loc, args[0], args[1]);
}
Value scalarBody(SubOp, OpBuilder &b, Location loc, ValueRange args) {
  if (isFloat(args[0]))
    return b.create<arith::SubFOp>(loc, args[0], args[1]);
  return b.create<arith::SubIOp>(loc, args[0], args[1]);
}
Value scalarBody(MulOp, OpBuilder &b, Location loc, ValueRange args) {
  return emitMul(b, loc, args[0], args[1]);
}
Value scalarBody(DivOp, OpBuilder &b, Location loc, ValueRange args) {
  return emitDiv(b, loc, args[0], args[1]);
}
Value scalarBody(MaxOp, OpBuilder &b, Location loc, ValueRange args) {
  return emitMax(b, loc, args[0], args[1]);
}
Value scalarBody(MinOp, OpBuilder &b, Location loc, ValueRange args) {
  return emitMin(b, loc, args[0], args[1]);
}
Value scalarBody(PowOp, OpBuilder &b, Location loc, ValueRange args) {
  if (isFloat(args[0]))
    return b.create<math::PowFOp>(loc, args[0], args[1]);
  return b.create<math::IPowIOp>(loc, args[0], args[1]);
}

Value scalarBody(CompareOp op, OpBuilder &b, Location loc, ValueRange args) {
  StringRef p = op.getPredicate();
  if (isFloat(args[0])) {
    auto predicate = llvm::StringSwitch<arith::CmpFPredicate>(p)
                         .Case("eq", arith::CmpFPredicate::OEQ)
                         .Case("ne", arith::CmpFPredicate::UNE)
                         .Case("lt", arith::CmpFPredicate::OLT)
                         .Case("le", arith::CmpFPredicate::OLE)
                         .Case("gt", arith::CmpFPredicate::OGT)
                         .Default(arith::CmpFPredicate::OGE);
    return b.create<arith::CmpFOp>(loc, predicate, args[0], args[1]);
  }
  auto predicate = llvm::StringSwitch<arith::CmpIPredicate>(p)
                       .Case("eq", arith::CmpIPredicate::eq)
                       .Case("ne", arith::CmpIPredicate::ne)
                       .Case("lt", arith::CmpIPredicate::slt)
                       .Case("le", arith::CmpIPredicate::sle)
                       .Case("gt", arith::CmpIPredicate::sgt)
                       .Default(arith::CmpIPredicate::sge);
  return b.create<arith::CmpIOp>(loc, predicate, args[0], args[1]);
}
Value scalarBody(SelectOp, OpBuilder &b, Location loc, ValueRange args) {
  return b.create<arith::SelectOp>(loc, args[0], args[1], args[2]);
}
Value scalarBody(BroadcastToOp, OpBuilder &, Location, ValueRange args) { return args[0]; }

/// Conversions between element types, with ONNX Cast semantics.
Value scalarBody(CastOp op, OpBuilder &b, Location loc, ValueRange args) {
  Value x = args[0];
  Type from = x.getType();
  Type to = op.getOutput().getType().getElementType();
  if (from == to)
    return x;
  if (to.isInteger(1)) {
    Value zero = scalarConstant(b, loc, from, 0.0);
    if (isa<FloatType>(from))
      return b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::UNE, x, zero);
    return b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::ne, x, zero);
  }
  auto fromFloat = dyn_cast<FloatType>(from);
  auto toFloat = dyn_cast<FloatType>(to);
  if (fromFloat && toFloat)
    return fromFloat.getWidth() < toFloat.getWidth()
               ? b.create<arith::ExtFOp>(loc, to, x).getResult()
               : b.create<arith::TruncFOp>(loc, to, x).getResult();
  // Booleans are 0 or 1, never -1: they convert as unsigned.
  bool fromBool = from.isInteger(1);
  if (toFloat)
    return fromBool ? b.create<arith::UIToFPOp>(loc, to, x).getResult()
                    : b.create<arith::SIToFPOp>(loc, to, x).getResult();
  if (fromFloat)
    return b.create<arith::FPToSIOp>(loc, to, x);
  unsigned fromWidth = from.getIntOrFloatBitWidth(), toWidth = to.getIntOrFloatBitWidth();
  if (fromWidth < toWidth)
    return fromBool ? b.create<arith::ExtUIOp>(loc, to, x).getResult()
                    : b.create<arith::ExtSIOp>(loc, to, x).getResult();
  return b.create<arith::TruncIOp>(loc, to, x);
}

/// Ops whose body only makes sense on floats.
template <typename OpTy> constexpr bool kFloatOnly = false;
template <> constexpr bool kFloatOnly<SigmoidOp> = true;
template <> constexpr bool kFloatOnly<TanhOp> = true;
template <> constexpr bool kFloatOnly<ExpOp> = true;
template <> constexpr bool kFloatOnly<LogOp> = true;
template <> constexpr bool kFloatOnly<SqrtOp> = true;
template <> constexpr bool kFloatOnly<LeakyReluOp> = true;

template <typename OpTy> struct ElementwiseLowering : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;

  LogicalResult matchAndRewrite(OpTy op, PatternRewriter &rewriter) const override {
    if (failed(checkSupportedElementTypes(rewriter, op)))
      return failure();
    auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
    if (kFloatOnly<OpTy> && !isa<FloatType>(resultType.getElementType()))
      return rewriter.notifyMatchFailure(op, "needs a floating-point element type");
    Value result = buildBroadcastGeneric(
        rewriter, op.getLoc(), resultType, op->getOperands(),
        [&](OpBuilder &b, Location loc, ValueRange args) {
          return scalarBody(op, b, loc, args);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Identity and inference-mode dropout forward their operand.
template <typename OpTy> struct ForwardOperandLowering : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op, PatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, op.getInput());
    return success();
  }
};

} // namespace

void kiln::populateKilnElementwiseToLinalgPatterns(RewritePatternSet &patterns) {
  MLIRContext *context = patterns.getContext();
  patterns.add<ElementwiseLowering<ReluOp>, ElementwiseLowering<SigmoidOp>,
               ElementwiseLowering<TanhOp>, ElementwiseLowering<ExpOp>,
               ElementwiseLowering<LogOp>, ElementwiseLowering<SqrtOp>,
               ElementwiseLowering<NegOp>, ElementwiseLowering<ReciprocalOp>,
               ElementwiseLowering<AbsOp>, ElementwiseLowering<LeakyReluOp>,
               ElementwiseLowering<ClipOp>, ElementwiseLowering<AddOp>,
               ElementwiseLowering<SubOp>, ElementwiseLowering<MulOp>,
               ElementwiseLowering<DivOp>, ElementwiseLowering<MaxOp>,
               ElementwiseLowering<MinOp>, ElementwiseLowering<PowOp>,
               ElementwiseLowering<CastOp>, ElementwiseLowering<CompareOp>,
               ElementwiseLowering<SelectOp>, ElementwiseLowering<BroadcastToOp>>(context);
  patterns.add<ForwardOperandLowering<IdentityOp>, ForwardOperandLowering<DropoutOp>>(context);
}
