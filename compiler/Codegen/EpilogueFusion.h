//===- EpilogueFusion.h - elementwise ops applied to a tile's accumulators -===//
//
// kiln-parallelize moves the elementwise op after a convolution (a ReLU, a residual add and
// ReLU) into the convolution's tasks, where it updates the task's slice in place once the
// slice is complete: a second pass over a slice that has left the registers and, for the
// widest layers, the L2 cache. Applied to each register tile's accumulators just before the
// tile is written, the op costs a few vector instructions per tile and the slice is written
// once.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_COMPILER_CODEGEN_EPILOGUEFUSION_H
#define KILN_COMPILER_CODEGEN_EPILOGUEFUSION_H

#include "mlir/IR/PatternMatch.h"

namespace mlir::func {
class FuncOp;
} // namespace mlir::func

namespace kiln {

/// Every elementwise linalg.generic in `func` that updates in place the tensor a nest of
/// scf.for loops writes with vector.transfer_write ops (a vectorized contraction's tiles)
/// is applied to each written vector instead, and goes. Only when every operand is read
/// through the identity map, the body is made of vectorizable elementwise ops and the
/// nest's writes add up to the whole tensor; any other op stays as it is.
void fuseElementwiseEpilogues(mlir::RewriterBase &rewriter, mlir::func::FuncOp func);

} // namespace kiln

#endif // KILN_COMPILER_CODEGEN_EPILOGUEFUSION_H
