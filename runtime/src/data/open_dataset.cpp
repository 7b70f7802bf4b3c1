//===- open_dataset.cpp - from a --data spec to a Dataset -----------------===//
//
// The table of spec forms. A new reader adds one row here and one file beside this one.
//
//===----------------------------------------------------------------------===//
#include "dataset.h"

#include "../internal.h"

using namespace kiln::runtime;

uint64_t kiln::data::SampleSpec::elements() const {
  uint64_t count = 1;
  for (int64_t dim : shape)
    count *= static_cast<uint64_t>(dim);
  return count;
}

kiln_status_t kiln::data::openDataset(const std::string &spec, Split split,
                                      const SampleSpec &sample, const DatasetOptions &options,
                                      std::unique_ptr<Dataset> &out) {
  const std::string idxPrefix = "idx:";
  if (spec.rfind(idxPrefix, 0) == 0) {
    std::string dir = spec.substr(idxPrefix.size());
    if (dir.empty())
      return makeStatus(KILN_STATUS_INVALID_ARGUMENT,
                        "data spec 'idx:' needs a directory (idx:DIR)");
    return openIdxDataset(dir, split, sample, out);
  }
  if (spec == "synthetic") {
    if (options.syntheticSamples == 0)
      return makeStatus(KILN_STATUS_INVALID_ARGUMENT, "a synthetic dataset needs samples");
    out = makeSyntheticDataset(sample, options.syntheticSamples);
    return nullptr;
  }
  return makeStatus(KILN_STATUS_INVALID_ARGUMENT,
                    "unknown data spec '" + spec + "' (known: idx:DIR, synthetic)");
}
