//===- ModelLoader.h - read and validate an ONNX model with libonnx -------===//
//
// The only part of the importer that calls into libonnx's checker and shape inference, which
// report errors by throwing C++ exceptions. ModelLoader.cpp is compiled with exceptions and
// turns each one into an error string; nothing thrown crosses into MLIR code.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_FRONTENDS_ONNX_MODELLOADER_H
#define KILN_FRONTENDS_ONNX_MODELLOADER_H

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace kiln::onnx_import {

struct LoadOptions {
  /// Pins the symbolic leading dimension of every graph input.
  std::optional<int64_t> batch;
  /// Whether a `batch` that pins nothing is worth a warning (not when kilnc chose it).
  bool warnUnusedBatch = true;
  /// Pins symbolic dimensions by dim_param name; wins over `batch`.
  std::map<std::string, int64_t> namedDims;
  /// Graph inputs frozen to the tensor in a TensorProto file: they become initializers.
  std::map<std::string, std::string> bindings;
};

/// The oldest and newest default-domain opsets the importer accepts.
constexpr int64_t kMinOpset = 7;
constexpr int64_t kMaxOpset = 17;
/// ONNX's training operators (Gradient, Momentum, Adam, Adagrad) and the one version of
/// their domain that exists.
constexpr const char *kTrainingDomain = "ai.onnx.preview.training";
constexpr int64_t kTrainingDomainVersion = 1;

struct LoadResult {
  /// The model's default-domain opset; 0 when the model imports none (a graph of
  /// ai.onnx.preview.training ops only).
  int64_t opset = 0;
  /// The model's ai.onnx.preview.training version; 0 when it imports none.
  int64_t trainingOpset = 0;
  /// One message per problem, without the file name (the caller adds it). Empty on success.
  std::vector<std::string> errors;
  std::vector<std::string> warnings;
  /// Each graph input whose symbolic leading dimension `batch` pinned, and that dimension's
  /// dim_param ("" if it had none).
  std::map<std::string, std::string> batchPinned;
};

/// Parses `path`, checks the opset, binds inputs, runs ONNX's checker, pins symbolic input
/// dimensions and runs ONNX's strict shape inference, which fills `model`'s value_info.
LoadResult loadModel(const std::string &path, const LoadOptions &options,
                     onnx::ModelProto &model);

} // namespace kiln::onnx_import

#endif // KILN_FRONTENDS_ONNX_MODELLOADER_H
