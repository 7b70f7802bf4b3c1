//===- WinogradTransforms.h - Winograd's matrices and vector transforms ---===//
//
// What kiln-winograd's two rewrites share: the matrices of F(m x m, 3 x 3) and the vector
// code that applies them to a tile (compiler/Codegen/Winograd.cpp for forward and
// input-gradient convolutions, WinogradFilterGradient.cpp for filter gradients).
//
//===----------------------------------------------------------------------===//
#ifndef KILN_COMPILER_CODEGEN_WINOGRADTRANSFORMS_H
#define KILN_COMPILER_CODEGEN_WINOGRADTRANSFORMS_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"

#include <optional>

namespace kiln {

/// The matrices of F(m x m, 3 x 3) at `stride` 1 or 2, row-major: B^T (alpha x alpha)
/// transforms an input patch (alpha x alpha pixels, a tile's m x m outputs read them), G
/// (alpha x 3) a filter, A^T (m x alpha) a product back into output pixels.
struct WinogradScheme {
  int64_t m = 0, stride = 1;
  llvm::ArrayRef<double> inputT, filterT, outputT;
  int64_t alpha() const { return stride * (m - 1) + 3; }
  /// G[a][i] G[b][j]: the weight of filter tap (i, j) in position (a, b) of G g G^T.
  double tapCoefficient(int64_t a, int64_t b, int64_t i, int64_t j) const {
    return filterT[a * 3 + i] * filterT[b * 3 + j];
  }
};

/// The stride of `conv` when it is the same along both dimensions, its dilations are 1 and
/// its operands statically shaped fp32: what the rewrites take. nullopt otherwise.
std::optional<int64_t> staticFp32Stride(mlir::linalg::Conv2DNhwcHwcfOp conv);

/// Whether `conv` has unit strides and dilations and statically shaped fp32 operands.
bool isStaticFp32UnitStride(mlir::linalg::Conv2DNhwcHwcfOp conv);

/// F(m x m, 3 x 3) for m = 2 or 4 at stride 1 or 2; nullopt for another m or stride.
std::optional<WinogradScheme> winogradSchemeFor(int64_t m, int64_t stride = 1);

/// T X T^T for the inner x inner vectors X (row-major) and the row-major matrix T of `inner`
/// columns, computed in registers in two passes: (T X) first, then its rows times T^T.
llvm::SmallVector<mlir::Value> sandwich(mlir::OpBuilder &b, mlir::Location loc,
                                        llvm::ArrayRef<mlir::Value> x,
                                        llvm::ArrayRef<double> t, int64_t inner);

/// The side x side vectors of `type` read from `source` at `indices(i, j)`, row-major: a
/// tile's patch (in bounds). With `mask`, the lanes `mask(i, j)` leaves off read `padding`
/// (a null mask reads all).
llvm::SmallVector<mlir::Value>
readSquare(mlir::OpBuilder &b, mlir::Location loc, mlir::Value source, mlir::VectorType type,
           mlir::Value padding, int64_t side,
           llvm::function_ref<llvm::SmallVector<mlir::Value>(int64_t, int64_t)> indices,
           llvm::function_ref<mlir::Value(int64_t, int64_t)> mask = nullptr);

/// The `count` vectors of `type` at [p, trailing...] of `from`, p = 0 .. count - 1: a tile's
/// values, one per plane of a stacked tensor.
llvm::SmallVector<mlir::Value> readPlanes(mlir::OpBuilder &b, mlir::Location loc,
                                          mlir::Value from, mlir::VectorType type,
                                          mlir::Value padding, int64_t count,
                                          mlir::ValueRange trailing);

/// `values[p]` written at [p, trailing...] of `into`, each to its plane: the updated tensor.
mlir::Value writePlanes(mlir::OpBuilder &b, mlir::Location loc,
                        llvm::ArrayRef<mlir::Value> values, mlir::Value into,
                        mlir::ValueRange trailing);

/// A loop nest over `bounds` (the last one a vector of `lanes` at a time) threading the
/// tensor `init` through `body`, which gets the induction variables and returns the tensor
/// updated: the nest's result.
mlir::Value vectorLoopNest(
    mlir::OpBuilder &b, mlir::Location loc, llvm::ArrayRef<int64_t> bounds, int64_t lanes,
    mlir::Value init,
    llvm::function_ref<mlir::Value(mlir::OpBuilder &, mlir::Location, mlir::ValueRange,
                                   mlir::Value)>
        body);

} // namespace kiln

#endif // KILN_COMPILER_CODEGEN_WINOGRADTRANSFORMS_H
