//===- mixup.cpp - mixup of a loaded batch --------------------------------===//
#include "mixup.h"

#include "../random.h"

#include <cmath>

using namespace kiln::runtime;

namespace {

/// Uniform in (0, 1): never 0, so its logarithm is finite.
double openUnit(SplitMix64 &random) {
  return (static_cast<double>(random.next() >> 11) + 0.5) * 0x1.0p-53;
}

double standardNormal(SplitMix64 &random) { // Box-Muller, one of the pair
  return std::sqrt(-2 * std::log(openUnit(random))) * std::cos(2 * M_PI * openUnit(random));
}

/// Gamma(shape, 1) by Marsaglia and Tsang's method; shape < 1 through Gamma(shape + 1) x
/// U^(1 / shape).
double sampleGamma(double shape, SplitMix64 &random) {
  if (shape < 1)
    return sampleGamma(shape + 1, random) * std::pow(openUnit(random), 1 / shape);
  double d = shape - 1.0 / 3, c = 1 / std::sqrt(9 * d);
  for (;;) {
    double x = standardNormal(random), v = 1 + c * x;
    if (v <= 0)
      continue;
    v = v * v * v;
    double u = openUnit(random);
    if (std::log(u) < 0.5 * x * x + d - d * v + d * std::log(v))
      return d * v;
  }
}

} // namespace

double kiln::data::sampleSymmetricBeta(double alpha, uint64_t seed) {
  SplitMix64 random(seed);
  double x = sampleGamma(alpha, random), y = sampleGamma(alpha, random);
  return x / (x + y);
}

kiln::data::Mixing kiln::data::mixupBatch(LoadedBatch &batch, uint64_t elements, double alpha,
                                          uint64_t seed) {
  Mixing mixing;
  mixing.lambda = static_cast<float>(sampleSymmetricBeta(alpha, seed));
  size_t rows = batch.rows();
  mixing.labels = batch.labels;
  mixing.partnerLabels.assign(batch.labels.rbegin(), batch.labels.rend());
  // Rows i and rows - 1 - i mix with each other: compute both from the originals at once.
  float lambda = mixing.lambda;
  for (size_t i = 0; i < rows / 2; ++i) {
    float *a = batch.samples.data() + i * elements;
    float *b = batch.samples.data() + (rows - 1 - i) * elements;
    for (uint64_t k = 0; k < elements; ++k) {
      float x = a[k], y = b[k];
      a[k] = lambda * x + (1 - lambda) * y;
      b[k] = lambda * y + (1 - lambda) * x;
    }
  }
  return mixing; // an odd batch's middle row is its own partner: unchanged
}

std::vector<float> kiln::data::mixedTargets(const Mixing &mixing, int64_t classes) {
  size_t rows = mixing.labels.size();
  std::vector<float> targets(rows * static_cast<size_t>(classes), 0.0f);
  for (size_t i = 0; i < rows; ++i) {
    float *row = targets.data() + i * static_cast<size_t>(classes);
    row[mixing.labels[i]] += mixing.lambda;
    row[mixing.partnerLabels[i]] += 1 - mixing.lambda;
  }
  return targets;
}
