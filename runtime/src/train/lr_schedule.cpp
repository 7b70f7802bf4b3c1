//===- lr_schedule.cpp - the learning rate of each update -----------------===//
//
// Schedules are written in epochs, as recipes state them ("warm up 8 epochs, divide by 10 at
// 30, 60, 80"), and evaluated per update, so a schedule means the same thing whatever the
// batch size.
//
//===----------------------------------------------------------------------===//
#include "lr_schedule.h"

#include <cmath>

double kiln::train::scaledBaseLr(const LrOptions &options, uint64_t globalBatch) {
  if (!options.baseBatch)
    return options.baseLr;
  return options.baseLr * static_cast<double>(globalBatch) /
         static_cast<double>(options.baseBatch);
}

double kiln::train::learningRate(const LrOptions &options, double base, uint64_t step,
                                 uint64_t totalSteps, uint64_t stepsPerEpoch) {
  uint64_t warmup = static_cast<uint64_t>(
      std::llround(options.warmupEpochs * static_cast<double>(stepsPerEpoch)));
  if (step <= warmup)
    return base * static_cast<double>(step) / static_cast<double>(warmup);
  switch (options.schedule) {
  case LrSchedule::Constant:
    return base;
  case LrSchedule::Step: {
    double epoch = static_cast<double>((step - 1) / stepsPerEpoch);
    double lr = base;
    for (double milestone : options.stepEpochs)
      if (epoch >= milestone)
        lr *= options.gamma;
    return lr;
  }
  case LrSchedule::Cosine: {
    if (totalSteps <= warmup)
      return base;
    double progress = static_cast<double>(step - 1 - warmup) /
                      static_cast<double>(totalSteps - warmup);
    return base * 0.5 * (1.0 + std::cos(M_PI * progress));
  }
  }
  return base;
}
