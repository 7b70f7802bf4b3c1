//===- AccumulatorStart.h - a register tile that starts in registers -------===//
//
// A convolution's register tile accumulates into a slice of its output that a fill (zero) or
// a bias broadcast computes first (tileWithOutputStart fuses that op into the tile). As
// bufferized, the start is stored into the output and loaded straight back into the
// accumulators; where the output is cold (a 1x1 convolution that widens the channels writes
// 25 MB at ResNet-50's layer 1, batch 8), every tile then waits on that load, which took
// 27-33 % of those nests' samples. Started in registers, the tile writes its output once.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_COMPILER_CODEGEN_ACCUMULATORSTART_H
#define KILN_COMPILER_CODEGEN_ACCUMULATORSTART_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"

namespace kiln {

/// `start` computes the output tile that the perfectly nested `reductionLoops` (outermost
/// first, already vectorized) accumulate into. Vectorizes `start`, hoists the tile's
/// accumulator read and write out of the loops (the accumulators become loop-carried
/// vectors) and gives the read the start's vector. Leaves the tile as it is when a step
/// does not apply (the loops are then correct, only slower).
void startAccumulatorsInRegisters(mlir::RewriterBase &rewriter, mlir::linalg::LinalgOp start,
                                  llvm::ArrayRef<mlir::Operation *> reductionLoops);

} // namespace kiln

#endif // KILN_COMPILER_CODEGEN_ACCUMULATORSTART_H
