//===- ModelLoader.cpp - read and validate an ONNX model with libonnx -----===//
//
// Compiled with -fexceptions: libonnx throws, this file catches. loadModel is the boundary:
// every exception, whatever its type, ends here as an error message.
//
//===----------------------------------------------------------------------===//
#include "frontends/onnx/ModelLoader.h"

#include <onnx/checker.h>
#include <onnx/shape_inference/implementation.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>

using namespace kiln::onnx_import;

namespace {

/// libonnx messages span lines ("...\n\n==> Context: Bad node spec for node. Name: ...");
/// a diagnostic wants one line.
std::string oneLine(const char *message) {
  std::string text;
  for (const char *c = message; *c; ++c) {
    if (*c != '\n') {
      text += *c;
    } else if (!text.empty() && text.back() != ' ') {
      text += ' ';
    }
  }
  while (!text.empty() && text.back() == ' ')
    text.pop_back();
  return text;
}

std::string joined(const std::set<std::string> &names) {
  std::string text;
  for (const std::string &name : names)
    text += (text.empty() ? "" : ", ") + name;
  return text.empty() ? "none" : text;
}

/// Replaces each symbolic dimension of the graph inputs by the value the user pinned; each
/// one left symbolic is an error naming the input, the dimension and the flag to use.
void pinInputDimensions(onnx::ModelProto &model, const LoadOptions &options,
                        LoadResult &result) {
  std::set<std::string> initializers, symbolicNames, usedNames;
  for (const auto &init : model.graph().initializer())
    initializers.insert(init.name());
  bool batchUsed = false;
  for (auto &input : *model.mutable_graph()->mutable_input()) {
    if (initializers.count(input.name()) || !input.type().has_tensor_type())
      continue;
    auto *tensorType = input.mutable_type()->mutable_tensor_type();
    if (!tensorType->has_shape()) {
      result.errors.push_back("input '" + input.name() +
                              "' has no shape (not even a rank); kiln compiles static shapes");
      continue;
    }
    auto *shape = tensorType->mutable_shape();
    for (int axis = 0; axis < shape->dim_size(); ++axis) {
      auto *dim = shape->mutable_dim(axis);
      if (dim->has_dim_value())
        continue;
      std::string name = dim->has_dim_param() ? dim->dim_param() : "";
      if (!name.empty())
        symbolicNames.insert(name);
      auto named = options.namedDims.find(name);
      if (!name.empty() && named != options.namedDims.end()) {
        dim->set_dim_value(named->second);
        usedNames.insert(name);
        continue;
      }
      if (axis == 0 && options.batch) {
        result.batchPinned[input.name()] = name;
        dim->set_dim_value(*options.batch);
        batchUsed = true;
        continue;
      }
      std::string hint;
      if (axis == 0)
        hint = "--batch <size>";
      if (!name.empty())
        hint += (hint.empty() ? "" : " or ") + std::string("--dim ") + name + "=<size>";
      result.errors.push_back(
          "input '" + input.name() + "' has symbolic dimension " +
          (name.empty() ? "(unnamed)" : "'" + name + "'") + " at axis " +
          std::to_string(axis) + "; kiln compiles static shapes: " +
          (hint.empty() ? "export the model with a static shape" : "pin it with " + hint));
    }
  }
  for (const auto &[name, value] : options.namedDims)
    if (!usedNames.count(name))
      result.errors.push_back("--dim " + name + "=" + std::to_string(value) +
                              ": no graph input has a symbolic dimension '" + name +
                              "' (the model's symbolic dimensions: " + joined(symbolicNames) +
                              ")");
  if (options.batch && !batchUsed && options.warnUnusedBatch)
    result.warnings.push_back("--batch " + std::to_string(*options.batch) +
                              " has no effect: no graph input has a symbolic leading "
                              "dimension left to pin");
}

/// Turns each bound graph input into an initializer holding the file's tensor, so that
/// shapes, axes and pads given as inputs become compile-time values.
void bindInputs(onnx::ModelProto &model, const LoadOptions &options, LoadResult &result) {
  auto *inputs = model.mutable_graph()->mutable_input();
  for (const auto &[name, file] : options.bindings) {
    auto input = std::find_if(inputs->begin(), inputs->end(),
                              [&](const onnx::ValueInfoProto &v) { return v.name() == name; });
    if (input == inputs->end()) {
      result.errors.push_back("--bind " + name + "=" + file + ": the model has no input '" +
                              name + "'");
      continue;
    }
    std::ifstream stream(file, std::ios::binary);
    onnx::TensorProto tensor;
    if (!stream || !tensor.ParseFromIstream(&stream)) {
      result.errors.push_back("--bind " + name + "=" + file +
                              ": cannot read an ONNX TensorProto from the file");
      continue;
    }
    tensor.set_name(name);
    *model.mutable_graph()->add_initializer() = tensor;
    inputs->erase(input);
  }
}

void loadOrThrow(const std::string &path, const LoadOptions &options, onnx::ModelProto &model,
                 LoadResult &result) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    result.errors.push_back("is a directory, not an ONNX model file");
    return;
  }
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    result.errors.push_back(std::string("cannot open the model file: ") + std::strerror(errno));
    return;
  }
  if (!model.ParseFromIstream(&file) || !model.has_graph()) {
    result.errors.push_back("not an ONNX model, or truncated (protobuf parsing failed)");
    return;
  }
  bool hasDefaultDomain = false;
  for (const auto &import : model.opset_import()) {
    if (import.domain().empty() || import.domain() == "ai.onnx") {
      hasDefaultDomain = true;
      result.opset = import.version();
    } else if (import.domain() == kTrainingDomain) {
      result.trainingOpset = import.version();
    }
  }
  if (!hasDefaultDomain && result.trainingOpset == 0) {
    result.errors.push_back("the model imports no default-domain (ai.onnx) opset");
    return;
  }
  if (result.trainingOpset != 0 && result.trainingOpset != kTrainingDomainVersion) {
    result.errors.push_back(std::string(kTrainingDomain) + " version " +
                            std::to_string(result.trainingOpset) +
                            " is not supported (kiln imports version " +
                            std::to_string(kTrainingDomainVersion) + ")");
    return;
  }
  if (hasDefaultDomain && (result.opset < kMinOpset || result.opset > kMaxOpset)) {
    result.errors.push_back("default-domain opset " + std::to_string(result.opset) +
                            " is not supported (kiln imports opsets " +
                            std::to_string(kMinOpset) + " to " + std::to_string(kMaxOpset) +
                            ")");
    return;
  }
  bindInputs(model, options, result);
  if (!result.errors.empty())
    return;
  try {
    onnx::checker::check_model(model);
  } catch (const std::exception &e) {
    result.errors.push_back("ONNX checker: " + oneLine(e.what()));
    return;
  }
  pinInputDimensions(model, options, result);
  if (!result.errors.empty())
    return;
  try {
    onnx::ShapeInferenceOptions inference(/*check_type_val=*/true, /*strict_mode_val=*/1,
                                          /*data_prop_val=*/false);
    onnx::shape_inference::InferShapes(model, onnx::OpSchemaRegistry::Instance(), inference);
  } catch (const std::exception &e) {
    result.errors.push_back("ONNX shape inference: " + oneLine(e.what()));
  }
}

} // namespace

LoadResult kiln::onnx_import::loadModel(const std::string &path, const LoadOptions &options,
                                        onnx::ModelProto &model) {
  LoadResult result;
  try {
    loadOrThrow(path, options, model, result);
  } catch (const std::bad_alloc &) {
    result.errors.push_back("out of memory while reading the model");
  } catch (const std::exception &e) {
    result.errors.push_back(std::string("reading the model failed: ") + oneLine(e.what()));
  } catch (...) {
    result.errors.push_back("reading the model failed with an unknown exception");
  }
  return result;
}
