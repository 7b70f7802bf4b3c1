//===- Passes.td - kiln conversion passes ---------------------------------===//
#ifndef KILN_CONVERSION_PASSES_TD
#define KILN_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def KilnToLinalgPass : Pass<"kiln-to-linalg", "mlir::func::FuncOp"> {
  let summary = "Lowers kiln ops to linalg, tensor, arith and math on tensors";
  let description = [{
    Every kiln op inside a function becomes upstream ops on tensors: contractions and pooling
    become linalg named ops (so later passes can tile and vectorize them), elementwise ops
    become `linalg.generic` with broadcasting indexing maps, data movement becomes tensor ops.
    An op that cannot be lowered is reported with its location and the pass fails.
  }];
  let dependentDialects = [
    "mlir::arith::ArithDialect", "mlir::linalg::LinalgDialect", "mlir::math::MathDialect",
    "mlir::tensor::TensorDialect"
  ];
}

def KilnStripAbiPass : Pass<"kiln-strip-abi", "mlir::ModuleOp"> {
  let summary = "Removes kiln.parameter declarations and kiln.buffer / kiln.role attributes";
  let description = [{
    Buffer names, roles and parameter initial values travel in the artifact's buffer table,
    not in code. The artifact emitter records them first (collectArtifactAbi); this pass then
    removes them so that the module lowers and translates to LLVM IR without kiln attributes.
  }];
}

