//===- random.h - reproducible pseudo-random numbers ----------------------===//
//
// SplitMix64, written out rather than taken from <random>: the standard distributions differ
// between library implementations, and checkpoints promise the same shuffles and seeds on
// every machine.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_RUNTIME_SRC_RANDOM_H
#define KILN_RUNTIME_SRC_RANDOM_H

#include <cstdint>

namespace kiln::runtime {

/// SplitMix64's finaliser: a bijection of 64-bit values that scatters nearby inputs.
inline uint64_t mix64(uint64_t x) {
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

/// A well-spread value derived from a seed and a counter (epoch, micro-batch, sample).
inline uint64_t deriveSeed(uint64_t seed, uint64_t counter) {
  return mix64(mix64(seed) + 0x9e3779b97f4a7c15ull * (counter + 1));
}

/// A SplitMix64 stream.
class SplitMix64 {
public:
  explicit SplitMix64(uint64_t seed) : state(seed) {}

  uint64_t next() { return mix64(state += 0x9e3779b97f4a7c15ull); }

  /// Uniform in [0, bound) for bound > 0, without modulo bias (rejection of the short tail).
  uint64_t below(uint64_t bound) {
    uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
    uint64_t value;
    do
      value = next();
    while (value >= limit);
    return value % bound;
  }

  /// Uniform in [0, 1): the top 24 bits, so every value is exact in float.
  float unitFloat() { return static_cast<float>(next() >> 40) * (1.0f / 16777216.0f); }

private:
  uint64_t state;
};

} // namespace kiln::runtime

#endif // KILN_RUNTIME_SRC_RANDOM_H
