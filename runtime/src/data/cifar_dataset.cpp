//===- cifar_dataset.cpp - CIFAR-10 and CIFAR-100 binaries ----------------===//
//
// The "binary version" of CIFAR: fixed-size records of the label byte(s) and 3072 pixel
// bytes, 32 x 32 red, then green, then blue. CIFAR-10 records have one label; CIFAR-100
// records have the coarse label and then the fine one, which is the one used here. DIR may be
// the folder the archive unpacks to (cifar-10-batches-bin, cifar-100-binary) or its parent.
//
//===----------------------------------------------------------------------===//
#include "dataset.h"

#include "../internal.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

using namespace kiln::runtime;
using namespace kiln::data;

namespace {

constexpr int kSide = 32;
constexpr size_t kPixels = kSide * kSide * 3;

/// What differs between the two CIFARs.
struct CifarKind {
  const char *name, *folder;
  std::vector<std::string> trainFiles, evalFiles;
  size_t labelBytes; // the label used is the last of these
};

CifarKind cifarKind(int classes) {
  if (classes == 10)
    return {"CIFAR-10", "cifar-10-batches-bin",
            {"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin",
             "data_batch_5.bin"},
            {"test_batch.bin"}, 1};
  return {"CIFAR-100", "cifar-100-binary", {"train.bin"}, {"test.bin"}, 2};
}

bool isFile(const std::string &path) {
  struct stat info;
  return stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode);
}

kiln_status_t readRecords(const std::string &path, const CifarKind &kind,
                          std::vector<uint8_t> &records) {
  FILE *file = std::fopen(path.c_str(), "rb");
  if (!file)
    return makeStatus(errno == ENOENT ? KILN_STATUS_NOT_FOUND : KILN_STATUS_IO_ERROR,
                      path + ": cannot open " + kind.name + " file: " + std::strerror(errno));
  size_t start = records.size();
  uint8_t chunk[1 << 16];
  size_t read = 0;
  while ((read = std::fread(chunk, 1, sizeof(chunk), file)) > 0)
    records.insert(records.end(), chunk, chunk + read);
  bool failed = std::ferror(file) != 0;
  std::fclose(file);
  if (failed)
    return makeStatus(KILN_STATUS_IO_ERROR, path + ": read error");
  size_t bytes = records.size() - start, record = kind.labelBytes + kPixels;
  if (bytes == 0 || bytes % record != 0)
    return makeStatus(KILN_STATUS_DATA_ERROR,
                      path + ": " + std::to_string(bytes) + " bytes are not a whole number of " +
                          std::to_string(record) + "-byte " + kind.name +
                          " records (truncated or not a " + kind.name + " binary file?)");
  return nullptr;
}

class CifarDataset final : public Dataset {
public:
  CifarDataset(std::string source, std::vector<uint8_t> records, size_t labelBytes, bool chw,
               const DatasetOptions &options)
      : source(std::move(source)), records(std::move(records)), labelBytes(labelBytes),
        chw(chw) {
    for (int c = 0; c < 3; ++c) {
      scale[c] = 1.0f / (255.0f * options.channelStd[c]);
      bias[c] = -options.channelMean[c] / options.channelStd[c];
    }
  }

  uint64_t size() const override { return records.size() / (labelBytes + kPixels); }

  std::string describe() const override {
    return source + " (" + std::to_string(size()) + " images, 32x32 RGB)";
  }

  kiln_status_t load(uint64_t index, uint64_t, float *sample, int32_t &label) const override {
    const uint8_t *record = records.data() + index * (labelBytes + kPixels);
    label = record[labelBytes - 1];
    const uint8_t *planes = record + labelBytes;
    const size_t plane = kSide * kSide;
    for (size_t c = 0; c < 3; ++c)
      for (size_t i = 0; i < plane; ++i)
        sample[chw ? c * plane + i : i * 3 + c] = planes[c * plane + i] * scale[c] + bias[c];
    return nullptr;
  }

private:
  std::string source;
  std::vector<uint8_t> records;
  size_t labelBytes;
  bool chw;
  float scale[3], bias[3];
};

} // namespace

kiln_status_t kiln::data::openCifarDataset(const std::string &dir, int classes, Split split,
                                           const SampleSpec &sample,
                                           const DatasetOptions &options,
                                           std::unique_ptr<Dataset> &out) {
  CifarKind kind = cifarKind(classes);
  const std::vector<std::string> &files = split == Split::Train ? kind.trainFiles : kind.evalFiles;
  std::string folder = dir;
  if (!isFile(folder + "/" + files[0]) && isFile(folder + "/" + kind.folder + "/" + files[0]))
    folder += std::string("/") + kind.folder;
  const std::vector<int64_t> &shape = sample.shape;
  bool chw = shape == std::vector<int64_t>{3, kSide, kSide};
  if (!chw && shape != std::vector<int64_t>{kSide, kSide, 3})
    return makeStatus(KILN_STATUS_DATA_ERROR,
                      dir + " holds " + kind.name + " images (3x32x32), but the artifact's input '" +
                          sample.inputName + "' takes samples of shape " +
                          shapeString(shape.data(), static_cast<uint32_t>(shape.size())) +
                          " (B x 3 x 32 x 32 or B x 32 x 32 x 3)");
  std::vector<uint8_t> records;
  for (const std::string &name : files) {
    std::string path = folder + "/" + name;
    if (!isFile(path))
      return makeStatus(KILN_STATUS_NOT_FOUND,
                        path + ": no such file (a " + std::string(kind.name) +
                            " directory holds the binary version's " + files[0] +
                            (files.size() > 1 ? " ... " + files.back() : std::string()) + ")");
    size_t before = records.size();
    KILN_RETURN_IF_ERROR(readRecords(path, kind, records));
    size_t record = kind.labelBytes + kPixels;
    for (size_t at = before; at < records.size(); at += record) {
      int label = records[at + kind.labelBytes - 1];
      if (label >= classes || label >= sample.classes)
        return makeStatus(KILN_STATUS_DATA_ERROR,
                          path + ": label " + std::to_string(label) + " of record " +
                              std::to_string((at - before) / record) + " is not below " +
                              (label >= classes ? std::string(kind.name) + "'s " +
                                                      std::to_string(classes)
                                                : "the model's " + std::to_string(sample.classes)) +
                              " classes");
    }
  }
  std::string source = folder + "/" + (files.size() > 1 ? "data_batch_{1..5}.bin" : files[0]);
  out = std::make_unique<CifarDataset>(source, std::move(records), kind.labelBytes, chw, options);
  return nullptr;
}
