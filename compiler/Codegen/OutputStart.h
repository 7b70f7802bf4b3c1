//===- OutputStart.h - the op a contraction's output starts from -----------===//
//
// A convolution or matmul accumulates into its output operand, which a fill (zero) or a bias
// broadcast computes first. kiln-parallelize and kiln-codegen-contractions tile that op with
// the contraction, so that each tile starts from its own slice while it is in cache.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_COMPILER_CODEGEN_OUTPUTSTART_H
#define KILN_COMPILER_CODEGEN_OUTPUTSTART_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"

namespace kiln {

/// Whether `op` may be computed slice by slice with the contraction whose output it starts:
/// all loops parallel (a fill or a broadcast: cheap to compute again where another user
/// still needs the whole), on tensors, one result.
inline bool startsAnOutput(mlir::linalg::LinalgOp op) {
  return op && op.hasPureTensorSemantics() && op.getNumLoops() == op.getNumParallelLoops() &&
         op.getNumDpsInits() == 1;
}

} // namespace kiln

#endif // KILN_COMPILER_CODEGEN_OUTPUTSTART_H
