// Transform-dialect schedule for linalg.matmul on fp32, AVX2 (docs/codegen-plan.md).
// Order as in shared/notes/cpu-codegen.md: threads (scf.forall) -> cache tile -> register
// tile -> vectorize -> bufferize -> hoist -> lower vector ops for LLVM.
// Load with: mlir-opt -transform-preload-library=transform-library-paths=THIS \
//                     -transform-interpreter
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.consumed}) {
    %mm = transform.structured.match ops{["linalg.matmul"]} in %root
        : (!transform.any_op) -> !transform.any_op
    %fill = transform.structured.match ops{["linalg.fill"]} in %root
        : (!transform.any_op) -> !transform.any_op
    // Threads: two halves of M, one per core (becomes scf.parallel -> omp.parallel later;
    // a single-thread build simply runs the forall sequentially).
    %mm_t, %forall = transform.structured.tile_using_forall %mm tile_sizes [512, 0, 0]
        : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.structured.fuse_into_containing_op %fill into %forall
        : (!transform.any_op, !transform.any_op) -> (!transform.any_op, !transform.any_op)
    // Cache tile: a 256x64 panel of B (64 KiB) stays in L2 while 256 rows of A stream by.
    // Best of a sweep on the AVX2 machine (docs/codegen-plan.md); notes/cpu-codegen.md used
    // [256, 256, 128] with [8, 32] registers on AVX-512.
    %mm_c, %lc:3 = transform.structured.tile_using_for %mm_t tile_sizes [256, 64, 256]
        : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op,
                                  !transform.any_op)
    // Register tile: 4 rows x 16 columns = 8 ymm accumulators (AVX2 has 16 ymm registers;
    // 8x16 spills), one k at a time. 6x16 would be the classic AVX2 kernel but 6 does not
    // divide 1024: it needs padding or peeling first.
    %mm_r, %lr:3 = transform.structured.tile_using_for %mm_c tile_sizes [4, 16, 1]
        : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op,
                                  !transform.any_op)
    %fill2 = transform.structured.match ops{["linalg.fill"]} in %root
        : (!transform.any_op) -> !transform.any_op
    %fill_r, %lf:2 = transform.structured.tile_using_for %fill2 tile_sizes [4, 16]
        : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
    %func = transform.structured.match ops{["func.func"]} in %root
        : (!transform.any_op) -> !transform.any_op
    transform.apply_patterns to %func {
      transform.apply_patterns.canonicalization
    } : !transform.any_op
    transform.apply_cse to %func : !transform.any_op
    %func_v = transform.structured.vectorize_children_and_apply_patterns %func
        : (!transform.any_op) -> !transform.any_op
    transform.apply_patterns to %func_v {
      transform.apply_patterns.tensor.fold_tensor_subset_ops_into_vector_transfers
      transform.apply_patterns.canonicalization
    } : !transform.any_op
    transform.apply_cse to %func_v : !transform.any_op
    %root_b = transform.bufferization.one_shot_bufferize %root
        : (!transform.any_op) -> !transform.any_op
    %func_b = transform.structured.match ops{["func.func"]} in %root_b
        : (!transform.any_op) -> !transform.any_op
    transform.apply_patterns to %func_b {
      transform.apply_patterns.memref.fold_memref_alias_ops
      transform.apply_patterns.canonicalization
    } : !transform.any_op
    transform.apply_cse to %func_b : !transform.any_op
    %loops = transform.structured.match ops{["scf.for"]} in %func_b
        : (!transform.any_op) -> !transform.any_op
    transform.apply_licm to %loops : !transform.any_op
    %func_h = transform.structured.hoist_redundant_vector_transfers %func_b
        : (!transform.any_op) -> !transform.any_op
    transform.apply_patterns to %func_h {
      transform.apply_patterns.vector.lower_contraction lowering_strategy = "outerproduct"
      transform.apply_patterns.vector.transfer_permutation_patterns
      transform.apply_patterns.vector.lower_multi_reduction lowering_strategy = "innerparallel"
      transform.apply_patterns.vector.split_transfer_full_partial split_transfer_strategy = "linalg-copy"
      transform.apply_patterns.vector.transfer_to_scf max_transfer_rank = 1 full_unroll = true
      transform.apply_patterns.vector.lower_transfer max_transfer_rank = 1
      transform.apply_patterns.vector.lower_shape_cast
      transform.apply_patterns.vector.lower_transpose lowering_strategy = "shuffle_1d"
      transform.apply_patterns.vector.lower_broadcast
      transform.apply_patterns.vector.lower_outerproduct
      transform.apply_patterns.canonicalization
    } : !transform.any_op
    transform.yield
  }
}
