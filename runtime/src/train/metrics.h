//===- metrics.h - loss and accuracy from logits and class labels ---------===//
#ifndef KILN_RUNTIME_SRC_TRAIN_METRICS_H
#define KILN_RUNTIME_SRC_TRAIN_METRICS_H

#include <cstdint>

namespace kiln::train {

/// Sums over the samples seen so far; the means are what logs and summaries print.
struct ClassificationStats {
  double lossSum = 0;
  uint64_t lossCount = 0; // samples whose loss was added
  uint64_t top1 = 0, top5 = 0, samples = 0;

  /// Scores one sample: `logits` holds `classes` values, `label` is in [0, classes). Adds its
  /// softmax cross-entropy when `withLoss` and counts it as top-1 / top-5 correct when fewer
  /// than 1 / 5 classes score strictly higher than the label (so with fewer than 5 classes
  /// top-5 is always right).
  void addSample(const double *logits, int64_t classes, int64_t label, bool withLoss);
  /// Adds a loss that was computed elsewhere (fwd_bwd's mean over `count` samples).
  void addMeanLoss(double meanLoss, uint64_t count);

  double meanLoss() const { return lossCount ? lossSum / static_cast<double>(lossCount) : 0; }
  double top1Percent() const { return samples ? 100.0 * top1 / samples : 0; }
  double top5Percent() const { return samples ? 100.0 * top5 / samples : 0; }
};

} // namespace kiln::train

#endif // KILN_RUNTIME_SRC_TRAIN_METRICS_H
