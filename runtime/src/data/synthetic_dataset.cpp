//===- synthetic_dataset.cpp - fixed pseudo-random samples and labels -----===//
//
// For measuring throughput and smoke-testing an artifact without a dataset on disk. Each
// sample is computed from its index on demand (nothing is stored), from a fixed seed, so every
// run and both splits see the same set.
//
//===----------------------------------------------------------------------===//
#include "dataset.h"

#include "../random.h"

using namespace kiln::runtime;

namespace {

constexpr uint64_t kSyntheticSeed = 0x6b696c6e; // "kiln"

class SyntheticDataset final : public kiln::data::Dataset {
public:
  SyntheticDataset(const kiln::data::SampleSpec &sample, uint64_t samples)
      : elements(sample.elements()), classes(sample.classes), samples(samples) {}

  uint64_t size() const override { return samples; }

  std::string describe() const override {
    return "synthetic (" + std::to_string(samples) + " samples of " +
           std::to_string(elements) + " values, " + std::to_string(classes) + " classes)";
  }

  kiln_status_t load(uint64_t index, uint64_t, float *sample, int32_t &label) const override {
    SplitMix64 random(deriveSeed(kSyntheticSeed, index));
    label = static_cast<int32_t>(random.below(static_cast<uint64_t>(classes)));
    for (uint64_t i = 0; i < elements; ++i)
      sample[i] = random.unitFloat();
    return nullptr;
  }

private:
  uint64_t elements;
  int64_t classes;
  uint64_t samples;
};

} // namespace

std::unique_ptr<kiln::data::Dataset>
kiln::data::makeSyntheticDataset(const SampleSpec &sample, uint64_t samples) {
  return std::make_unique<SyntheticDataset>(sample, samples);
}
