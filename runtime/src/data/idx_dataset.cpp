//===- idx_dataset.cpp - MNIST / Fashion-MNIST from a directory of IDX files ===//
//
// DIR holds {train,t10k}-images-idx3-ubyte and {train,t10k}-labels-idx1-ubyte, each raw or
// gzipped (.gz), as the datasets are distributed. Pixels become floats in [0, 1]; anything
// more (--normalize) is the loader's business, not the reader's.
//
//===----------------------------------------------------------------------===//
#include "dataset.h"
#include "idx_file.h"

#include "../internal.h"

#include <sys/stat.h>

using namespace kiln::runtime;

namespace {

bool isFile(const std::string &path) {
  struct stat info;
  return stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode);
}

/// DIR/NAME if it exists, else DIR/NAME.gz, else an error naming both.
kiln_status_t findIdxFile(const std::string &dir, const std::string &name, std::string &out) {
  for (const char *suffix : {"", ".gz"}) {
    out = dir + "/" + name + suffix;
    if (isFile(out))
      return nullptr;
  }
  return makeStatus(KILN_STATUS_NOT_FOUND,
                    dir + ": no " + name + " or " + name + ".gz (an idx: directory holds "
                          "the MNIST-style train-* and t10k-* image and label files)");
}

std::string dimsText(const std::vector<uint32_t> &dims) {
  std::string text;
  for (size_t i = 1; i < dims.size(); ++i)
    text += (i > 1 ? "x" : "") + std::to_string(dims[i]);
  return text;
}

/// Whether images of `dims` ([N, H, W]) fit samples of `shape` ([1, H, W] or [H, W]).
bool imagesFit(const std::vector<uint32_t> &dims, const std::vector<int64_t> &shape) {
  if (shape.size() == 3 && shape[0] == 1)
    return shape[1] == dims[1] && shape[2] == dims[2];
  return shape.size() == 2 && shape[0] == dims[1] && shape[1] == dims[2];
}

class IdxDataset final : public kiln::data::Dataset {
public:
  IdxDataset(std::string imagesPath, kiln::data::IdxArray images, kiln::data::IdxArray labels)
      : imagesPath(std::move(imagesPath)), images(std::move(images)),
        labels(std::move(labels)) {}

  uint64_t size() const override { return labels.dims[0]; }

  std::string describe() const override {
    return imagesPath + " (" + std::to_string(size()) + " images, " + dimsText(images.dims) +
           ")";
  }

  kiln_status_t load(uint64_t index, uint64_t, float *sample, int32_t &label) const override {
    uint64_t pixels = uint64_t{images.dims[1]} * images.dims[2];
    const uint8_t *image = images.bytes.data() + index * pixels;
    for (uint64_t i = 0; i < pixels; ++i)
      sample[i] = static_cast<float>(image[i]) / 255.0f;
    label = labels.bytes[index];
    return nullptr;
  }

private:
  std::string imagesPath;
  kiln::data::IdxArray images, labels;
};

} // namespace

kiln_status_t kiln::data::openIdxDataset(const std::string &dir, Split split,
                                         const SampleSpec &sample,
                                         std::unique_ptr<Dataset> &out) {
  std::string prefix = split == Split::Train ? "train" : "t10k";
  std::string imagesPath, labelsPath;
  KILN_RETURN_IF_ERROR(findIdxFile(dir, prefix + "-images-idx3-ubyte", imagesPath));
  KILN_RETURN_IF_ERROR(findIdxFile(dir, prefix + "-labels-idx1-ubyte", labelsPath));
  IdxArray images, labels;
  KILN_RETURN_IF_ERROR(readIdxFile(imagesPath, images));
  KILN_RETURN_IF_ERROR(readIdxFile(labelsPath, labels));
  if (images.dims.size() != 3)
    return makeStatus(KILN_STATUS_DATA_ERROR,
                      imagesPath + ": an image file has 3 dimensions (count, rows, columns), "
                                   "this one has " + std::to_string(images.dims.size()));
  if (labels.dims.size() != 1)
    return makeStatus(KILN_STATUS_DATA_ERROR,
                      labelsPath + ": a label file has 1 dimension, this one has " +
                          std::to_string(labels.dims.size()));
  if (images.dims[0] != labels.dims[0])
    return makeStatus(KILN_STATUS_DATA_ERROR,
                      imagesPath + " holds " + std::to_string(images.dims[0]) + " images but " +
                          labelsPath + " holds " + std::to_string(labels.dims[0]) + " labels");
  if (!imagesFit(images.dims, sample.shape))
    return makeStatus(KILN_STATUS_DATA_ERROR,
                      imagesPath + " holds " + dimsText(images.dims) +
                          " images, but the artifact's input '" + sample.inputName +
                          "' takes samples of shape " +
                          shapeString(sample.shape.data(),
                                      static_cast<uint32_t>(sample.shape.size())) +
                          " (B x 1 x H x W or B x H x W)");
  for (uint64_t i = 0; i < labels.bytes.size(); ++i)
    if (labels.bytes[i] >= sample.classes)
      return makeStatus(KILN_STATUS_DATA_ERROR,
                        labelsPath + ": label " + std::to_string(labels.bytes[i]) +
                            " of item " + std::to_string(i) + " is not below the model's " +
                            std::to_string(sample.classes) + " classes");
  out = std::make_unique<IdxDataset>(imagesPath, std::move(images), std::move(labels));
  return nullptr;
}
