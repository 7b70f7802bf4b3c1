//===- DataApiTest.cpp - kiln/data.h: datasets and loaders through the C API ===//
#include "ImageTestUtil.h"

#include "kiln/data.h"

#include <cmath>
#include <numeric>
#include <set>

using namespace kiln::test;

namespace {

const int64_t kCifarShape[] = {3, 32, 32};

/// cifar10:DIR of 5 x 20 training records; record i's first value is i / 255.
std::string cifarSpec() {
  std::string dir = freshPath("cifar");
  makeDir(dir);
  for (int b = 0; b < 5; ++b) {
    std::string records;
    for (int i = 0; i < 20; ++i) // record 20 b + i: pixel 0 of red is 20 b + i
      records += cifarRecords(20 * b + i + 1, 1, 10).substr(static_cast<size_t>(20 * b + i) * 3073);
    writeFile(dir + "/data_batch_" + std::to_string(b + 1) + ".bin", records);
  }
  return "cifar10:" + dir;
}

kiln_dataset_t *openOrFail(const std::string &spec) {
  kiln_dataset_options_t options;
  kiln_dataset_options_initialize(&options);
  options.shape = kCifarShape;
  options.rank = 3;
  options.classes = 10;
  kiln_dataset_t *dataset = nullptr;
  EXPECT_EQ(takeMessage(kiln_dataset_open(spec.c_str(), &options, &dataset)), "");
  return dataset;
}

/// The dataset indices of every batch of `epoch` for one replica.
std::vector<uint64_t> epochIndices(kiln_dataset_t *dataset, kiln_loader_options_t options,
                                   uint64_t epoch, std::vector<uint64_t> *rowsPerBatch = nullptr) {
  kiln_loader_t *loader = nullptr;
  EXPECT_EQ(takeMessage(kiln_loader_create(dataset, &options, &loader)), "");
  EXPECT_EQ(takeMessage(kiln_loader_start_epoch(loader, epoch)), "");
  std::vector<uint64_t> indices;
  for (uint64_t b = 0; b < kiln_loader_batches(loader); ++b) {
    const float *samples = nullptr;
    const int32_t *labels = nullptr;
    uint64_t rows = 0;
    EXPECT_EQ(takeMessage(kiln_loader_next(loader, &samples, &labels, &rows)), "");
    if (rowsPerBatch)
      rowsPerBatch->push_back(rows);
    for (uint64_t r = 0; r < rows; ++r) {
      uint64_t index = static_cast<uint64_t>(std::lround(samples[r * 3072] * 255));
      EXPECT_EQ(labels[r], static_cast<int32_t>(index % 10));
      indices.push_back(index);
    }
  }
  kiln_loader_release(loader);
  return indices;
}

TEST(DataApi, OpensAndLoadsADatasetBySpec) {
  kiln_dataset_t *dataset = openOrFail(cifarSpec());
  ASSERT_NE(dataset, nullptr);
  EXPECT_EQ(kiln_dataset_size(dataset), 100u);
  EXPECT_EQ(kiln_dataset_sample_elements(dataset), 3072u);
  EXPECT_PRED2(contains, kiln_dataset_describe(dataset), "(100 images, 32x32 RGB)");
  std::vector<float> sample(3072);
  int32_t label = -1;
  ASSERT_EQ(takeMessage(kiln_dataset_load(dataset, 57, 0, sample.data(), &label)), "");
  EXPECT_EQ(label, 7);
  EXPECT_FLOAT_EQ(sample[0], 57 / 255.0f);
  EXPECT_PRED2(contains, takeMessage(kiln_dataset_load(dataset, 100, 0, sample.data(), &label)),
               "sample 100 of ");
  kiln_dataset_release(dataset);
}

TEST(DataApi, RefusesMissingArgumentsAndBadSpecs) {
  kiln_dataset_options_t options;
  kiln_dataset_options_initialize(&options);
  kiln_dataset_t *dataset = nullptr;
  kiln_status_t status = kiln_dataset_open("synthetic", &options, &dataset);
  EXPECT_EQ(kiln_status_code(status), KILN_STATUS_INVALID_ARGUMENT);
  EXPECT_PRED2(contains, takeMessage(status), "need a sample shape and classes >= 1");
  EXPECT_EQ(kiln_status_code(kiln_dataset_open(nullptr, &options, &dataset)),
            KILN_STATUS_INVALID_ARGUMENT);
  options.shape = kCifarShape;
  options.rank = 3;
  options.classes = 10;
  EXPECT_PRED2(contains, takeMessage(kiln_dataset_open("png:x", &options, &dataset)),
               "unknown data spec 'png:x'");
  EXPECT_EQ(dataset, nullptr);
  ASSERT_EQ(takeMessage(kiln_dataset_open("synthetic", &options, &dataset)), "");
  kiln_loader_options_t loaderOptions;
  kiln_loader_options_initialize(&loaderOptions);
  loaderOptions.replica_rank = 1;
  kiln_loader_t *loader = nullptr;
  EXPECT_PRED2(contains, takeMessage(kiln_loader_create(dataset, &loaderOptions, &loader)),
               "replica_rank below replica_count");
  loaderOptions.replica_rank = 0;
  ASSERT_EQ(takeMessage(kiln_loader_create(dataset, &loaderOptions, &loader)), "");
  const float *sample = nullptr;
  const int32_t *label = nullptr;
  uint64_t rows = 0;
  EXPECT_PRED2(contains, takeMessage(kiln_loader_next(loader, &sample, &label, &rows)),
               "no epoch started");
  kiln_dataset_release(dataset); // the loader keeps it alive
  ASSERT_EQ(takeMessage(kiln_loader_start_epoch(loader, 0)), "");
  EXPECT_EQ(kiln_loader_batches(loader), 1024u);
  EXPECT_EQ(takeMessage(kiln_loader_next(loader, &sample, &label, &rows)), "");
  ASSERT_EQ(rows, 1u);
  EXPECT_GE(*label, 0);
  EXPECT_LT(*label, 10);
  kiln_loader_release(loader);
}

TEST(DataApi, ReplicasShareEachEpochExactlyOnce) {
  kiln_dataset_t *dataset = openOrFail(cifarSpec());
  kiln_loader_options_t options;
  kiln_loader_options_initialize(&options);
  options.batch = 8;
  options.seed = 3;
  options.replica_count = 3;
  std::vector<uint64_t> all;
  std::vector<std::vector<uint64_t>> shares;
  for (uint32_t rank = 0; rank < 3; ++rank) {
    options.replica_rank = rank;
    shares.push_back(epochIndices(dataset, options, 1));
    all.insert(all.end(), shares.back().begin(), shares.back().end());
  }
  std::sort(all.begin(), all.end());
  std::vector<uint64_t> every(100);
  std::iota(every.begin(), every.end(), uint64_t{0});
  EXPECT_EQ(all, every); // 34 + 33 + 33: each sample once
  // Another epoch, another order; the same epoch again, the same order.
  options.replica_rank = 0;
  EXPECT_NE(epochIndices(dataset, options, 2), shares[0]);
  EXPECT_EQ(epochIndices(dataset, options, 1), shares[0]);

  // Drop-remainder: 100 cut to 96, four whole batches of 8 for each replica, disjoint.
  options.drop_remainder = 1;
  std::set<uint64_t> seen;
  for (uint32_t rank = 0; rank < 3; ++rank) {
    options.replica_rank = rank;
    std::vector<uint64_t> rows;
    for (uint64_t index : epochIndices(dataset, options, 1, &rows))
      EXPECT_TRUE(seen.insert(index).second) << index;
    EXPECT_EQ(rows, (std::vector<uint64_t>{8, 8, 8, 8})) << "replica " << rank;
  }
  EXPECT_EQ(seen.size(), 96u);
  kiln_dataset_release(dataset);
}

} // namespace
