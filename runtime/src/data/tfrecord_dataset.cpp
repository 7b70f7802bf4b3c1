//===- tfrecord_dataset.cpp - images and labels from TFRecord shards ------===//
//
// tfrecord:GLOB names the shards (train-00000-of-01024 ...), read in sorted order; sample i is
// the i-th record across them. Opening indexes every shard's framing; a record is read, its
// CRC checked, parsed and decoded when it is loaded. The classification driver needs
// image/class/label; records without one (COCO's) fail to load with a message saying so.
//
//===----------------------------------------------------------------------===//
#include "dataset.h"
#include "image_transform.h"
#include "tf_example.h"
#include "tfrecord_file.h"

#include "../internal.h"

#include <glob.h>

#include <algorithm>

using namespace kiln::runtime;
using namespace kiln::data;

namespace {

kiln_status_t expandGlob(const std::string &pattern, std::vector<std::string> &out) {
  glob_t matches;
  int result = glob(pattern.c_str(), GLOB_ERR, nullptr, &matches);
  if (result == 0)
    for (size_t i = 0; i < matches.gl_pathc; ++i)
      out.push_back(matches.gl_pathv[i]);
  globfree(&matches);
  if (result == GLOB_NOMATCH || (result == 0 && out.empty()))
    return makeStatus(KILN_STATUS_NOT_FOUND, pattern + ": no file matches (tfrecord:GLOB names "
                                                       "TFRecord shards, e.g. DIR/train-*)");
  if (result != 0)
    return makeStatus(KILN_STATUS_IO_ERROR, pattern + ": cannot list the files it matches");
  std::sort(out.begin(), out.end());
  return nullptr;
}

class TfRecordDataset final : public Dataset {
public:
  TfRecordDataset(std::string pattern, std::vector<std::unique_ptr<TfRecordFile>> files,
                  const ImageTransform &transform, int64_t classes, int64_t labelOffset)
      : pattern(std::move(pattern)), files(std::move(files)), transform(transform),
        classes(classes), labelOffset(labelOffset) {
    uint64_t total = 0;
    for (const auto &file : this->files)
      firstRecord.push_back(total += file->records());
  }

  uint64_t size() const override { return firstRecord.empty() ? 0 : firstRecord.back(); }

  std::string describe() const override {
    return pattern + " (" + std::to_string(size()) + " records in " +
           std::to_string(files.size()) + (files.size() == 1 ? " file, " : " files, ") +
           (transform.augment ? "augmented" : "centre-cropped") + " to " +
           std::to_string(transform.width) + "x" + std::to_string(transform.height) + ")";
  }

  kiln_status_t load(uint64_t index, uint64_t seed, float *sample,
                     int32_t &label) const override {
    // firstRecord holds each file's end: the file is the first whose end exceeds index.
    size_t file = static_cast<size_t>(
        std::upper_bound(firstRecord.begin(), firstRecord.end(), index) - firstRecord.begin());
    size_t record = static_cast<size_t>(index - (file ? firstRecord[file - 1] : 0));
    std::string name = files[file]->path() + " record " + std::to_string(record);
    thread_local std::string bytes;
    thread_local ExampleImage example;
    KILN_RETURN_IF_ERROR(files[file]->read(record, bytes));
    KILN_RETURN_IF_ERROR(parseExampleImage(bytes, name, example));
    if (!example.label)
      return makeStatus(KILN_STATUS_DATA_ERROR,
                        name + ": no image/class/label (a detection record? classification "
                               "training needs a class label per image)");
    int64_t value = *example.label - labelOffset;
    if (value < 0 || value >= classes)
      return makeStatus(KILN_STATUS_DATA_ERROR,
                        name + ": image/class/label " + std::to_string(*example.label) +
                            (labelOffset ? " - " + std::to_string(labelOffset) : std::string()) +
                            " is not in [0, " + std::to_string(classes) +
                            ") (--label-offset 1 for labels that count from 1)");
    KILN_RETURN_IF_ERROR(transformJpeg(reinterpret_cast<const uint8_t *>(example.encoded.data()),
                                       example.encoded.size(), name, transform, seed, sample));
    label = static_cast<int32_t>(value);
    return nullptr;
  }

private:
  std::string pattern;
  std::vector<std::unique_ptr<TfRecordFile>> files;
  std::vector<uint64_t> firstRecord; // the running total of records after each file
  ImageTransform transform;
  int64_t classes, labelOffset;
};

} // namespace

kiln_status_t kiln::data::openTfRecordDataset(const std::string &pattern, Split split,
                                              const SampleSpec &sample,
                                              const DatasetOptions &options,
                                              std::unique_ptr<Dataset> &out) {
  std::vector<std::string> paths;
  KILN_RETURN_IF_ERROR(expandGlob(pattern, paths));
  ImageTransform transform;
  KILN_RETURN_IF_ERROR(imageTransformFor(sample, options, split == Split::Train, pattern, transform));
  std::vector<std::unique_ptr<TfRecordFile>> files;
  for (const std::string &path : paths) {
    files.emplace_back();
    KILN_RETURN_IF_ERROR(TfRecordFile::open(path, files.back()));
  }
  auto dataset = std::make_unique<TfRecordDataset>(pattern, std::move(files), transform,
                                                   sample.classes, options.labelOffset);
  if (dataset->size() == 0)
    return makeStatus(KILN_STATUS_DATA_ERROR, pattern + ": the files it matches hold no records");
  out = std::move(dataset);
  return nullptr;
}
