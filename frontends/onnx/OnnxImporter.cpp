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
  // Each op was verified as it was built; this checks the function and module around them.
  if (failed(verify(*module))) {
    emitError(fileLoc) << "the imported module does not verify (an importer bug: please "
                          "report it)";
    return nullptr;
  }
  return module;
}
