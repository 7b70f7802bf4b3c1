//===- OpInference.h - result-type rules shared by forward and backward ops ===//
//
// A backward op checks its operands against its forward op's rule (the gradient of a conv2d
// output must have the shape the conv2d would produce), so the rules live in one place.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_DIALECT_KILN_IR_OPINFERENCE_H
#define KILN_DIALECT_KILN_IR_OPINFERENCE_H

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Location.h"
#include "mlir/IR/Value.h"
#include <optional>
#include <string>

namespace kiln {

/// "[2, 3]": shapes in diagnostics.
std::string shapeString(llvm::ArrayRef<int64_t> shape);

/// The result type of conv2d(input, filter) with these attributes, or an error at `loc`.
llvm::LogicalResult inferConv2DType(std::optional<mlir::Location> loc,
                                    mlir::RankedTensorType input, mlir::RankedTensorType filter,
                                    int64_t groups, llvm::ArrayRef<int64_t> strides,
                                    llvm::ArrayRef<int64_t> pads,
                                    llvm::ArrayRef<int64_t> dilations,
                                    llvm::SmallVectorImpl<mlir::Type> &out);

/// The result type of a 2-D pool of `input` with this window, or an error at `loc`.
llvm::LogicalResult inferPool2D(std::optional<mlir::Location> loc, mlir::Value input,
                                llvm::ArrayRef<int64_t> kernel, llvm::ArrayRef<int64_t> strides,
                                llvm::ArrayRef<int64_t> pads, llvm::ArrayRef<int64_t> dilations,
                                bool ceilMode, llvm::SmallVectorImpl<mlir::Type> &out);

} // namespace kiln

#endif // KILN_DIALECT_KILN_IR_OPINFERENCE_H
