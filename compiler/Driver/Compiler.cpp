//===- Compiler.cpp - the compile driver that kilnc calls -----------------===//
//
// Frontend -> kiln-level cleanup -> artifact ABI -> lowering pipeline -> LLVM IR with the
// descriptor -> object -> linked .kx. Each stage reports its own errors and stops the run.
//
//===----------------------------------------------------------------------===//
#include "compiler/Driver/Compiler.h"
#include "compiler/Conversion/MemoryPlan.h"
#include "compiler/Conversion/Passes.h"
#include "compiler/InitKiln.h"
#include "compiler/Pipelines.h"
#include "compiler/Transforms/Passes.h"
#include "compiler/Target/EmitArtifact.h"
#include "frontends/lang/LangImporter.h"
#include "frontends/onnx/OnnxExporter.h"
#include "frontends/onnx/OnnxImporter.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/Verifier.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/Timer.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>

using namespace mlir;

namespace {

/// Prints "kilnc: <stage> (<ms> ms)" with --verbose, so long compiles show progress.
class StageClock {
public:
  explicit StageClock(bool enabled) : enabled(enabled) {}
  void done(llvm::StringRef stage) {
    auto now = std::chrono::steady_clock::now();
    if (enabled)
      llvm::errs() << "kilnc: " << stage << " ("
                   << std::chrono::duration_cast<std::chrono::milliseconds>(now - last).count()
                   << " ms)\n";
    last = now;
  }

private:
  bool enabled;
  std::chrono::steady_clock::time_point last = std::chrono::steady_clock::now();
};

/// Prints a diagnostic the way compilers do: "model.onnx: error: node 'conv1' (Conv): ..." for
/// ONNX nodes (which have no line numbers), "file.mlir:3:8: error: ..." for MLIR input.
void printDiagnostic(Diagnostic &diag) {
  Location loc = diag.getLocation();
  if (auto fused = dyn_cast<FusedLoc>(loc); fused && !fused.getLocations().empty())
    loc = fused.getLocations().front();
  std::string node;
  if (auto name = dyn_cast<NameLoc>(loc)) {
    node = name.getName().str() + ": ";
    loc = name.getChildLoc();
  }
  std::string where;
  if (auto file = dyn_cast<FileLineColLoc>(loc)) {
    where = file.getFilename().str();
    if (file.getLine())
      where += ":" + std::to_string(file.getLine()) + ":" + std::to_string(file.getColumn());
    where += ": ";
  }
  const char *severity = diag.getSeverity() == DiagnosticSeverity::Error     ? "error"
                         : diag.getSeverity() == DiagnosticSeverity::Warning ? "warning"
                         : diag.getSeverity() == DiagnosticSeverity::Note    ? "note"
                                                                             : "remark";
  llvm::errs() << where << severity << ": " << node << diag.str() << "\n";
  for (Diagnostic &note : diag.getNotes())
    printDiagnostic(note);
}

/// The batch the frontends pin a symbolic leading dimension to: the user's, or for
/// --emit=onnx without --batch one of kilnc's own, which the exporter writes back as
/// symbolic (an ONNX model need not pin it).
std::optional<int64_t> importBatch(const kiln::CompileOptions &options) {
  if (!options.batch && options.emit == kiln::EmitKind::Onnx)
    return 1;
  return options.batch;
}

OwningOpRef<ModuleOp> loadModel(const kiln::CompileOptions &options, MLIRContext &context) {
  llvm::StringRef extension = llvm::sys::path::extension(options.inputPath);
  if (extension == ".mlir") {
    llvm::SourceMgr sourceMgr;
    std::string error;
    auto file = openInputFile(options.inputPath, &error);
    if (!file) {
      llvm::errs() << "kilnc: error: " << error << "\n";
      return nullptr;
    }
    sourceMgr.AddNewSourceBuffer(std::move(file), llvm::SMLoc());
    return parseSourceFile<ModuleOp>(sourceMgr, &context);
  }
  if (extension == ".kiln") {
    kiln::LangImportOptions langOptions;
    langOptions.batch = importBatch(options);
    for (const auto &dim : options.namedDims)
      langOptions.namedDims[dim.getKey()] = dim.getValue();
    return kiln::importLangFile(options.inputPath, context, langOptions);
  }
  kiln::OnnxImportOptions importOptions;
  importOptions.batch = importBatch(options);
  // A batch kilnc chose itself is not worth a warning when the model has a static one.
  importOptions.warnUnusedBatch = options.batch.has_value();
  for (const auto &dim : options.namedDims)
    importOptions.namedDims[dim.getKey()] = dim.getValue();
  for (const auto &binding : options.bindings)
    importOptions.bindings[binding.getKey()] = binding.getValue();
  return kiln::importOnnxFile(options.inputPath, context, importOptions);
}

LogicalResult writeText(const kiln::CompileOptions &options,
                        llvm::function_ref<void(llvm::raw_ostream &)> print) {
  std::string error;
  auto output = openOutputFile(options.outputPath, &error);
  if (!output) {
    llvm::errs() << "kilnc: error: " << error << "\n";
    return failure();
  }
  print(output->os());
  output->keep();
  return success();
}

std::string defaultOutputPath(const kiln::CompileOptions &options) {
  llvm::SmallString<128> path(llvm::sys::path::filename(options.inputPath));
  const char *extension = "kx";
  switch (options.emit) {
  case kiln::EmitKind::Mlir:
  case kiln::EmitKind::LoweredMlir:
    return "-";
  case kiln::EmitKind::Llvm:
    extension = "ll";
    break;
  case kiln::EmitKind::Obj:
    extension = "o";
    break;
  case kiln::EmitKind::Kx:
    break;
  case kiln::EmitKind::Onnx:
    extension = "onnx";
    break;
  }
  llvm::sys::path::replace_extension(path, extension);
  return std::string(path);
}

/// The graph passes that turn the model's `forward` into the training entry points.
void addTrainingPasses(OpPassManager &pm, const kiln::TrainingOptions &o) {
  kiln::KilnTrainingGraphPassOptions graph;
  graph.loss = o.loss;
  graph.labelSmoothing = o.labelSmoothing;
  graph.bnMomentum = o.bnMomentum;
  graph.freeze = o.freeze;
  pm.addPass(kiln::createKilnTrainingGraphPass(graph));
  pm.addPass(kiln::createKilnAutodiffPass());
  kiln::KilnOptimizerPassOptions optimizer;
  optimizer.optimizer = o.optimizer;
  optimizer.momentum = o.momentum;
  optimizer.nesterov = o.nesterov;
  optimizer.weightDecay = o.weightDecay;
  optimizer.l2 = o.l2;
  optimizer.decayAll = o.decayAll;
  optimizer.beta1 = o.beta1;
  optimizer.beta2 = o.beta2;
  optimizer.epsilon = o.epsilon;
  optimizer.alpha = o.alpha;
  pm.addPass(kiln::createKilnOptimizerPass(optimizer));
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

/// Prints the IR after every pass of `pm`, or only after the passes `printIrAfter` names
/// (whose names are added to `printed` when they run).
void enableIrPrinting(PassManager &pm, const kiln::CompileOptions &options,
                      std::shared_ptr<llvm::StringSet<>> printed) {
  if (options.printIrAfterAll) {
    pm.enableIRPrinting();
    return;
  }
  if (options.printIrAfter.empty())
    return;
  auto never = [](Pass *, Operation *) { return false; };
  auto named = [&options, printed](Pass *pass, Operation *) {
    if (!llvm::is_contained(options.printIrAfter, pass->getArgument()))
      return false;
    printed->insert(pass->getArgument());
    return true;
  };
  pm.enableIRPrinting(never, named, /*printModuleScope=*/true, /*printAfterOnlyOnChange=*/false);
}

/// Copies the memory plans kiln-plan-memory left on the lowered module into the entries of
/// `abi` and adds the workspace buffer their arenas live in (each planned function takes it
/// as its last argument). With `verbose`, prints each entry's plan.
LogicalResult addMemoryPlans(ModuleOp module, kiln::ArtifactAbi &abi, bool verbose) {
  FailureOr<llvm::StringMap<kiln::EntryMemoryPlan>> plans = kiln::takeMemoryPlans(module);
  if (failed(plans))
    return failure();
  for (kiln::AbiEntry &entry : abi.entries) {
    auto it = plans->find(entry.name);
    if (it == plans->end())
      continue;
    const kiln::EntryMemoryPlan &plan = it->second;
    entry.workspaceBytes = plan.arenaBytes;
    entry.plannedBuffers = static_cast<uint32_t>(plan.plannedBuffers);
    entry.heapBuffers = static_cast<uint32_t>(plan.heapBuffers);
    entry.plannedBytes = plan.bufferBytes;
    if (verbose)
      llvm::errs() << "kilnc: memory plan of " << entry.name << ": " << plan.plannedBuffers
                   << " temporaries (" << plan.bufferBytes << " bytes without reuse) in "
                   << plan.arenaBytes << " bytes of workspace, " << plan.heapBuffers
                   << " left to the heap\n";
  }
  kiln::addWorkspaceBuffer(abi);
  return success();
}

} // namespace

int kiln::compileModel(const CompileOptions &originalOptions) {
  CompileOptions options = originalOptions;
  if (options.outputPath.empty())
    options.outputPath = defaultOutputPath(options);

  DialectRegistry registry;
  registerKilnDialects(registry);
  registerKilnPasses();
  MLIRContext context(registry);
  context.loadAllAvailableDialects();
  // Diagnostics name the node; a dump of the failing op (often a whole function) would
  // bury that message.
  context.printOpOnDiagnostic(false);
  ScopedDiagnosticHandler diagnostics(&context, [](Diagnostic &diag) {
    printDiagnostic(diag);
    return success();
  });
  // Large compiles are single-threaded here: the machine has two cores and LLVM codegen
  // dominates; MLIR's own threading only adds contention.
  context.disableMultithreading();
  StageClock clock(options.verbose);

  // kilnc model.onnx --emit=onnx would write model.onnx: refuse to replace the input.
  if (options.emit == EmitKind::Onnx && llvm::sys::fs::equivalent(options.inputPath,
                                                                   options.outputPath)) {
    llvm::errs() << "kilnc: error: the output '" << options.outputPath
                 << "' is the input model; name another file with -o\n";
    return 1;
  }

  OwningOpRef<ModuleOp> module = loadModel(options, context);
  if (!module)
    return 1;
  if (failed(verify(*module)))
    return 1;
  clock.done("imported " + options.inputPath);

  auto printed = std::make_shared<llvm::StringSet<>>();
  PassManager cleanup(&context);
  cleanup.addPass(createCanonicalizerPass());
  cleanup.addPass(createCSEPass());
  enableIrPrinting(cleanup, options, printed);
  if (failed(cleanup.run(*module)))
    return 1;
  if (options.training) {
    // The loss a model file declares, unless the command line names one.
    TrainingOptions trainingOptions = *options.training;
    if (auto declared = (*module)->getAttrOfType<StringAttr>("kiln.loss");
        declared && !trainingOptions.lossGiven)
      trainingOptions.loss = declared.getValue().str();
    if (auto declared = (*module)->getAttrOfType<FloatAttr>("kiln.label_smoothing");
        declared && !trainingOptions.labelSmoothingGiven)
      trainingOptions.labelSmoothing = declared.getValueAsDouble();
    PassManager training(&context);
    addTrainingPasses(training, trainingOptions);
    enableIrPrinting(training, options, printed);
    if (failed(training.run(*module)))
      return 1;
    clock.done("built the training graph");
  }
  if (options.emit == EmitKind::Mlir)
    return failed(writeText(options, [&](llvm::raw_ostream &os) { module->print(os); }));
  if (options.emit == EmitKind::Onnx) {
    OnnxExportOptions exportOptions;
    exportOptions.symbolicBatch = !options.batch;
    return failed(exportOnnxFile(*module, options.outputPath, exportOptions));
  }

  FailureOr<ArtifactAbi> abi = collectArtifactAbi(*module);
  if (failed(abi))
    return 1;
  abi->batch = options.batch.value_or(0);
  // Absolute, so that `kiln-run train --export` finds the model from any directory.
  llvm::SmallString<256> source(options.inputPath);
  llvm::sys::fs::make_absolute(source);
  abi->source = std::string(source);
  abi->options = options.commandLine;

  // Lowered in two halves: the entry functions still carry their buffer names and roles on
  // tensors, where `forward`'s parameter-only work moves into `prepare` (whose buffers the
  // ABI then gains); bufferization and the LLVM lowering follow without them.
  PassManager toLinalg(&context), lowering(&context);
  // After the training passes: the training graph has batch norms on batch statistics by
  // now, so only evaluation entries fold.
  toLinalg.addNestedPass<func::FuncOp>(kiln::createKilnFoldBatchNormPass());
  buildKilnToLinalgPipeline(toLinalg, options.codegen, options.winogradTile);
  toLinalg.addPass(kiln::createKilnHoistParameterMathPass());
  lowering.addPass(createKilnStripAbiPass());
  buildKilnBufferizePipeline(lowering);
  buildKilnLoopsToLLVMPipeline(lowering);
  for (PassManager *pm : {&toLinalg, &lowering}) {
    enableIrPrinting(*pm, options, printed);
    if (options.timing)
      pm->enableTiming();
  }
  if (failed(toLinalg.run(*module)) || failed(amendArtifactAbi(*module, *abi)) ||
      failed(lowering.run(*module))) {
    llvm::errs() << "kilnc: error: lowering '" << options.inputPath << "' failed\n";
    return 1;
  }
  clock.done("lowered to the LLVM dialect");
  for (const std::string &name : options.printIrAfter)
    if (!printed->contains(name))
      llvm::errs() << "kilnc: warning: --print-ir-after=" << name
                   << ": no pass of that name ran (kiln-opt --help lists the passes)\n";
  if (options.emit == EmitKind::LoweredMlir)
    return failed(writeText(options, [&](llvm::raw_ostream &os) { module->print(os); }));
  if (failed(addMemoryPlans(*module, *abi, options.verbose)))
    return 1;

  TargetOptions target;
  target.cpu = options.cpu;
  target.optLevel = options.optLevel;
  llvm::LLVMContext llvmContext;
  // An artifact is optimised and compiled in parts, one per thread; the other outputs are
  // one optimised module.
  bool inParts = options.emit == EmitKind::Kx;
  std::unique_ptr<llvm::Module> llvmModule =
      buildArtifactModule(*module, *abi, target, llvmContext, /*optimize=*/!inParts);
  if (!llvmModule)
    return 1;
  clock.done(inParts ? "translated to LLVM IR" : "translated and optimised LLVM IR");
  if (options.emit == EmitKind::Llvm)
    return failed(writeText(options, [&](llvm::raw_ostream &os) { llvmModule->print(os, nullptr); }));

  if (options.emit == EmitKind::Obj)
    return failed(writeObjectFile(*llvmModule, target, options.outputPath));

  llvm::SmallVector<std::string> objectPaths;
  LogicalResult compiled =
      writeObjectFilesInParallel(std::move(llvmModule), target, options.jobs, objectPaths);
  // FileRemover removes on destruction, so it must not be moved around in a vector.
  std::vector<std::unique_ptr<llvm::FileRemover>> removeObjects;
  for (const std::string &path : objectPaths)
    removeObjects.push_back(std::make_unique<llvm::FileRemover>(path));
  if (failed(compiled))
    return 1;
  clock.done("optimised and generated object code on " + std::to_string(objectPaths.size()) +
             " thread(s)");
  if (failed(linkArtifact(objectPaths, options.outputPath)))
    return 1;
  clock.done("linked " + options.outputPath);
  return 0;
}
