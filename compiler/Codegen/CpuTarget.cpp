//===- CpuTarget.cpp - tile sizes from the shape and the CPU --------------===//
//
// Sizes measured on the AVX2 machine (docs/codegen-plan.md): a convolution tile of 2 output
// pixels x 32 channels with 32 input channels per step (8 ymm accumulators) ran at 81 % of
// one core's FMA peak; 16 accumulators spilled and ran at half speed. The AVX-512 figures of
// shared/notes/cpu-codegen.md (4 x 64, 16 zmm accumulators) follow from the same rule.
//
//===----------------------------------------------------------------------===//
#include "compiler/Codegen/CpuTarget.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/TargetParser/Host.h"

#include <algorithm>

using namespace kiln;

CpuTarget CpuTarget::fromVectorBits(unsigned vectorBits) {
  if (vectorBits == 0) {
    llvm::StringMap<bool> features = llvm::sys::getHostCPUFeatures();
    vectorBits = features.lookup("avx512f") ? 512 : 256;
  }
  CpuTarget target;
  target.vectorFloats = vectorBits / 32;
  target.vectorRegisters = vectorBits >= 512 ? 32 : 16;
  return target;
}

int64_t kiln::largestDivisorAtMost(int64_t bound, int64_t limit) {
  for (int64_t size = std::min(bound, limit); size > 1; --size)
    if (bound % size == 0)
      return size;
  return 1;
}

namespace {

/// The widest vector (in fp32 lanes) dividing `columns`: the target's, or on AVX-512 the
/// 256-bit half (a layer of 8 or 24 channels still vectorizes); 0 if none does.
int64_t lanesDividing(int64_t columns, const CpuTarget &target) {
  for (int64_t lanes = target.vectorFloats; lanes >= 8; lanes /= 2)
    if (columns % lanes == 0)
      return lanes;
  return 0;
}

/// Picks a rows x columns block of accumulators: columns a multiple of the vector dividing
/// `columns` (at most 4 vectors), rows dividing `rows`, as many accumulators as the budget
/// allows; among equal counts the wider block wins (fewer broadcasts per FMA). On AVX-512 a
/// block two vectors wide stays under half the budget in rows: each row's broadcast is then
/// held in a register for its two FMAs, and at 8 rows x 2 vectors (a 32-channel
/// convolution, batch 32, 16x16) LLVM scheduled a step's broadcasts first and spilled them
/// (29 % of the nest's samples on stack reloads; 16 rows x 1 vector, whose broadcasts fold
/// into the FMAs as memory operands, ran 1.4x faster). At 7 rows x 2 vectors nothing
/// spilled, and 14 rows x 1 vector ran 1.5x slower there (a 1x1 convolution with 1024 input
/// channels, 14 pixels). AVX2 has no broadcast operands: every row of a block costs a
/// broadcast instruction whatever its width, and 4 rows x 2 vectors (16 channels) took
/// 12-13 % fewer samples than 8 rows x 1 vector in ResNet-20's first-stage convolutions,
/// forward and backward-data.
std::optional<std::pair<int64_t, int64_t>> chooseBlock(int64_t rows, int64_t columns,
                                                       const CpuTarget &target) {
  int64_t lanes = lanesDividing(columns, target), budget = target.accumulatorBudget();
  bool broadcastOperands = target.vectorFloats >= 16;
  if (lanes == 0)
    return std::nullopt;
  std::pair<int64_t, int64_t> best = {0, 0};
  int64_t bestCount = 0;
  for (int64_t vectors = 4; vectors >= 1; --vectors) {
    if (columns % (vectors * lanes) != 0)
      continue;
    int64_t rowLimit = budget / vectors - (vectors == 2 && broadcastOperands ? 1 : 0);
    int64_t rowTile = largestDivisorAtMost(rows, rowLimit);
    if (rowTile * vectors > bestCount) {
      bestCount = rowTile * vectors;
      best = {rowTile, vectors * lanes};
    }
  }
  return best;
}

} // namespace

