//===- Pipelines.h - kiln's named pass pipelines --------------------------===//
//
// kilnc and kiln-opt run the same pipelines; the order of lowering reads top to bottom in
// Pipelines.cpp.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_COMPILER_PIPELINES_H
#define KILN_COMPILER_PIPELINES_H

#include <cstdint>

namespace mlir {
class OpPassManager;
}

namespace kiln {

/// How contractions are lowered. `Fast` chooses channels-last convolutions and tiles and
/// vectorizes convolutions and matmuls for the CPU (compiler/Codegen); `Loops` lowers every op
/// to plain loops, the reference the fast path is checked against.
enum class ContractionCodegen { Fast, Loops };

/// The output tile side of kiln-winograd's F(m x m, 3 x 3) for 3x3 stride-1 convolutions in
/// the fast code: 4 (F(2 x 2) where F(4 x 4)'s transformed filter is too large) or 2; 0 leaves
/// them direct convolutions.
constexpr int64_t kDefaultWinogradTile = 4;

/// kiln dialect -> linalg / tensor / arith / math on tensors (`kiln-lower-to-linalg`).
void buildKilnToLinalgPipeline(mlir::OpPassManager &pm,
                               ContractionCodegen codegen = ContractionCodegen::Fast,
                               int64_t winogradTile = kDefaultWinogradTile);

/// Tensors -> memrefs with caller-provided results (`kiln-bufferize`): one-shot
/// bufferization across function boundaries, results turned into out-parameters, temporary
/// buffers freed.
void buildKilnBufferizePipeline(mlir::OpPassManager &pm);

/// Bufferized linalg -> plain loops -> LLVM dialect with the bare-pointer calling convention
/// the artifact's entry points use (`kiln-lower-loops-to-llvm`).
void buildKilnLoopsToLLVMPipeline(mlir::OpPassManager &pm);

/// The three above in order (`kiln-lower-to-llvm`).
void buildKilnLowerToLLVMPipeline(mlir::OpPassManager &pm,
                                  ContractionCodegen codegen = ContractionCodegen::Fast,
                                  int64_t winogradTile = kDefaultWinogradTile);

/// Registers the pipelines above with the pass registry.
void registerKilnPipelines();

} // namespace kiln

#endif // KILN_COMPILER_PIPELINES_H
