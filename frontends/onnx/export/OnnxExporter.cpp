//===- OnnxExporter.cpp - the kiln dialect as an ONNX model -----------------===//
//
// Builds the ModelProto with the graph writer, checks it with libonnx, compares the output
// shapes ONNX infers with kiln's, and writes it.
//
//===----------------------------------------------------------------------===//
#include "frontends/onnx/OnnxExporter.h"
#include "dialects/Kiln/IR/KilnOps.h"
#include "frontends/onnx/export/ExportContext.h"
#include "frontends/onnx/export/ModelChecker.h"

#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/ToolOutputFile.h"

#include <cstdio>
#include <cstdlib>

using namespace mlir;
using namespace kiln::onnx_export;

namespace {

const WriterTable &opWriters() {
  static const WriterTable table = [] {
    WriterTable t;
    registerMathWriters(t);
    registerNNWriters(t);
    registerTensorWriters(t);
    return t;
  }();
  return table;
}

/// Checks each graph output's inferred shape against kiln's result type and completes the
/// declared output: a leading dimension left open (symbolic batch) takes what inference
/// found. A disagreement is an exporter bug.
LogicalResult settleOutputs(onnx::GraphProto &graph, func::FuncOp forward,
                            const CheckResult &checked) {
  TypeRange results = forward.getFunctionType().getResults();
  for (auto [index, output] : llvm::enumerate(*graph.mutable_output())) {
    auto kilnType = cast<RankedTensorType>(results[index]);
    auto found = checked.types.find(output.name());
    if (found == checked.types.end() || !found->second.tensor_type().has_shape())
      continue;
    const auto &inferred = found->second.tensor_type().shape();
    auto *declared = output.mutable_type()->mutable_tensor_type()->mutable_shape();
    bool agrees = inferred.dim_size() == kilnType.getRank();
    for (int axis = 0; agrees && axis < inferred.dim_size(); ++axis) {
      const auto &dim = inferred.dim(axis);
      auto *target = declared->mutable_dim(axis);
      if (dim.has_dim_value() && dim.dim_value() != kilnType.getDimSize(axis))
        agrees = false;
      else if (!target->has_dim_value())
        *target = dim;
    }
    if (!agrees)
      return emitError(forward.getLoc())
             << "cannot be exported to ONNX: ONNX infers another shape for output '"
             << output.name() << "' than kiln's " << kilnType
             << " (an exporter bug: please report it)";
  }
  return success();
}

/// With a symbolic batch, a Reshape whose target pins the leading dimension is only right if
/// its input's leading dimension is not the batch.
LogicalResult checkPinnedReshapes(const GraphWriter &writer, const CheckResult &checked) {
  bool ok = true;
  for (const PinnedReshape &reshape : writer.getPinnedReshapes()) {
    auto found = checked.types.find(reshape.input);
    if (found == checked.types.end())
      continue;
    const auto &shape = found->second.tensor_type().shape();
    if (shape.dim_size() == 0 || shape.dim(0).has_dim_value())
      continue;
    reshape.op->emitError()
        << "cannot be exported to ONNX with a symbolic batch: the reshape moves the batch "
           "dimension away from the front, so its target shape depends on the batch size; "
           "pin it with --batch N";
    ok = false;
  }
  return success(ok);
}

} // namespace

LogicalResult kiln::exportOnnxFile(ModuleOp module, StringRef path,
                                   const OnnxExportOptions &options) {
  Location loc = module.getLoc();
  auto forward = module.lookupSymbol<func::FuncOp>("forward");
  if (!forward || forward.isExternal())
    return emitError(loc) << "cannot export to ONNX: the module has no func.func @forward "
                             "with a body";
  if (!forward.getBody().hasOneBlock())
    return emitError(forward.getLoc())
           << "cannot export to ONNX: @forward has more than one block";

  onnx::ModelProto model;
  model.set_ir_version(kExportIrVersion);
  model.set_producer_name("kilnc");
  onnx::OperatorSetIdProto &opset = *model.add_opset_import();
  opset.set_domain("");
  opset.set_version(kExportOpset);
  onnx::GraphProto &graph = *model.mutable_graph();
  graph.set_name("forward");
  graph.set_doc_string("the inference function of a kiln model, written by kilnc --emit=onnx");

  // The loss a model file declares travels as metadata, which the importer reads back.
  if (auto loss = module->getAttrOfType<StringAttr>("kiln.loss")) {
    onnx::StringStringEntryProto &entry = *model.add_metadata_props();
    entry.set_key("kiln.loss");
    entry.set_value(loss.str());
  }
  if (auto smoothing = module->getAttrOfType<FloatAttr>("kiln.label_smoothing")) {
    onnx::StringStringEntryProto &entry = *model.add_metadata_props();
    entry.set_key("kiln.label_smoothing");
    // The shortest of %.15g and %.17g that reads back as the same double (0.1, not
    // 0.10000000000000001).
    double value = smoothing.getValueAsDouble();
    char text[32];
    std::snprintf(text, sizeof text, "%.15g", value);
    if (std::strtod(text, nullptr) != value)
      std::snprintf(text, sizeof text, "%.17g", value);
    entry.set_value(text);
  }

  DictionaryAttr symbolic =
      options.symbolicBatch ? module->getAttrOfType<DictionaryAttr>(kSymbolicBatchAttrName)
                            : DictionaryAttr();
  GraphWriter writer(graph, opWriters());
  if (failed(writer.writeFunction(module, forward, symbolic)))
    return failure();

  CheckResult checked = checkModel(model);
  if (!checked.error.empty())
    return emitError(loc) << "the exported model fails the " << checked.error
                          << " (an exporter bug: please report it)";
  if (failed(checkPinnedReshapes(writer, checked)) ||
      failed(settleOutputs(graph, forward, checked)))
    return failure();

  std::string bytes;
  if (!model.SerializeToString(&bytes))
    return emitError(loc) << "cannot serialise the ONNX model (protobuf limits a model to "
                             "2 GiB)";
  std::string error;
  std::unique_ptr<llvm::ToolOutputFile> output = openOutputFile(path, &error);
  if (!output)
    return emitError(loc) << error;
  output->os() << bytes;
  output->os().flush();
  if (output->os().has_error())
    return emitError(loc) << path << ": cannot write the ONNX model: "
                          << output->os().error().message();
  output->keep();
  return success();
}
