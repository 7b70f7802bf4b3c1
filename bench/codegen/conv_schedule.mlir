// Transform-dialect schedule for linalg.conv_2d_nhwc_hwcf on fp32, AVX2
// (docs/codegen-plan.md). Loop dims are (n, oh, ow, f, kh, kw, c). Threads over n, register
// tile ow2 x f32 (8 ymm accumulators), reduction c32 per step, kh = kw = 1 per tile so that
// the 2-D convolution decomposes into a 1-D one, which the linalg vectorizer turns into FMAs.
// notes/cpu-codegen.md used ow4 x f64, c16 (16 zmm) on AVX-512.
// Load with: mlir-opt -transform-preload-library=transform-library-paths=THIS \
//                     -transform-interpreter
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.consumed}) {
    %conv = transform.structured.match ops{["linalg.conv_2d_nhwc_hwcf"]} in %root
        : (!transform.any_op) -> !transform.any_op
    %fill = transform.structured.match ops{["linalg.fill"]} in %root
        : (!transform.any_op) -> !transform.any_op
    // Threads: two halves of the batch, one per core.
    %conv_t, %forall = transform.structured.tile_using_forall %conv tile_sizes [4]
        : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    %fill_t, %forall2 = transform.structured.fuse_into_containing_op %fill into %forall
        : (!transform.any_op, !transform.any_op) -> (!transform.any_op, !transform.any_op)
    // Register tile (best of a sweep on the AVX2 machine, docs/codegen-plan.md).
    %conv_r, %lr:7 = transform.structured.tile_using_for %conv_t
        tile_sizes [1, 1, 2, 32, 1, 1, 32]
        : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op,
                                  !transform.any_op, !transform.any_op, !transform.any_op,
                                  !transform.any_op, !transform.any_op)
    %fill_r, %lf:4 = transform.structured.tile_using_for %fill_t tile_sizes [1, 1, 2, 32]
        : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op,
                                  !transform.any_op, !transform.any_op)
    %conv_1d = transform.structured.decompose %conv_r
        : (!transform.any_op) -> !transform.any_op
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
    // In MLIR 19 the matmul schedule's single pattern group ran out of memory (>3 GB, 40 s) on
    // this convolution; so did a last group of lower_shape_cast / lower_transpose /
    // lower_broadcast + canonicalization. Applied group by group as below, without
    // split_transfer_full_partial (every transfer is in bounds) and leaving the remaining
    // vector.broadcast to convert-vector-to-llvm, it finishes at once.
    transform.apply_patterns to %func_h {
      transform.apply_patterns.vector.cast_away_vector_leading_one_dim
      transform.apply_patterns.canonicalization
    } : !transform.any_op
    transform.apply_patterns to %func_h {
      transform.apply_patterns.vector.lower_contraction lowering_strategy = "outerproduct"
      transform.apply_patterns.vector.lower_outerproduct
    } : !transform.any_op
    transform.apply_patterns to %func_h {
      transform.apply_patterns.vector.transfer_permutation_patterns
      transform.apply_patterns.vector.transfer_to_scf max_transfer_rank = 1 full_unroll = true
      transform.apply_patterns.vector.lower_transfer max_transfer_rank = 1
    } : !transform.any_op
    transform.yield
  }
}
