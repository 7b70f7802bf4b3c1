//===- ModelChecker.cpp - check an exported model with libonnx -------------===//
//
// Compiled with -fexceptions: libonnx throws, this file catches. checkModel is the boundary:
// every exception, whatever its type, ends here as an error message.
//
//===----------------------------------------------------------------------===//
#include "frontends/onnx/export/ModelChecker.h"

#include <onnx/checker.h>
#include <onnx/shape_inference/implementation.h>

using namespace kiln::onnx_export;

namespace {

/// libonnx messages span lines; a diagnostic wants one.
std::string oneLine(const std::string &message) {
  std::string text;
  for (char c : message) {
    if (c != '\n')
      text += c;
    else if (!text.empty() && text.back() != ' ')
      text += ' ';
  }
  while (!text.empty() && text.back() == ' ')
    text.pop_back();
  return text;
}

void checkOrThrow(const onnx::ModelProto &model, CheckResult &result) {
  try {
    onnx::checker::check_model(model);
  } catch (const std::exception &e) {
    result.error = "ONNX checker: " + oneLine(e.what());
    return;
  }
  // Shape inference reads the initializers' types, not their values (shapes and axes are
  // Constant nodes), so the copy it works on leaves the parameters' data out.
  onnx::ModelProto inferred;
  inferred.set_ir_version(model.ir_version());
  *inferred.mutable_opset_import() = model.opset_import();
  const onnx::GraphProto &source = model.graph();
  onnx::GraphProto &copy = *inferred.mutable_graph();
  copy.set_name(source.name());
  *copy.mutable_node() = source.node();
  *copy.mutable_input() = source.input();
  *copy.mutable_output() = source.output();
  for (const onnx::TensorProto &tensor : source.initializer()) {
    onnx::ValueInfoProto &info = *copy.add_input();
    info.set_name(tensor.name());
    auto *type = info.mutable_type()->mutable_tensor_type();
    type->set_elem_type(tensor.data_type());
    for (int64_t dim : tensor.dims())
      type->mutable_shape()->add_dim()->set_dim_value(dim);
  }
  try {
    onnx::ShapeInferenceOptions options(/*check_type_val=*/true, /*strict_mode_val=*/1,
                                        /*data_prop_val=*/false);
    onnx::shape_inference::InferShapes(inferred, onnx::OpSchemaRegistry::Instance(), options);
  } catch (const std::exception &e) {
    result.error = "ONNX shape inference: " + oneLine(e.what());
    return;
  }
  const onnx::GraphProto &graph = inferred.graph();
  for (const auto *infos : {&graph.input(), &graph.value_info(), &graph.output()})
    for (const onnx::ValueInfoProto &info : *infos)
      result.types[info.name()] = info.type();
}

} // namespace

CheckResult kiln::onnx_export::checkModel(const onnx::ModelProto &model) {
  CheckResult result;
  try {
    checkOrThrow(model, result);
  } catch (const std::bad_alloc &) {
    result.error = "out of memory while checking the model";
  } catch (const std::exception &e) {
    result.error = "checking the model failed: " + oneLine(e.what());
  } catch (...) {
    result.error = "checking the model failed with an unknown exception";
  }
  return result;
}