def KilnUnshareFillsPass : Pass<"kiln-unshare-fills", "mlir::func::FuncOp"> {
  let summary = "Gives every user of a shared fill a fill of its own before bufferization";
  let description = [{
    CSE merges identical fills (the zero outputs every convolution starts from) into one
    value with many users. One-shot bufferization fills one buffer and copies it for every
    other user that writes into it. This pass clones a `linalg.fill` of a `tensor.empty`
    (or kiln-parallelize's `scf.forall` of such fills) once per extra user, right before the
    user, with its own `tensor.empty`, so that each user's buffer is filled, not copied.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect", "mlir::tensor::TensorDialect"];
}

def KilnDecomposePadsPass : Pass<"kiln-decompose-pads", "mlir::func::FuncOp"> {
  let summary = "Computes a padded value straight into the interior of its padded tensor";
  let description = [{
    Before bufferization. A statically shaped `tensor.pad` with a constant value whose
    source is written by an op into a `tensor.empty` (a destination-style op, or an
    `scf.forall` of tasks) is rewritten: a `linalg.fill` of a new padded tensor, the
    producer's destination replaced by the `tensor.extract_slice` of its interior, and the
    pad by the `tensor.insert_slice` of the result into that slice. Bufferization then fills
    the padded buffer and lets the producer write into its interior, instead of copying a
    buffer of the producer's own into it. Likewise a `tensor.insert_slice` with static
    offsets into a tensor that an op without side effects computes from fresh tensors and
    scalars alone (a fill, or the tasks of a fill): a clone of that op, right before the
    inserted value's producer, takes the place of the destination (an input gradient's
    halo). Other pads and insertions stay as they are.
  }];
  let dependentDialects = [
    "mlir::arith::ArithDialect", "mlir::linalg::LinalgDialect", "mlir::tensor::TensorDialect"
  ];
}

def KilnMemRefCopyToLinalgPass : Pass<"kiln-memref-copy-to-linalg", "mlir::func::FuncOp"> {
  let summary = "Rewrites memref.copy as linalg.copy so strided copies become loops";
  let description = [{
    Bufferization turns tensor.pad and tensor.insert_slice into `memref.copy` into strided
    subviews. The LLVM lowering of a non-contiguous memref.copy calls `memrefCopy` from
    MLIR's C runner library, which an artifact must not depend on. As a linalg.copy it is
    split into tasks (kiln-parallelize{buffers}), moved in whole vectors where its rows
    allow (kiln-vectorize-copies), or else becomes plain loops.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect"];
}

def KilnVectorizeCopiesPass : Pass<"kiln-vectorize-copies", "mlir::func::FuncOp"> {
  let summary = "Moves the rows of a buffer copy in whole vectors";
  let description = [{
    After bufferization: a linalg.copy between statically shaped buffers whose rows (last
    dimension) are contiguous in both, and whose row length is a multiple of a 256-bit
    vector, becomes scf.for loops over the rows with vector.load / vector.store of up to
    1024 bits at a time. convert-linalg-to-loops would make it scalar loops, which LLVM
    left scalar (5 % of a ResNet-20 training step: padded buffers' interiors copied in and
    out). Other copies are left to convert-linalg-to-loops.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect", "mlir::scf::SCFDialect",
                           "mlir::vector::VectorDialect"];
}

def KilnCopyReturnedArgumentsPass
    : Pass<"kiln-copy-returned-arguments", "mlir::func::FuncOp"> {
  let summary = "Copies function arguments (and repeated values) that a function returns";
  let description = [{
    Every result of an entry point is a distinct caller-provided buffer. When a function
    returns one of its arguments (an Identity model, an identity transpose) or the same value
    twice, this pass returns a copy instead, so that bufferization can compute each result in
    place in its own out-parameter (and buffer-results-to-out-params, which cannot hoist a
    block argument, never sees one).
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect", "mlir::tensor::TensorDialect"];
}

def KilnLoopOrderPass : Pass<"kiln-loop-order", "mlir::func::FuncOp"> {
  let summary = "Orders the loops of linalg ops so the innermost loop runs along the output row";
  let description = [{
    The plain-loop lowering (convert-linalg-to-loops) nests loops in iteration-space order,
    which for a convolution puts the 3-wide filter loop innermost, where LLVM cannot vectorize.
    This pass generalizes named linalg ops and interchanges every op with reductions so that
    the parallel loop indexing the output's last (unit-stride) dimension is innermost and the
    reductions sit just outside it: the innermost loop then streams contiguous rows of the
    output and inputs, and LLVM vectorizes it. A reference schedule, not the fast pipeline.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect"];
}

def KilnDynamicSchedulePass : Pass<"kiln-dynamic-schedule"> {
  let summary = "Hands out the tasks of every OpenMP work-sharing loop one at a time";
  let description = [{
    convert-scf-to-openmp leaves each work-sharing loop on OpenMP's default static schedule:
    each thread gets one contiguous run of the tasks, fixed in advance. On a shared machine
    the two threads do not run at the same speed, and the faster one then waits at the end
    of every loop (libomp's spin-wait was 7 % of ResNet-50's batch-8 inference samples).
    Handed out one at a time, a thread takes the next task when it is done with one (2.9 %).
    The threads take them from a counter they share (memref.atomic_rmw on a counter the
    function allocates), not through schedule(dynamic): Debian's libomp formats its trace
    messages on every __kmpc_dispatch_next, traced or not (4 % of a ResNet-20 training
    step). A loop that names its schedule keeps it; one with clauses (reductions, ordered,
    linear, nowait), sharing its parallel region with other work, in a nested parallel
    region or with bounds defined inside its region gets libomp's schedule(dynamic).
  }];
  let dependentDialects = ["mlir::arith::ArithDialect", "mlir::cf::ControlFlowDialect",
                           "mlir::memref::MemRefDialect", "mlir::omp::OpenMPDialect"];
}

def KilnInPlaceBuffersPass : Pass<"kiln-inplace-buffers", "mlir::ModuleOp"> {
  let summary = "Writes results that name an argument's buffer into that argument";
  let description = [{
    A training entry updates buffers in place: a result whose `kiln.buffer` equals an
    argument's (a parameter, a gradient, optimizer or batch-norm state) is the new content of
    that argument. This pass marks the argument writable and returns
    `bufferization.materialize_in_destination %new in %arg`, so that bufferization writes the
    new value into the argument's buffer and `drop-equivalent-buffer-results` then removes the
    result; a result that returns the argument unchanged is removed at once. Runs before
    kiln-strip-abi, on the kiln-level module.
  }];
  let dependentDialects = ["mlir::bufferization::BufferizationDialect"];
}

def KilnPlanMemoryPass : Pass<"kiln-plan-memory", "mlir::ModuleOp"> {
  let summary = "Places an entry's temporaries in one arena at offsets planned at compile time";
  let description = [{
    Runs on bufferized entry functions (public, with a body, not called), after
    buffer-results-to-out-params and before the deallocation pipeline. Every `memref.alloc`
    at a function's top level with a static shape, an identity layout, the default memory
    space and an alignment of at most 64 becomes a `memref.view` into one byte arena, which
    the function takes as a new last argument `memref<Nxi8>`; the runtime owns that memory
    (the artifact's workspace buffer, docs/artifact-abi.md), so a step allocates nothing.

    A buffer's live range runs over the function's top-level operations, from the first use
    to the last use (mlir::Liveness) of the buffer or of any view derived from it
    (BufferViewFlowAnalysis: subviews, casts, reshapes, region results). Packing is greedy by
    size: buffers in decreasing size, each at the 64-byte aligned offset of the smallest gap
    between buffers already placed whose live ranges overlap its own (best fit), or above
    them all. Buffers with disjoint live ranges may share bytes; overlapping ones never do.

    A task's scratch buffer, a static alloc of at most 512 KB directly in the body of an
    `scf.forall` (kiln-winograd's transformed input and products), becomes a
    `memref.alloca`: on the thread's stack, it lives until the task ends
    (convert-scf-to-openmp puts each task in an alloca scope) and costs no malloc per task.
    Left to malloc/free (the deallocation pipeline): dynamic shapes, other allocs nested in
    loops or other regions, buffers that escape through the function's results, and every
    alloc of a function with more than one block. The plan's summary is recorded on the module as
    `kiln.memory_plan = {<entry> = {arena_bytes, buffers, buffer_bytes, heap_buffers}}`
    (`buffer_bytes`: the planned buffers' sizes summed, the memory they would take without
    reuse; `heap_buffers`: allocs left to the heap); kilnc copies it into the descriptor.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect", "mlir::memref::MemRefDialect"];
}

#endif // KILN_CONVERSION_PASSES_TD
