//===- mixup.h - mixup of a loaded batch ----------------------------------===//
//
// Mixup (Zhang et al., "mixup: Beyond Empirical Risk Minimization", 2018), as the ResNeXt
// seed's long runs use it: each row becomes lambda x_i + (1 - lambda) x_j for its partner j, and
// the target lambda y_i + (1 - lambda) y_j. The partner of row i is row rows - 1 - i (the batch
// reversed, as timm pairs them), and lambda ~ Beta(alpha, alpha) once per batch.
//
// The targets are soft, so a model trains on them only if its loss takes class
// probabilities; kilnc --train builds artifacts with integer labels, so kiln-run train does not
// offer mixup yet (docs/input-pipeline.md).
//
//===----------------------------------------------------------------------===//
#ifndef KILN_RUNTIME_SRC_DATA_MIXUP_H
#define KILN_RUNTIME_SRC_DATA_MIXUP_H

#include "batch_loader.h"

namespace kiln::data {

/// How a batch was mixed: row i is lambda (row i's sample) + (1 - lambda) (row partner[i]'s).
struct Mixing {
  float lambda = 1;
  std::vector<int32_t> labels, partnerLabels;
};

/// A draw from Beta(alpha, alpha) (alpha > 0) determined by `seed`.
double sampleSymmetricBeta(double alpha, uint64_t seed);

/// Mixes `batch` (rows of `elements` values) in place with lambda = sampleSymmetricBeta(alpha,
/// seed) and returns the mixing.
Mixing mixupBatch(LoadedBatch &batch, uint64_t elements, double alpha, uint64_t seed);

/// The soft targets of `mixing`: rows x `classes` probabilities, lambda on each row's own
/// class and 1 - lambda on its partner's (1 where both are the same class).
std::vector<float> mixedTargets(const Mixing &mixing, int64_t classes);

} // namespace kiln::data

#endif // KILN_RUNTIME_SRC_DATA_MIXUP_H
