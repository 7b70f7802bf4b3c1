//===- lr_schedule.h - the learning rate of each update -------------------===//
#ifndef KILN_RUNTIME_SRC_TRAIN_LR_SCHEDULE_H
#define KILN_RUNTIME_SRC_TRAIN_LR_SCHEDULE_H

#include "kiln/train.h"

namespace kiln::train {

/// The base learning rate after linear scaling: lr * globalBatch / baseBatch, or lr when
/// baseBatch is 0.
double scaledBaseLr(const LrOptions &options, uint64_t globalBatch);

/// The learning rate of update `step` (1-based) out of `totalSteps`, with `stepsPerEpoch`
/// updates per epoch and `base` from scaledBaseLr:
///   warm-up   steps 1..W, W = round(warmupEpochs * stepsPerEpoch): base * step / W
///   constant  base
///   step      base * gamma^(number of stepEpochs <= the epoch the update starts in)
///   cosine    base * (1 + cos(pi * (step - 1 - W) / (totalSteps - W))) / 2
double learningRate(const LrOptions &options, double base, uint64_t step, uint64_t totalSteps,
                    uint64_t stepsPerEpoch);

} // namespace kiln::train

#endif // KILN_RUNTIME_SRC_TRAIN_LR_SCHEDULE_H
