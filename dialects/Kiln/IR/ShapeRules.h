//===- ShapeRules.h - shape arithmetic shared by verifiers and lowerings --===//
//
// Pure functions on static shapes. The ops' type inference, the frontends (to resolve
// ONNX auto_pad) and the lowerings (to size padding) all use the same formulas.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_DIALECT_KILN_IR_SHAPERULES_H
#define KILN_DIALECT_KILN_IR_SHAPERULES_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include <optional>

namespace kiln {

/// Numpy broadcast of two shapes, or nullopt if a pair of dimensions is incompatible.
std::optional<llvm::SmallVector<int64_t>> broadcastShapes(llvm::ArrayRef<int64_t> lhs,
                                                          llvm::ArrayRef<int64_t> rhs);

/// Output size of a sliding window along one dimension:
/// floor or ceil((in + padBegin + padEnd - dilation*(kernel-1) - 1) / stride) + 1.
/// With ceilMode, a last window that would start inside the trailing padding is dropped.
/// Returns a value <= 0 when the window does not fit.
int64_t slidingWindowOutputSize(int64_t in, int64_t kernel, int64_t stride, int64_t padBegin,
                                int64_t padEnd, int64_t dilation, bool ceilMode);

/// Extra padding at the end needed so that floor-mode windows cover what ceil mode covers.
int64_t ceilModeExtraPadding(int64_t in, int64_t kernel, int64_t stride, int64_t padBegin,
                             int64_t padEnd, int64_t dilation, int64_t outSize);

/// Number of elements of a slice from start by step up to (excluding) end.
int64_t sliceLength(int64_t start, int64_t end, int64_t step);

/// Product of the dimensions.
int64_t numElements(llvm::ArrayRef<int64_t> shape);

} // namespace kiln

#endif // KILN_DIALECT_KILN_IR_SHAPERULES_H
