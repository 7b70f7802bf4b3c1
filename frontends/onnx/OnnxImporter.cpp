//===- OnnxImporter.cpp - importOnnxFile: load, validate, import ----------===//
#include "frontends/onnx/OnnxImporter.h"
#include "dialects/Kiln/IR/KilnOps.h"
#include "frontends/onnx/ImportContext.h"
#include "frontends/onnx/ModelLoader.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Verifier.h"

using namespace mlir;
using namespace kiln::onnx_import;

static const OpRegistry &onnxImporters() {
  static const OpRegistry registry = [] {
    OpRegistry r;
    registerNNOps(r);
    registerMathOps(r);
    registerTensorOps(r);
    registerTrainingOps(r);
    return r;
  }();
  return registry;
}

OwningOpRef<ModuleOp> kiln::importOnnxFile(StringRef path, MLIRContext &context,
                                           const OnnxImportOptions &options) {
  context.getOrLoadDialect<kiln::KilnDialect>();
  context.getOrLoadDialect<func::FuncDialect>();
  Location fileLoc = FileLineColLoc::get(StringAttr::get(&context, path), 0, 0);

  LoadOptions loadOptions;
  loadOptions.batch = options.batch;
  loadOptions.warnUnusedBatch = options.warnUnusedBatch;
  for (const auto &dim : options.namedDims)
    loadOptions.namedDims[dim.getKey().str()] = dim.getValue();
  for (const auto &binding : options.bindings)
    loadOptions.bindings[binding.getKey().str()] = binding.getValue();
  onnx::ModelProto model;
  LoadResult loaded = loadModel(path.str(), loadOptions, model);
  for (const std::string &warning : loaded.warnings)
    emitWarning(fileLoc) << warning;
  for (const std::string &error : loaded.errors)
    emitError(fileLoc) << error;
  if (!loaded.errors.empty())
    return nullptr;

  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc);
  llvm::StringMap<int64_t> versions;
  if (loaded.opset != 0)
    versions[""] = loaded.opset;
  if (loaded.trainingOpset != 0)
    versions[kTrainingDomain] = loaded.trainingOpset;
  GraphImporter importer(*module, path, versions);
  if (failed(importer.importGraph(model.graph(), onnxImporters())))
    return nullptr;
  // The loss a kiln model file declares, as kilnc --emit=onnx writes it: `kilnc --train`
  // then trains the exported model as it would the model file.
  Builder metadata(&context);
  for (const onnx::StringStringEntryProto &entry : model.metadata_props()) {
    if (entry.key() == "kiln.loss") {
      (*module)->setAttr("kiln.loss", metadata.getStringAttr(entry.value()));
    } else if (entry.key() == "kiln.label_smoothing") {
      double smoothing = 0;
      if (llvm::StringRef(entry.value()).getAsDouble(smoothing))
        emitWarning(fileLoc) << "metadata kiln.label_smoothing = '" << entry.value()
                             << "' is not a number; ignored";
      else
        (*module)->setAttr("kiln.label_smoothing", metadata.getF64FloatAttr(smoothing));
    }
  }
  if (!loaded.batchPinned.empty()) {
    // Remembered for the ONNX exporter, which keeps such a dimension symbolic.
    SmallVector<NamedAttribute> pinned;
    for (const auto &[input, dim] : loaded.batchPinned)
      pinned.push_back(metadata.getNamedAttr(input, metadata.getStringAttr(dim)));
    (*module)->setAttr(kiln::kSymbolicBatchAttrName, metadata.getDictionaryAttr(pinned));
  }
  // Each op was verified as it was built; this checks the function and module around them.
  if (failed(verify(*module))) {
    emitError(fileLoc) << "the imported module does not verify (an importer bug: please "
                          "report it)";
    return nullptr;
  }
  return module;
}
