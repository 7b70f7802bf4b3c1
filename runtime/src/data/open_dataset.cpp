//===- open_dataset.cpp - from a --data spec to a Dataset -----------------===//
//
// The table of spec forms. A new reader adds one row here and one file beside this one.
//
//===----------------------------------------------------------------------===//
#include "dataset.h"

#include "../internal.h"

using namespace kiln::runtime;
using namespace kiln::data;

uint64_t kiln::data::SampleSpec::elements() const {
  uint64_t count = 1;
  for (int64_t dim : shape)
    count *= static_cast<uint64_t>(dim);
  return count;
}

namespace {

using Opener = kiln_status_t (*)(const std::string &argument, Split split,
                                 const SampleSpec &sample, const DatasetOptions &options,
                                 std::unique_ptr<Dataset> &out);

struct SpecForm {
  const char *prefix;   // "idx:"; a spec without an argument has no colon
  const char *argument; // what follows the prefix, for messages ("DIR")
  const char *needs;    // the same in words ("a directory")
  Opener open;
};

const SpecForm kSpecForms[] = {
    {"idx:", "DIR", "a directory",
     [](const std::string &dir, Split split, const SampleSpec &sample, const DatasetOptions &,
        std::unique_ptr<Dataset> &out) { return openIdxDataset(dir, split, sample, out); }},
    {"cifar10:", "DIR", "a directory",
     [](const std::string &dir, Split split, const SampleSpec &sample,
        const DatasetOptions &options, std::unique_ptr<Dataset> &out) {
       return openCifarDataset(dir, 10, split, sample, options, out);
     }},
    {"cifar100:", "DIR", "a directory",
     [](const std::string &dir, Split split, const SampleSpec &sample,
        const DatasetOptions &options, std::unique_ptr<Dataset> &out) {
       return openCifarDataset(dir, 100, split, sample, options, out);
     }},
    {"jpeg:", "DIR", "a directory", openJpegFolderDataset},
    {"tfrecord:", "GLOB", "a file pattern", openTfRecordDataset},
    {"synthetic", "", "",
     [](const std::string &, Split, const SampleSpec &sample, const DatasetOptions &options,
        std::unique_ptr<Dataset> &out) -> kiln_status_t {
       if (options.syntheticSamples == 0)
         return makeStatus(KILN_STATUS_INVALID_ARGUMENT, "a synthetic dataset needs samples");
       out = makeSyntheticDataset(sample, options.syntheticSamples);
       return nullptr;
     }},
};

} // namespace

kiln_status_t kiln::data::openDataset(const std::string &spec, Split split,
                                      const SampleSpec &sample, const DatasetOptions &options,
                                      std::unique_ptr<Dataset> &out) {
  std::string known;
  for (const SpecForm &form : kSpecForms) {
    std::string prefix = form.prefix;
    known += (known.empty() ? "" : ", ") + prefix + form.argument;
    if (!*form.argument) {
      if (spec == prefix)
        return form.open("", split, sample, options, out);
      continue;
    }
    if (spec.rfind(prefix, 0) != 0)
      continue;
    std::string argument = spec.substr(prefix.size());
    if (argument.empty())
      return makeStatus(KILN_STATUS_INVALID_ARGUMENT, "data spec '" + prefix + "' needs " +
                                                          form.needs + " (" + prefix +
                                                          form.argument + ")");
    return form.open(argument, split, sample, options, out);
  }
  return makeStatus(KILN_STATUS_INVALID_ARGUMENT,
                    "unknown data spec '" + spec + "' (known: " + known + ")");
}
