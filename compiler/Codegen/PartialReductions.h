//===- PartialReductions.h - a sum split into per-index partial sums -------===//
//
// A reduction whose only parallel loops run along its operands' contiguous dimension (batch
// norm's per-channel sums of a channels-last activation) cannot be split into tasks without
// cutting the vectors it is computed with. Summed per index of its outermost reduced loop
// (per image) instead, it gains that loop as a parallel one, and a small reduction of the
// partial sums follows.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_COMPILER_CODEGEN_PARTIALREDUCTIONS_H
#define KILN_COMPILER_CODEGEN_PARTIALREDUCTIONS_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"

namespace kiln {

/// Rewrites `op`, a sum (its payload yields `arith.addf(x, accumulator)`, the accumulator
/// used nowhere else) over statically shaped tensors with one result, as partial sums per
/// index of its outermost reduction loop followed by their sum into `op`'s initial value.
/// Returns the generic that computes the partial sums, or failure (nothing changed) when
/// `op` is not such a sum.
mlir::FailureOr<mlir::linalg::GenericOp> splitIntoPartialSums(mlir::RewriterBase &rewriter,
                                                              mlir::linalg::GenericOp op);

} // namespace kiln

#endif // KILN_COMPILER_CODEGEN_PARTIALREDUCTIONS_H
