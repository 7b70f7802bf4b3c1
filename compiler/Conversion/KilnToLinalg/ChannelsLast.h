//===- ChannelsLast.h - convolutions and their gradients in NHWC ----------===//
//
// kiln-choose-layout marks the convolutions (and their gradients) that the code generator
// computes channels-last. Each lowers to one linalg.conv_2d_nhwc_hwcf, the op that
// compiler/Codegen tiles and vectorizes, between transposes that keep the kiln op's NCHW
// meaning; kiln-fold-transposes removes the transposes that meet elementwise code.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_COMPILER_CONVERSION_KILNTOLINALG_CHANNELSLAST_H
#define KILN_COMPILER_CONVERSION_KILNTOLINALG_CHANNELSLAST_H

#include "mlir/IR/PatternMatch.h"

#include <cstdint>

namespace kiln {
class Conv2DOp;
class Conv2DBackwardDataOp;
class Conv2DBackwardFilterOp;

/// Permutations between kiln's NCHW activations and the channels-last ones (for
/// transposeTensor).
inline constexpr int64_t kNchwToNhwc[] = {0, 2, 3, 1};
inline constexpr int64_t kNhwcToNchw[] = {0, 3, 1, 2};

/// Whether kiln-choose-layout marked `op` (`kiln.layout = "nhwc"`).
bool isMarkedChannelsLast(mlir::Operation *op);

/// The channels-last form of each op; the value replaces the op's result.
mlir::Value lowerConvChannelsLast(mlir::PatternRewriter &rewriter, Conv2DOp op);
mlir::Value lowerConvBackwardDataChannelsLast(mlir::PatternRewriter &rewriter,
                                              Conv2DBackwardDataOp op);
mlir::Value lowerConvBackwardFilterChannelsLast(mlir::PatternRewriter &rewriter,
                                                Conv2DBackwardFilterOp op);

} // namespace kiln

#endif // KILN_COMPILER_CONVERSION_KILNTOLINALG_CHANNELSLAST_H
