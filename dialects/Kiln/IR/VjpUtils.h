//===- VjpUtils.h - kiln-op building blocks for vector-Jacobian products --===//
//
// The VJPs build their gradients out of kiln ops (so the result is again a kiln graph that
// every later pass understands); these helpers keep each VJP a few lines.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_DIALECT_KILN_IR_VJPUTILS_H
#define KILN_DIALECT_KILN_IR_VJPUTILS_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"

#include <utility>

namespace kiln::vjp {

mlir::RankedTensorType typeOf(mlir::Value v);

/// A splat constant of `type`.
mlir::Value splat(mlir::OpBuilder &b, mlir::Location loc, mlir::RankedTensorType type,
                  double value);
/// A rank-0 constant with `v`'s element type.
mlir::Value scalarLike(mlir::OpBuilder &b, mlir::Location loc, mlir::Value v, double value);

mlir::Value add(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x, mlir::Value y);
mlir::Value sub(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x, mlir::Value y);
mlir::Value mul(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x, mlir::Value y);
mlir::Value div(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x, mlir::Value y);
mlir::Value scale(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x, double factor);
mlir::Value compare(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x, mlir::Value y,
                    llvm::StringRef predicate);
/// `value` where `condition` holds, zero elsewhere (broadcast to `value`'s shape).
mlir::Value maskWhere(mlir::OpBuilder &b, mlir::Location loc, mlir::Value condition,
                      mlir::Value value);
/// `value` where `condition` does not hold, zero elsewhere.
mlir::Value maskUnless(mlir::OpBuilder &b, mlir::Location loc, mlir::Value condition,
                       mlir::Value value);
mlir::Value reshape(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x,
                    mlir::RankedTensorType type);
mlir::Value broadcastTo(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x,
                        mlir::RankedTensorType type);
mlir::Value reduceSum(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x,
                      llvm::ArrayRef<int64_t> axes, bool keepdims);

/// Sums a gradient of a broadcast result back to the shape of the operand that was
/// broadcast (the adjoint of numpy broadcasting).
mlir::Value sumToShape(mlir::OpBuilder &b, mlir::Location loc, mlir::Value grad,
                       mlir::RankedTensorType operandType);

/// `momentum * running + (1 - momentum) * batchScale * batch`: a running statistic updated
/// from a batch's (batch norm in training mode; `batchScale` unbiases a variance).
mlir::Value blendRunning(mlir::OpBuilder &b, mlir::Location loc, mlir::Value running,
                         mlir::Value batch, double momentum, double batchScale = 1.0);

/// Dropout in training form: keeps each element of `x` where random_uniform(`seed`,
/// `stream`) >= `ratio` (0 < ratio < 1) and scales it by 1 / (1 - ratio). Returns the output
/// and the keep mask (i1).
std::pair<mlir::Value, mlir::Value> trainingDropout(mlir::OpBuilder &b, mlir::Location loc,
                                                    mlir::Value x, mlir::Value seed,
                                                    int64_t stream, double ratio);

/// True if `v` is a floating-point tensor (integer operands get no gradient).
bool isDifferentiable(mlir::Value v);

} // namespace kiln::vjp

#endif // KILN_DIALECT_KILN_IR_VJPUTILS_H
