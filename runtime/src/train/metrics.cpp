//===- metrics.cpp - loss and accuracy from logits and class labels -------===//
#include "metrics.h"

#include <algorithm>
#include <cmath>

void kiln::train::ClassificationStats::addSample(const double *logits, int64_t classes,
                                                 int64_t label, bool withLoss) {
  double target = logits[label];
  int64_t higher = 0;
  for (int64_t c = 0; c < classes; ++c)
    higher += logits[c] > target;
  top1 += higher < 1;
  top5 += higher < 5;
  ++samples;
  if (!withLoss)
    return;
  // log-sum-exp shifted by the maximum, so large logits do not overflow.
  double maximum = *std::max_element(logits, logits + classes);
  double sum = 0;
  for (int64_t c = 0; c < classes; ++c)
    sum += std::exp(logits[c] - maximum);
  lossSum += maximum + std::log(sum) - target;
  ++lossCount;
}

void kiln::train::ClassificationStats::addMeanLoss(double meanLoss, uint64_t count) {
  lossSum += meanLoss * static_cast<double>(count);
  lossCount += count;
}
