//===- LoweringUtils.h - building blocks shared by the kiln lowerings -----===//
#ifndef KILN_COMPILER_CONVERSION_KILNTOLINALG_LOWERINGUTILS_H
#define KILN_COMPILER_CONVERSION_KILNTOLINALG_LOWERINGUTILS_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/PatternMatch.h"

namespace kiln {

/// Computes one output element from the input elements of a broadcasting elementwise op.
using ScalarBodyFn = llvm::function_ref<mlir::Value(mlir::OpBuilder &, mlir::Location,
                                                    mlir::ValueRange)>;

/// A zero-filled (or `value`-filled) tensor of `type`.
mlir::Value filledTensor(mlir::OpBuilder &b, mlir::Location loc, mlir::RankedTensorType type,
                         double value);

/// A scalar constant of `type` (float or integer) holding `value`.
mlir::Value scalarConstant(mlir::OpBuilder &b, mlir::Location loc, mlir::Type type,
                           double value);

/// The lowest value of a float (-inf) or signed integer type: the identity of max.
mlir::Value lowestValue(mlir::OpBuilder &b, mlir::Location loc, mlir::Type type);

/// A `linalg.generic` computing a tensor of `resultType` element by element from `inputs`,
/// which broadcast numpy-style to the result shape.
mlir::Value buildBroadcastGeneric(mlir::OpBuilder &b, mlir::Location loc,
                                  mlir::RankedTensorType resultType, mlir::ValueRange inputs,
                                  ScalarBodyFn body);

/// Like buildBroadcastGeneric, but `inputs[i]` is indexed by `maps[i]` (explicit maps, e.g. a
/// per-channel vector against an NCHW tensor).
mlir::Value buildMappedGeneric(mlir::OpBuilder &b, mlir::Location loc,
                               mlir::RankedTensorType resultType, mlir::ValueRange inputs,
                               llvm::ArrayRef<mlir::AffineMap> maps, ScalarBodyFn body);

/// A tensor of `type` whose every element along dimension `dim` is the matching element of
/// the 1-D `vector` (a bias broadcast over a convolution's output).
mlir::Value broadcastAlong(mlir::OpBuilder &b, mlir::Location loc, mlir::RankedTensorType type,
                           mlir::Value vector, int64_t dim);

/// Reinterprets `value` with the shape of `type` (same element count, row-major order).
mlir::Value reshapeTensor(mlir::OpBuilder &b, mlir::Location loc, mlir::Value value,
                          mlir::RankedTensorType type);

/// `value` with its dimensions permuted: result dimension i is `value`'s dimension perm[i].
mlir::Value transposeTensor(mlir::OpBuilder &b, mlir::Location loc, mlir::Value value,
                            llvm::ArrayRef<int64_t> perm);

/// Pads `value` with `padValue` by `low` and `high` elements per dimension.
mlir::Value padTensor(mlir::OpBuilder &b, mlir::Location loc, mlir::Value value,
                      llvm::ArrayRef<int64_t> low, llvm::ArrayRef<int64_t> high,
                      mlir::Value padValue);

/// Arithmetic that picks the float or signed-integer form from the operand type.
mlir::Value emitAdd(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x, mlir::Value y);
mlir::Value emitMul(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x, mlir::Value y);
mlir::Value emitDiv(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x, mlir::Value y);
mlir::Value emitMax(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x, mlir::Value y);
mlir::Value emitMin(mlir::OpBuilder &b, mlir::Location loc, mlir::Value x, mlir::Value y);

/// Fails the match with a message unless every element type is a float or signless integer
/// type that the lowering supports (unsigned integer arithmetic is not supported yet).
mlir::LogicalResult checkSupportedElementTypes(mlir::PatternRewriter &rewriter,
                                               mlir::Operation *op);

} // namespace kiln

#endif // KILN_COMPILER_CONVERSION_KILNTOLINALG_LOWERINGUTILS_H