std::optional<llvm::SmallVector<int64_t>>
kiln::chooseConvRegisterTile(llvm::ArrayRef<int64_t> loopBounds, const CpuTarget &target) {
  if (loopBounds.size() != 7)
    return std::nullopt;
  int64_t ow = loopBounds[2], f = loopBounds[3], c = loopBounds[6];
  std::optional<std::pair<int64_t, int64_t>> block = chooseBlock(ow, f, target);
  if (!block)
    return std::nullopt;
  // Input channels per step: the step's body is unrolled into one FMA per accumulator and
  // channel, and 256 FMAs amortise the loop while keeping the body small (2 x 32 on AVX2:
  // 32 channels; 4 x 64 on AVX-512: 16). A 1024-FMA body made LLVM's post-RA scheduler and
  // instruction selection dominate a ResNet's compile time.
  int64_t accumulators = block->first * (block->second / lanesDividing(f, target));
  // A short row leaves accumulators unused: a filter gradient's "row" is the filter's width
  // (3), and 3 x 1 vector of 16 output channels keeps 3 FMAs in flight where the FMA latency
  // needs 8 or more. Rows of several images (the forward's input channels, for a filter
  // gradient) fill the budget, and on AVX2 up to 12 accumulators, past the budget of a
  // single row: each image's row adds only its own broadcasts, the filter vectors loaded per
  // channel serve every image. 2 images x 3 x 16 channels (12 ymm accumulators) spilled
  // nothing, and a ResNet-20 training step's filter gradients took 10-15 % fewer samples
  // than at 1 image x 3 x 16 (6). AVX-512's budget (16) already allows 12.
  int64_t imageBudget = std::max<int64_t>(target.accumulatorBudget(), 12);
  int64_t images =
      largestDivisorAtMost(loopBounds[0], std::max<int64_t>(1, imageBudget / accumulators));
  accumulators *= images;
  int64_t channelStep = largestDivisorAtMost(c, std::max<int64_t>(1, 256 / accumulators));
  return llvm::SmallVector<int64_t>{images, 1, block->first, block->second, 1, 1, channelStep};
}

std::optional<llvm::SmallVector<int64_t>>
kiln::chooseMatmulRegisterTile(llvm::ArrayRef<int64_t> loopBounds, const CpuTarget &target) {
  if (loopBounds.size() != 3)
    return std::nullopt;
  // Two vectors wide at most: B's row segment is reloaded for every k, A's values broadcast,
  // and 4 x 16 measured best on AVX2 (docs/codegen-plan.md).
  int64_t lanes = lanesDividing(loopBounds[1], target);
  std::optional<std::pair<int64_t, int64_t>> block;
  for (int64_t vectors = 2; lanes && vectors >= 1 && !block; --vectors) {
    if (loopBounds[1] % (vectors * lanes) != 0)
      continue;
    int64_t rows = largestDivisorAtMost(loopBounds[0], target.accumulatorBudget() / vectors);
    block = std::make_pair(rows, vectors * lanes);
  }
  if (!block)
    return std::nullopt;
  return llvm::SmallVector<int64_t>{block->first, block->second, 1};
}

llvm::SmallVector<int64_t> kiln::chooseMatmulCacheTile(llvm::ArrayRef<int64_t> loopBounds,
                                                       llvm::ArrayRef<int64_t> registerTile) {
  // [256, 64, 256] measured within noise of the best on AVX2 (docs/codegen-plan.md); a bound
  // the preferred size does not divide takes the largest multiple of the register tile that
  // does, down to half the preferred size (a filter gradient's k, 6272 = 32 x 14 x 14
  // pixels, takes 224), and stays untiled (0) below that.
  const int64_t preferred[3] = {256, 64, 256};
  llvm::SmallVector<int64_t> tile(3, 0);
  for (int i = 0; i < 3; ++i) {
    if (loopBounds[i] <= preferred[i] || loopBounds[i] % registerTile[i] != 0)
      continue;
    int64_t size = registerTile[i] * largestDivisorAtMost(loopBounds[i] / registerTile[i],
                                                          preferred[i] / registerTile[i]);
    if (2 * size >= preferred[i])
      tile[i] = size;
  }
  return tile;
}
