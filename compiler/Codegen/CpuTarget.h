//===- CpuTarget.h - what the register tiles of a contraction depend on ---===//
//
// The code generator's tile sizes are a function of the op's shape and of two facts about the
// CPU: how many floats a vector register holds and how many vector registers there are. The
// choices live here, apart from the rewriting, so that a unit test can pin them.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_COMPILER_CODEGEN_CPUTARGET_H
#define KILN_COMPILER_CODEGEN_CPUTARGET_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"

#include <cstdint>
#include <optional>

namespace kiln {

struct CpuTarget {
  int64_t vectorFloats = 8;    ///< fp32 lanes per vector register (8: AVX2, 16: AVX-512)
  int64_t vectorRegisters = 16; ///< architectural vector registers (16: AVX2, 32: AVX-512)

  /// Accumulators a register tile may hold: half the registers, leaving the rest for the
  /// broadcast input values and the filter/B vectors of each step.
  int64_t accumulatorBudget() const { return vectorRegisters / 2; }

  /// AVX-512 when `vectorBits` is 512, AVX2 when 256; 0 reads the host CPU's features.
  static CpuTarget fromVectorBits(unsigned vectorBits);
};

/// The largest divisor of `bound` that is at most `limit` (1 always divides): a tile size
/// that leaves no partial tile, which would not vectorize.
int64_t largestDivisorAtMost(int64_t bound, int64_t limit);

/// Register tile of `linalg.conv_2d_nhwc_hwcf` over its loops (n, oh, ow, f, kh, kw, c), given
/// the loop bounds in that order: one output row segment of `ow` pixels by `f` channels stays
/// in registers while the reduction walks kh, kw and a block of c. Every size divides its
/// bound (a partial tile would not vectorize); nullopt when F is not a multiple of the vector.
std::optional<llvm::SmallVector<int64_t>>
chooseConvRegisterTile(llvm::ArrayRef<int64_t> loopBounds, const CpuTarget &target);

/// Register tile of `linalg.matmul` over (m, n, k): an m x n block of C in registers, k = 1
/// per step. nullopt when N is not a multiple of the vector.
std::optional<llvm::SmallVector<int64_t>>
chooseMatmulRegisterTile(llvm::ArrayRef<int64_t> loopBounds, const CpuTarget &target);

/// Cache tile of `linalg.matmul` over (m, n, k), applied before the register tile; the sizes
/// divide the bounds and are multiples of `registerTile`. All zeros (no cache tiling) when
/// the matrices are small.
llvm::SmallVector<int64_t> chooseMatmulCacheTile(llvm::ArrayRef<int64_t> loopBounds,
                                                 llvm::ArrayRef<int64_t> registerTile);

} // namespace kiln

#endif // KILN_COMPILER_CODEGEN_CPUTARGET_H
