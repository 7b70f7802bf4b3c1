//===- Builtins.h - helpers shared by the built-in functions ---------------===//
#ifndef KILN_FRONTENDS_LANG_BUILTINS_H
#define KILN_FRONTENDS_LANG_BUILTINS_H

#include "frontends/lang/Evaluator.h"

namespace kiln::lang {

/// The [top, left, bottom, right] pads that the argument `name` asks for: an integer (all
/// sides), [vertical, horizontal], [top, left, bottom, right], "valid" (none) or "same"
/// (TensorFlow's: the output is ceil(input / stride), any odd padding at the bottom/right).
mlir::FailureOr<llvm::SmallVector<int64_t>>
resolvePads(const Arguments &args, llvm::StringRef name, mlir::RankedTensorType input,
            llvm::ArrayRef<int64_t> kernel, llvm::ArrayRef<int64_t> strides,
            llvm::ArrayRef<int64_t> dilations);

/// A 2-D convolution of `input` with `filter` (and `bias`, if not null) from the arguments
/// stride, padding, dilation and groups: shared by `conv2d` (the layer) and `conv` (the op).
mlir::FailureOr<mlir::Value> buildConvolution(Evaluator &evaluator, const Arguments &args,
                                              mlir::Value input, mlir::Value filter,
                                              mlir::Value bias);

/// The tensor argument `name`, checked to be of rank 4 (N x C x H x W).
mlir::FailureOr<mlir::RankedTensorType> imageType(Evaluator &evaluator, const Arguments &args,
                                                  llvm::StringRef name);

/// A pool's window from the arguments kernel, stride (default: the kernel, as in Keras),
/// padding and, if `withDilation`, dilation: shared by the pools and their gradients.
struct PoolWindow {
  llvm::SmallVector<int64_t> kernel, strides, pads, dilations;
};
mlir::FailureOr<PoolWindow> poolWindow(const Arguments &args, mlir::RankedTensorType input,
                                       bool withDilation);

/// The list of positive sizes `name` (a shape).
mlir::FailureOr<llvm::SmallVector<int64_t>> shapeArgument(const Arguments &args,
                                                          llvm::StringRef name);

/// The element type the language calls `name` ("f32", "i64", "bool", ...), or null.
mlir::Type elementTypeNamed(mlir::OpBuilder &b, llvm::StringRef name);

} // namespace kiln::lang

#endif // KILN_FRONTENDS_LANG_BUILTINS_H
