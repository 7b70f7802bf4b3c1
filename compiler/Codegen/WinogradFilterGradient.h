//===- WinogradFilterGradient.h - filter gradients as Winograd ------------===//
#ifndef KILN_COMPILER_CODEGEN_WINOGRADFILTERGRADIENT_H
#define KILN_COMPILER_CODEGEN_WINOGRADFILTERGRADIENT_H

#include "compiler/Codegen/WinogradTransforms.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/PatternMatch.h"

namespace kiln {

/// How kiln-winograd splits a filter gradient: its options, shared with the forward rewrite.
struct FilterGradientLimits {
  int64_t lanes = 16;           ///< floats per vector register
  int64_t minTasks = 8;         ///< tasks to make when the shape allows
  int64_t scratchBytes = 0;     ///< a task's transformed input and gradient chunk at most
  int64_t minMultiplyAdds = 0;  ///< smaller filter gradients stay direct
  int64_t filterBytes = 0;      ///< a task's partial dU [alpha^2, C, F] at most
};

/// Whether `conv` is the filter gradient of a 3x3 stride-1 convolution as kiln-to-linalg
/// writes it (the input transposed to [C, H + 2, W + 2, N], padded, by the output gradient
/// transposed to [H, W, N, F], into [C, 3, 3, F]) that `scheme` can tile: if so, rewrites it
/// as Winograd tasks and returns true.
bool rewriteFilterGradientAsWinograd(mlir::RewriterBase &rewriter,
                                     mlir::linalg::Conv2DNhwcHwcfOp conv,
                                     const WinogradScheme &scheme,
                                     const FilterGradientLimits &limits);

} // namespace kiln

#endif // KILN_COMPILER_CODEGEN_WINOGRADFILTERGRADIENT_H
