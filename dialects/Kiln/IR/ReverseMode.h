//===- ReverseMode.h - reverse-mode gradients of a straight-line kiln graph -===//
//
// The core of differentiation, shared by the kiln-autodiff pass (which turns a loss function
// into fwd_bwd) and the ONNX importer (whose Gradient op asks for gradients in the middle of
// a graph). It never looks at op names: each op's VjpOpInterface builds its gradients.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_DIALECT_KILN_IR_REVERSEMODE_H
#define KILN_DIALECT_KILN_IR_REVERSEMODE_H

#include "mlir/IR/Builders.h"

namespace kiln::vjp {

/// Builds, at `b`'s insertion point, the gradients of `objective` with respect to each of
/// `wrt`, where `seed` is the gradient flowing into `objective` (ones of its type for the
/// objective itself). `forwardOps` are the ops computing `objective`, in program order; only
/// those on a path from some `wrt` value to `objective` are differentiated, and the
/// gradients a value receives from its users are summed. The result holds null where
/// `objective` does not depend on that `wrt` value. Fails, with an error on the op, when an
/// op on such a path has no VJP.
mlir::FailureOr<llvm::SmallVector<mlir::Value>>
reverseGradients(mlir::OpBuilder &b, llvm::ArrayRef<mlir::Operation *> forwardOps,
                 mlir::Value objective, mlir::Value seed, llvm::ArrayRef<mlir::Value> wrt);

} // namespace kiln::vjp

#endif // KILN_DIALECT_KILN_IR_REVERSEMODE_H
