//===- data_api.cpp - kiln/data.h over the datasets and the BatchLoader ---===//
#include "kiln/data.h"

#include "batch_loader.h"
#include "dataset.h"

#include "../internal.h"
#include "../train/epoch_order.h"

#include <cstring>

using namespace kiln::runtime;
using namespace kiln::data;

struct kiln_dataset_s {
  std::atomic<int> references{1};
  std::unique_ptr<Dataset> dataset;
  uint64_t elements = 0;
  std::string description;
};

struct kiln_loader_s {
  kiln_dataset_t *dataset = nullptr; // retained
  kiln_loader_options_t options;
  std::unique_ptr<BatchLoader> loader;
  LoadedBatch batch;
  bool started = false;
  ~kiln_loader_s() {
    loader.reset(); // the workers stop before the dataset they read may go
    kiln_dataset_release(dataset);
  }
};

namespace {

kiln_status_t invalid(const std::string &message) {
  return makeStatus(KILN_STATUS_INVALID_ARGUMENT, message);
}

} // namespace

void kiln_dataset_options_initialize(kiln_dataset_options_t *options) {
  if (!options)
    return;
  std::memset(options, 0, sizeof(*options));
  options->training = 1;
  options->synthetic_samples = 1024;
  for (int c = 0; c < 3; ++c)
    options->channel_std[c] = 1;
}

kiln_status_t kiln_dataset_open(const char *spec, const kiln_dataset_options_t *options,
                                kiln_dataset_t **out_dataset) {
  return guardApi("kiln_dataset_open", [&]() -> kiln_status_t {
    if (!spec || !options || !out_dataset)
      return invalid("kiln_dataset_open: spec, options and out_dataset must not be NULL");
    *out_dataset = nullptr;
    if (!options->shape || options->rank == 0 || options->classes < 1)
      return invalid("kiln_dataset_open: the options need a sample shape and classes >= 1");
    SampleSpec sample;
    sample.inputName = "sample";
    sample.shape.assign(options->shape, options->shape + options->rank);
    sample.classes = options->classes;
    if (!elementCount(sample.shape.data(), options->rank) || sample.elements() == 0)
      return invalid("kiln_dataset_open: sample shape " +
                     shapeString(sample.shape.data(), options->rank) + " is empty or too large");
    DatasetOptions dataOptions;
    dataOptions.syntheticSamples = options->synthetic_samples;
    for (int c = 0; c < 3; ++c) {
      if (!(options->channel_std[c] > 0))
        return invalid("kiln_dataset_open: channel_std must be positive");
      dataOptions.channelMean[c] = options->channel_mean[c];
      dataOptions.channelStd[c] = options->channel_std[c];
    }
    dataOptions.labelOffset = options->label_offset;
    auto dataset = std::make_unique<kiln_dataset_s>();
    KILN_RETURN_IF_ERROR(openDataset(spec, options->training ? Split::Train : Split::Eval,
                                     sample, dataOptions, dataset->dataset));
    dataset->elements = sample.elements();
    dataset->description = dataset->dataset->describe();
    *out_dataset = dataset.release();
    return nullptr;
  });
}

void kiln_dataset_retain(kiln_dataset_t *dataset) {
  if (dataset)
    dataset->references.fetch_add(1);
}

void kiln_dataset_release(kiln_dataset_t *dataset) {
  if (dataset && dataset->references.fetch_sub(1) == 1)
    delete dataset;
}

uint64_t kiln_dataset_size(const kiln_dataset_t *dataset) {
  return dataset ? dataset->dataset->size() : 0;
}

uint64_t kiln_dataset_sample_elements(const kiln_dataset_t *dataset) {
  return dataset ? dataset->elements : 0;
}

const char *kiln_dataset_describe(const kiln_dataset_t *dataset) {
  return dataset ? dataset->description.c_str() : "";
}

