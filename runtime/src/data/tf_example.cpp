//===- tf_example.cpp - the image fields of a tf.Example record -----------===//
#include "tf_example.h"

#include "../internal.h"

#include "tf_example.pb.h"

using namespace kiln::runtime;
namespace pb = kiln::tfexample;

namespace {

using FeatureMap = google::protobuf::Map<std::string, pb::Feature>;

/// The feature `key` if present; an error if it is there with another kind than `kind`.
kiln_status_t findFeature(const FeatureMap &features, const char *key, pb::Feature::KindCase kind,
                          const std::string &name, const pb::Feature *&out) {
  out = nullptr;
  auto found = features.find(key);
  if (found == features.end() || found->second.kind_case() == pb::Feature::KIND_NOT_SET)
    return nullptr;
  if (found->second.kind_case() != kind) {
    const char *expected = kind == pb::Feature::kBytesList   ? "bytes_list"
                           : kind == pb::Feature::kInt64List ? "int64_list"
                                                             : "float_list";
    return makeStatus(KILN_STATUS_DATA_ERROR,
                      name + ": feature '" + key + "' is not a " + expected);
  }
  out = &found->second;
  return nullptr;
}

kiln_status_t floats(const FeatureMap &features, const char *key, const std::string &name,
                     std::vector<float> &out) {
  const pb::Feature *feature = nullptr;
  KILN_RETURN_IF_ERROR(findFeature(features, key, pb::Feature::kFloatList, name, feature));
  out.clear();
  if (feature)
    out.assign(feature->float_list().value().begin(), feature->float_list().value().end());
  return nullptr;
}

} // namespace

kiln_status_t kiln::data::parseExampleImage(const std::string &record, const std::string &name,
                                            ExampleImage &out) {
  thread_local pb::Example example;
  if (!example.ParseFromString(record))
    return makeStatus(KILN_STATUS_DATA_ERROR, name + ": not a tf.Example protocol buffer");
  const FeatureMap &features = example.features().feature();
  const pb::Feature *feature = nullptr;
  KILN_RETURN_IF_ERROR(findFeature(features, "image/encoded", pb::Feature::kBytesList, name, feature));
  if (!feature || feature->bytes_list().value_size() == 0 ||
      feature->bytes_list().value(0).empty())
    return makeStatus(KILN_STATUS_DATA_ERROR, name + ": no image/encoded bytes");
  // The image is the bulk of the record: take it rather than copy it.
  out.encoded.swap(*example.mutable_features()
                        ->mutable_feature()
                        ->at("image/encoded")
                        .mutable_bytes_list()
                        ->mutable_value(0));
  KILN_RETURN_IF_ERROR(findFeature(features, "image/class/label", pb::Feature::kInt64List, name, feature));
  out.label.reset();
  if (feature && feature->int64_list().value_size() > 0)
    out.label = feature->int64_list().value(0);
  std::vector<float> xmin, ymin, xmax, ymax;
  KILN_RETURN_IF_ERROR(floats(features, "image/object/bbox/xmin", name, xmin));
  KILN_RETURN_IF_ERROR(floats(features, "image/object/bbox/ymin", name, ymin));
  KILN_RETURN_IF_ERROR(floats(features, "image/object/bbox/xmax", name, xmax));
  KILN_RETURN_IF_ERROR(floats(features, "image/object/bbox/ymax", name, ymax));
  if (ymin.size() != xmin.size() || xmax.size() != xmin.size() || ymax.size() != xmin.size())
    return makeStatus(KILN_STATUS_DATA_ERROR,
                      name + ": image/object/bbox/{xmin,ymin,xmax,ymax} have different lengths (" +
                          std::to_string(xmin.size()) + ", " + std::to_string(ymin.size()) +
                          ", " + std::to_string(xmax.size()) + ", " +
                          std::to_string(ymax.size()) + ")");
  out.boxes.resize(xmin.size());
  for (size_t i = 0; i < xmin.size(); ++i)
    out.boxes[i] = {xmin[i], ymin[i], xmax[i], ymax[i]};
  KILN_RETURN_IF_ERROR(findFeature(features, "image/object/class/label", pb::Feature::kInt64List,
                                   name, feature));
  out.objectLabels.clear();
  if (feature)
    out.objectLabels.assign(feature->int64_list().value().begin(),
                            feature->int64_list().value().end());
  return nullptr;
}
