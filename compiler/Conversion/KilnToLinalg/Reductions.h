//===- Reductions.h - reduction helper shared by the kiln lowerings -------===//
#ifndef KILN_COMPILER_CONVERSION_KILNTOLINALG_REDUCTIONS_H
#define KILN_COMPILER_CONVERSION_KILNTOLINALG_REDUCTIONS_H

#include "mlir/IR/Builders.h"

namespace kiln {

enum class ReductionKind { Sum, Mean, Max };

/// Reduces `input` over `axes` (sorted) with linalg.reduce; the axes are dropped from the
/// result shape.
mlir::Value reduceOverAxes(mlir::OpBuilder &b, mlir::Location loc, mlir::Value input,
                           llvm::ArrayRef<int64_t> axes, ReductionKind kind);

} // namespace kiln

#endif // KILN_COMPILER_CONVERSION_KILNTOLINALG_REDUCTIONS_H
