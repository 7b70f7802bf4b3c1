//===- TaskFusion.h - the ops around a contraction joining its tasks ------===//
//
// A contraction split into tasks (an scf.forall whose tasks write disjoint slices of its
// result) starts from a fill or a bias broadcast and is often followed by an elementwise op
// (a ReLU, a residual add). Both are computed by the tasks, each on the slice it owns while
// the slice is in cache, rather than in passes of their own over the whole tensor.
// kiln-parallelize does this for the tasks it makes, kiln-winograd for its own.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_COMPILER_CODEGEN_TASKFUSION_H
#define KILN_COMPILER_CODEGEN_TASKFUSION_H

#include "mlir/IR/PatternMatch.h"

namespace mlir {
namespace scf {
class ForallOp;
} // namespace scf
namespace tensor {
class ExtractSliceOp;
} // namespace tensor
} // namespace mlir

namespace kiln {

/// `slice` takes a task's slice of a shared output of `forall`. When that output starts as
/// the result of a fill or broadcast (OutputStart.h), the task computes its slice of it into
/// `slice`, whose other users read the computed slice instead; the forall's output then
/// starts empty, and the fill goes when no other user is left. Returns the computed slice,
/// or `slice` itself when nothing changed.
mlir::Value computeOutputStartInTask(mlir::RewriterBase &rewriter, mlir::scf::ForallOp forall,
                                     mlir::tensor::ExtractSliceOp slice);

/// When the one result of `forall` (written by one parallel_insert_slice per task) is read
/// only by an elementwise linalg.generic in the same block (the result through the identity
/// map, its other operands through projections), each task applies that op to its slice in
/// place, and the op goes.
void fuseElementwiseConsumer(mlir::RewriterBase &rewriter, mlir::scf::ForallOp forall);

} // namespace kiln

#endif // KILN_COMPILER_CODEGEN_TASKFUSION_H
