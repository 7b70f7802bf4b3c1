//===- dataset.h - labelled samples for the training driver ---------------===//
//
// A dataset is an indexable set of (sample, class label) pairs whose samples already have the
// shape of one row of the artifact's input. Readers (IDX, CIFAR, JPEG folders, TFRecords,
// synthetic) implement Dataset and join openDataset's table of spec prefixes; batch_loader.h
// runs them on worker threads.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_RUNTIME_SRC_DATA_DATASET_H
#define KILN_RUNTIME_SRC_DATA_DATASET_H

#include "kiln/runtime.h"

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace kiln::data {

/// What the artifact expects of one sample: the input's shape without the batch dimension
/// ([1, 28, 28] for a B x 1 x 28 x 28 input), its name for messages, and the number of classes
/// (the logits' last dimension); labels must lie in [0, classes).
struct SampleSpec {
  std::string inputName;
  std::vector<int64_t> shape;
  int64_t classes = 0;

  uint64_t elements() const;
};

/// Which half of a dataset a spec refers to.
enum class Split { Train, Eval };

/// Labelled samples, read-only once opened, so loading is safe from several threads.
class Dataset {
public:
  virtual ~Dataset() = default;
  /// Number of samples.
  virtual uint64_t size() const = 0;
  /// One line for logs: where the samples come from and how many there are.
  virtual std::string describe() const = 0;
  /// Writes sample `index` (< size()) as SampleSpec::elements() floats into `sample` and its
  /// label into `label`. `seed` drives the sample's random augmentation (readers without one
  /// ignore it), so a sample depends on (index, seed) alone, never on the thread that loads
  /// it. A sample that cannot be read or decoded is an error naming its file.
  virtual kiln_status_t load(uint64_t index, uint64_t seed, float *sample,
                             int32_t &label) const = 0;
};

/// Options that apply to any spec.
struct DatasetOptions {
  uint64_t syntheticSamples = 1024;
  /// Image readers (jpeg:, tfrecord:, cifar10:, cifar100:) scale pixels to [0, 1], then apply
  /// (x - mean[c]) / std[c] per RGB channel.
  std::array<float, 3> channelMean = {0, 0, 0};
  std::array<float, 3> channelStd = {1, 1, 1};
  /// Subtracted from stored labels: TensorFlow's ImageNet records count classes from 1.
  int64_t labelOffset = 0;
};

/// Opens the dataset that `spec` names for `split`, checking it against `sample`:
///   idx:DIR        MNIST-style IDX files in DIR (train-* or t10k-*, raw or .gz)
///   cifar10:DIR    CIFAR-10 binaries (data_batch_1..5.bin or test_batch.bin)
///   cifar100:DIR   CIFAR-100 binaries (train.bin or test.bin, fine labels)
///   jpeg:DIR       DIR/train/<class>/*.JPEG or DIR/val/<class>/*.JPEG
///   tfrecord:GLOB  TFRecord shards of tf.Example records (image/encoded, image/class/label)
///   synthetic      fixed pseudo-random samples and labels, the same set for both splits
/// JPEG samples of the training split are augmented (random resized crop, flip), those of the
/// evaluation split resized and centre-cropped (image_transform.h).
/// An unknown spec, a missing or corrupt file, or samples of the wrong shape give a status
/// that names the spec, the file and both shapes.
kiln_status_t openDataset(const std::string &spec, Split split, const SampleSpec &sample,
                          const DatasetOptions &options, std::unique_ptr<Dataset> &out);

/// The IDX dataset of directory `dir` (see openDataset).
kiln_status_t openIdxDataset(const std::string &dir, Split split, const SampleSpec &sample,
                             std::unique_ptr<Dataset> &out);

/// The CIFAR dataset of directory `dir`; `classes` is 10 or 100 (see openDataset).
kiln_status_t openCifarDataset(const std::string &dir, int classes, Split split,
                               const SampleSpec &sample, const DatasetOptions &options,
                               std::unique_ptr<Dataset> &out);

/// The JPEG folder dataset of directory `dir` (see openDataset and jpeg_folder_dataset.cpp).
kiln_status_t openJpegFolderDataset(const std::string &dir, Split split,
                                    const SampleSpec &sample, const DatasetOptions &options,
                                    std::unique_ptr<Dataset> &out);

/// The TFRecord dataset of the shards matching `pattern` (see openDataset and
/// tfrecord_dataset.cpp).
kiln_status_t openTfRecordDataset(const std::string &pattern, Split split,
                                  const SampleSpec &sample, const DatasetOptions &options,
                                  std::unique_ptr<Dataset> &out);

/// The synthetic dataset of `samples` samples (see openDataset).
std::unique_ptr<Dataset> makeSyntheticDataset(const SampleSpec &sample, uint64_t samples);

} // namespace kiln::data

#endif // KILN_RUNTIME_SRC_DATA_DATASET_H
