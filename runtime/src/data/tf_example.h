//===- tf_example.h - the image fields of a tf.Example record -------------===//
#ifndef KILN_RUNTIME_SRC_DATA_TF_EXAMPLE_H
#define KILN_RUNTIME_SRC_DATA_TF_EXAMPLE_H

#include "kiln/runtime.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace kiln::data {

/// An object's box in coordinates relative to the image size, as the COCO scripts store it.
struct BoundingBox {
  float xmin = 0, ymin = 0, xmax = 0, ymax = 0;
};

/// What the ImageNet and COCO preprocessing scripts of TensorFlow put in a tf.Example:
/// image/encoded, image/class/label (ImageNet), image/object/bbox/{xmin,ymin,xmax,ymax} and
/// image/object/class/label (COCO; ImageNet's scripts store boxes too).
struct ExampleImage {
  std::string encoded;
  std::optional<int64_t> label;
  std::vector<BoundingBox> boxes;
  std::vector<int64_t> objectLabels;
};

/// Parses the serialised tf.Example `record`; `name` ("FILE record N") starts every message.
/// Unparseable bytes, a missing or empty image/encoded, a feature of the wrong kind, or box
/// coordinate lists of different lengths are DATA_ERRORs.
kiln_status_t parseExampleImage(const std::string &record, const std::string &name,
                                ExampleImage &out);

} // namespace kiln::data

#endif // KILN_RUNTIME_SRC_DATA_TF_EXAMPLE_H
