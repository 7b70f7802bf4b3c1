//===- onnx_export.cpp - trained weights back into the ONNX model ---------===//
//
// Parameters keep their ONNX initializer names through kilnc (abi.h), so exporting is a
// lookup by name: everything else in the model (graph, opsets, metadata) is kept as it was.
//
//===----------------------------------------------------------------------===//
#include "onnx_export.h"

#include "../files.h"
#include "../internal.h"

#include <onnx/onnx_pb.h>

#include <fstream>
#include <map>

using namespace kiln::runtime;

namespace {

kiln_status_t readModel(const std::string &path, onnx::ModelProto &model) {
  KILN_RETURN_IF_ERROR(checkRegularFile(path, "the ONNX model to export into"));
  std::ifstream file(path, std::ios::binary);
  if (!file || !model.ParseFromIstream(&file))
    return makeStatus(KILN_STATUS_DATA_ERROR, path + ": not an ONNX model, or truncated");
  return nullptr;
}

/// kilnc imports `Identity(initializer)` outputs (PyTorch's exporter shares equal initializers
/// that way) as parameters of their own. Each such output becomes an initializer again, a copy
/// of its source, and its Identity node goes, so that it can receive its own trained values.
void splitSharedInitializers(onnx::GraphProto &graph) {
  std::map<std::string, const onnx::TensorProto *> byName;
  for (const onnx::TensorProto &tensor : graph.initializer())
    byName[tensor.name()] = &tensor;
  std::vector<onnx::TensorProto> copies;
  auto *nodes = graph.mutable_node();
  for (int i = nodes->size() - 1; i >= 0; --i) {
    const onnx::NodeProto &node = nodes->Get(i);
    if (node.op_type() != "Identity" || node.input_size() != 1 || node.output_size() != 1)
      continue;
    auto source = byName.find(node.input(0));
    if (source == byName.end() || byName.count(node.output(0)))
      continue;
    onnx::TensorProto copy = *source->second;
    copy.set_name(node.output(0));
    copies.push_back(std::move(copy));
    nodes->DeleteSubrange(i, 1);
  }
  for (onnx::TensorProto &copy : copies)
    *graph.add_initializer() = std::move(copy);
}

} // namespace

kiln_status_t kiln::train::exportToOnnx(const std::string &modelPath,
                                        const std::string &outPath, kiln_session_t *session,
                                        const TrainingArtifact &artifact) {
  onnx::ModelProto model;
  KILN_RETURN_IF_ERROR(readModel(modelPath, model));
  splitSharedInitializers(*model.mutable_graph());
  std::map<std::string, onnx::TensorProto *> initializers;
  for (onnx::TensorProto &tensor : *model.mutable_graph()->mutable_initializer())
    initializers[tensor.name()] = &tensor;

  std::string problems;
  for (uint32_t index : artifact.persistent) {
    kiln_buffer_info_t info = kiln_artifact_buffer_info(artifact.artifact, index);
    if (info.role != KILN_ROLE_PARAMETER && info.role != KILN_ROLE_STATE)
      continue;
    auto found = initializers.find(info.name);
    if (found == initializers.end()) {
      problems += std::string("\n  ") + info.name + ": no initializer of that name";
      continue;
    }
    onnx::TensorProto &tensor = *found->second;
    uint64_t count = info.byte_size / kiln_dtype_size(info.dtype), dimsCount = 1;
    for (int64_t dim : tensor.dims())
      dimsCount *= static_cast<uint64_t>(dim);
    if (tensor.data_type() != onnx::TensorProto::FLOAT) {
      problems += std::string("\n  ") + info.name + ": the initializer is not float32";
      continue;
    }
    if (dimsCount != count) {
      problems += std::string("\n  ") + info.name + ": the initializer has " +
                  std::to_string(dimsCount) + " elements, the buffer " + std::to_string(count);
      continue;
    }
    std::vector<float> values(count);
    const void *data = kiln_session_buffer_data(session, index);
    for (uint64_t i = 0; i < count; ++i)
      values[i] = static_cast<float>(kiln_element_load(info.dtype, data, i));
    tensor.clear_float_data();
    tensor.clear_external_data();
    tensor.clear_data_location();
    tensor.set_raw_data(values.data(), values.size() * sizeof(float));
  }
  if (!problems.empty())
    return makeStatus(KILN_STATUS_DATA_ERROR,
                      modelPath + ": cannot export the trained weights into this model:" +
                          problems);
  std::string bytes;
  if (!model.SerializeToString(&bytes))
    return makeStatus(KILN_STATUS_INTERNAL, outPath + ": cannot serialise the ONNX model");
  return writeFileAtomically(outPath, bytes, "ONNX model");
}
