//===- EntryBuffers.h - reading and writing buffer attributes of entries --===//
//
// Entry functions tie their arguments and results to artifact buffers with `kiln.buffer`
// and `kiln.role`; the training passes add arguments and results and look them up by name.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_COMPILER_TRANSFORMS_ENTRYBUFFERS_H
#define KILN_COMPILER_TRANSFORMS_ENTRYBUFFERS_H

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace kiln {

/// The buffer name of argument `index`, or "" if it has none.
llvm::StringRef argBuffer(mlir::func::FuncOp func, unsigned index);
llvm::StringRef argRole(mlir::func::FuncOp func, unsigned index);
llvm::StringRef resultBuffer(mlir::func::FuncOp func, unsigned index);
llvm::StringRef resultRole(mlir::func::FuncOp func, unsigned index);

/// The attribute dictionary naming buffer `name` with `role`.
mlir::DictionaryAttr bufferAttrs(mlir::MLIRContext *context, llvm::StringRef name,
                                 llvm::StringRef role);

/// Appends an argument of `type` bound to buffer `name` with `role`; returns it.
mlir::BlockArgument appendArgument(mlir::func::FuncOp func, mlir::Type type,
                                   llvm::StringRef name, llvm::StringRef role);

/// Sets the function's results to `values` (replacing the return's operands) with
/// `attrs` as their attribute dictionaries.
void setResults(mlir::func::FuncOp func, mlir::ValueRange values,
                llvm::ArrayRef<mlir::DictionaryAttr> attrs);

/// The index of the argument bound to buffer `name`, if any.
std::optional<unsigned> findArgument(mlir::func::FuncOp func, llvm::StringRef name);

} // namespace kiln

#endif // KILN_COMPILER_TRANSFORMS_ENTRYBUFFERS_H