kiln_status_t kiln_dataset_load(const kiln_dataset_t *dataset, uint64_t index, uint64_t seed,
                                float *out_sample, int32_t *out_label) {
  return guardApi("kiln_dataset_load", [&]() -> kiln_status_t {
    if (!dataset || !out_sample || !out_label)
      return invalid("kiln_dataset_load: dataset, out_sample and out_label must not be NULL");
    if (index >= dataset->dataset->size())
      return invalid("kiln_dataset_load: sample " + std::to_string(index) + " of " +
                     dataset->description + " does not exist");
    return dataset->dataset->load(index, seed, out_sample, *out_label);
  });
}

void kiln_loader_options_initialize(kiln_loader_options_t *options) {
  if (!options)
    return;
  std::memset(options, 0, sizeof(*options));
  options->batch = 1;
  options->threads = 2;
  options->prefetch = 2;
  options->shuffle = 1;
  options->replica_count = 1;
  options->replace_failed = 1;
}

kiln_status_t kiln_loader_create(kiln_dataset_t *dataset, const kiln_loader_options_t *options,
                                 kiln_loader_t **out_loader) {
  return guardApi("kiln_loader_create", [&]() -> kiln_status_t {
    if (!dataset || !options || !out_loader)
      return invalid("kiln_loader_create: dataset, options and out_loader must not be NULL");
    *out_loader = nullptr;
    if (options->batch == 0 || options->threads == 0 || options->replica_count == 0 ||
        options->replica_rank >= options->replica_count)
      return invalid("kiln_loader_create: batch, threads and replica_count must be at least 1 "
                     "and replica_rank below replica_count");
    auto loader = std::make_unique<kiln_loader_s>();
    loader->options = *options;
    LoaderOptions loaderOptions;
    loaderOptions.threads = options->threads;
    loaderOptions.prefetch = options->prefetch;
    loader->loader =
        std::make_unique<BatchLoader>(*dataset->dataset, dataset->elements, loaderOptions);
    kiln_dataset_retain(dataset);
    loader->dataset = dataset;
    *out_loader = loader.release();
    return nullptr;
  });
}

void kiln_loader_release(kiln_loader_t *loader) { delete loader; }

kiln_status_t kiln_loader_start_epoch(kiln_loader_t *loader, uint64_t epoch) {
  return guardApi("kiln_loader_start_epoch", [&]() -> kiln_status_t {
    if (!loader)
      return invalid("kiln_loader_start_epoch: loader must not be NULL");
    const kiln_loader_options_t &o = loader->options;
    std::vector<uint64_t> order =
        kiln::train::epochOrder(loader->dataset->dataset->size(), o.shuffle != 0, o.seed, epoch);
    EpochPlan plan;
    plan.order = kiln::train::shardOrder(order, o.replica_rank, o.replica_count,
                                         o.drop_remainder ? o.batch : 0);
    plan.end = plan.order.size();
    plan.batch = o.batch;
    plan.seed = kiln::train::augmentationSeed(o.seed, epoch);
    plan.replaceFailed = o.replace_failed != 0;
    loader->loader->start(std::move(plan));
    loader->started = true;
    return nullptr;
  });
}

uint64_t kiln_loader_batches(const kiln_loader_t *loader) {
  return loader && loader->started ? loader->loader->batches() : 0;
}

kiln_status_t kiln_loader_next(kiln_loader_t *loader, const float **out_samples,
                               const int32_t **out_labels, uint64_t *out_rows) {
  return guardApi("kiln_loader_next", [&]() -> kiln_status_t {
    if (!loader || !out_samples || !out_labels || !out_rows)
      return invalid("kiln_loader_next: loader and the out_ pointers must not be NULL");
    *out_samples = nullptr;
    *out_labels = nullptr;
    *out_rows = 0;
    if (!loader->started)
      return invalid("kiln_loader_next: no epoch started (kiln_loader_start_epoch)");
    // The batch handed out last goes back to the workers here, so a batch stays valid until
    // this call and none is copied.
    KILN_RETURN_IF_ERROR(loader->loader->next(loader->batch));
    *out_samples = loader->batch.samples.data();
    *out_labels = loader->batch.labels.data();
    *out_rows = loader->batch.rows();
    return nullptr;
  });
}

uint64_t kiln_loader_skipped(const kiln_loader_t *loader) {
  return loader ? loader->loader->skipped() : 0;
}
