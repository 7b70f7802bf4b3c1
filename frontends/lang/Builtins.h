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

} // namespace kiln::lang

#endif // KILN_FRONTENDS_LANG_BUILTINS_H
