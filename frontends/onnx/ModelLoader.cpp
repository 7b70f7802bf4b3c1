//===- ModelLoader.cpp - read and validate an ONNX model with libonnx -----===//
//
// Compiled with -fexceptions: libonnx throws, this file catches.
//
//===----------------------------------------------------------------------===//
#include "frontends/onnx/ModelLoader.h"

#include <onnx/checker.h>
#include <onnx/shape_inference/implementation.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

using namespace kiln::onnx_import;

namespace {

/// libonnx messages end in newlines and blank lines; one diagnostic wants one trimmed text.
std::string trimmed(const char *message) {
  std::string text(message);
  while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
    text.pop_back();
  return text;
}

/// Replaces each symbolic dimension of the graph inputs by the value the user pinned.
bool pinInputDimensions(onnx::ModelProto &model, const LoadOptions &options,
                        std::vector<std::string> &errors) {
  std::set<std::string> initializers;
  for (const auto &init : model.graph().initializer())
    initializers.insert(init.name());
  for (auto &input : *model.mutable_graph()->mutable_input()) {
    if (initializers.count(input.name()) || !input.type().has_tensor_type())
      continue;
    auto *tensorType = input.mutable_type()->mutable_tensor_type();
    if (!tensorType->has_shape()) {
      errors.push_back("input '" + input.name() + "' has no shape; kiln needs ranked inputs");
      continue;
    }
    auto *shape = tensorType->mutable_shape();
    for (int axis = 0; axis < shape->dim_size(); ++axis) {
      auto *dim = shape->mutable_dim(axis);
      if (dim->has_dim_value())
        continue;
      std::string name = dim->has_dim_param() ? dim->dim_param() : "";
      auto named = options.namedDims.find(name);
      if (!name.empty() && named != options.namedDims.end()) {
        dim->set_dim_value(named->second);
      } else if (axis == 0 && options.batch) {
        dim->set_dim_value(*options.batch);
      } else {
        std::string label = name.empty() ? "unnamed" : "'" + name + "'";
        std::string hint = axis == 0 ? "--batch N" : "";
        if (!name.empty())
          hint += std::string(hint.empty() ? "" : " or ") + "--dim " + name + "=N";
        hint = hint.empty() ? "give the model a static shape" : "pin it with " + hint;
        errors.push_back("input '" + input.name() + "' has symbolic dimension " + label +
                         " at axis " + std::to_string(axis) + ": " + hint);
      }
    }
  }
  return errors.empty();
}

/// Turns each bound graph input into an initializer holding the file's tensor, so that
/// shapes, axes and pads given as inputs become compile-time values.
bool bindInputs(onnx::ModelProto &model, const LoadOptions &options,
                std::vector<std::string> &errors) {
  auto *inputs = model.mutable_graph()->mutable_input();
  for (const auto &[name, file] : options.bindings) {
    auto input = std::find_if(inputs->begin(), inputs->end(),
                              [&](const onnx::ValueInfoProto &v) { return v.name() == name; });
    if (input == inputs->end()) {
      errors.push_back("--bind " + name + "=...: the model has no input '" + name + "'");
      continue;
    }
    std::ifstream stream(file, std::ios::binary);
    std::stringstream contents;
    contents << stream.rdbuf();
    onnx::TensorProto tensor;
    if (!stream || !tensor.ParseFromString(contents.str())) {
      errors.push_back("--bind " + name + "=" + file +
                       ": cannot read an ONNX TensorProto from the file");
      continue;
    }
    tensor.set_name(name);
    *model.mutable_graph()->add_initializer() = tensor;
    inputs->erase(input);
  }
  return errors.empty();
}

} // namespace

bool kiln::onnx_import::loadModel(const std::string &path, const LoadOptions &options,
                                  onnx::ModelProto &model, int64_t &opset,
                                  std::vector<std::string> &errors) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    errors.push_back("cannot open the model file");
    return false;
  }
  std::stringstream contents;
  contents << file.rdbuf();
  if (!model.ParseFromString(contents.str()) || !model.has_graph()) {
    errors.push_back("not an ONNX model, or truncated (protobuf parsing failed)");
    return false;
  }
  opset = -1;
  for (const auto &import : model.opset_import())
    if (import.domain().empty() || import.domain() == "ai.onnx")
      opset = import.version();
  if (opset < kMinOpset || opset > kMaxOpset) {
    errors.push_back("default-domain opset " + std::to_string(opset) +
                     " is not supported (kiln imports opsets " + std::to_string(kMinOpset) +
                     " to " + std::to_string(kMaxOpset) + ")");
    return false;
  }
  if (!bindInputs(model, options, errors))
    return false;
  try {
    onnx::checker::check_model(model);
  } catch (const std::exception &e) {
    errors.push_back("ONNX checker: " + trimmed(e.what()));
    return false;
  }
  if (!pinInputDimensions(model, options, errors))
    return false;
  try {
    onnx::ShapeInferenceOptions inference(/*check_type=*/true, /*strict_mode=*/1,
                                          /*data_prop=*/false);
    onnx::shape_inference::InferShapes(model, onnx::OpSchemaRegistry::Instance(), inference);
  } catch (const std::exception &e) {
    errors.push_back("ONNX shape inference: " + trimmed(e.what()));
    return false;
  }
  return true;
}
