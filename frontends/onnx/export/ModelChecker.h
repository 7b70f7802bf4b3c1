//===- ModelChecker.h - check an exported model with libonnx ---------------===//
//
// The only part of the exporter that calls libonnx's checker and shape inference, which
// report errors by throwing C++ exceptions; ModelChecker.cpp is compiled with exceptions
// and turns each one into an error string.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_FRONTENDS_ONNX_EXPORT_MODELCHECKER_H
#define KILN_FRONTENDS_ONNX_EXPORT_MODELCHECKER_H

#include <onnx/onnx_pb.h>

#include <map>
#include <string>

namespace kiln::onnx_export {

struct CheckResult {
  /// Empty when the model passed ONNX's checker and strict shape inference.
  std::string error;
  /// What shape inference says every named value is (graph inputs, node outputs, graph
  /// outputs).
  std::map<std::string, onnx::TypeProto> types;
};

/// Runs ONNX's checker on `model` and strict shape inference on a copy of its graph in which
/// the parameters are typed inputs without data (the model itself is left without inferred
/// value_info: readers infer shapes themselves).
CheckResult checkModel(const onnx::ModelProto &model);

} // namespace kiln::onnx_export

#endif // KILN_FRONTENDS_ONNX_EXPORT_MODELCHECKER_H
