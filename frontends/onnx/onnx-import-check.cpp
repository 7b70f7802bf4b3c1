//===- onnx-import-check.cpp - import an ONNX model and print the result --===//
//
// A development and test tool for the importer alone (no passes, no code generation):
// prints the kiln-dialect module, or every error, and exits 1 on failure.
//
//   onnx-import-check model.onnx [--batch N] [--dim NAME=N]... [--bind NAME=FILE.pb]...
//
//===----------------------------------------------------------------------===//
#include "frontends/onnx/OnnxImporter.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OperationSupport.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/raw_ostream.h"

namespace cl = llvm::cl;

namespace {

/// "model.onnx: error: node 'conv1' (Conv): ..." for locations without a line (ONNX files),
/// "file:line:col: error: ..." for those with one; a NameLoc adds the node's name.
void printDiagnostic(mlir::Diagnostic &diag) {
  mlir::Location loc = diag.getLocation();
  std::string node;
  if (auto name = llvm::dyn_cast<mlir::NameLoc>(loc)) {
    node = "node '" + name.getName().str() + "': ";
    loc = name.getChildLoc();
  }
  if (auto file = llvm::dyn_cast<mlir::FileLineColLoc>(loc)) {
    llvm::errs() << file.getFilename().getValue();
    if (file.getLine())
      llvm::errs() << ":" << file.getLine() << ":" << file.getColumn();
    llvm::errs() << ": ";
  }
  llvm::StringRef severity = diag.getSeverity() == mlir::DiagnosticSeverity::Error ? "error"
                             : diag.getSeverity() == mlir::DiagnosticSeverity::Warning
                                 ? "warning"
                                 : "note";
  llvm::errs() << severity << ": " << node << diag.str() << "\n";
  for (mlir::Diagnostic &note : diag.getNotes())
    printDiagnostic(note);
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::OptionCategory category("onnx-import-check options");
  cl::opt<std::string> input(cl::Positional, cl::desc("<model.onnx>"), cl::Required,
                             cl::cat(category));
  cl::opt<int64_t> batch("batch",
                         cl::desc("Pin the symbolic leading (batch) dimension of the inputs"),
                         cl::value_desc("N"), cl::cat(category));
  cl::list<std::string> dims("dim", cl::desc("Pin the symbolic dimension NAME"),
                             cl::value_desc("NAME=N"), cl::cat(category));
  cl::list<std::string> binds("bind",
                              cl::desc("Freeze graph input NAME to the tensor in FILE.pb"),
                              cl::value_desc("NAME=FILE.pb"), cl::cat(category));
  cl::opt<bool> debugInfo("mlir-print-debuginfo", cl::desc("Print locations"),
                          cl::cat(category));
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(argc, argv,
                              "onnx-import-check: import an ONNX model into the kiln dialect "
                              "and print it (importer tests only; kilnc is the compiler)\n");

  kiln::OnnxImportOptions options;
  if (batch.getNumOccurrences()) {
    if (batch <= 0) {
      llvm::errs() << "onnx-import-check: error: --batch must be positive\n";
      return 1;
    }
    options.batch = batch;
  }
  for (const std::string &dim : dims) {
    auto [name, value] = llvm::StringRef(dim).split('=');
    int64_t size = 0;
    if (name.empty() || value.getAsInteger(10, size) || size <= 0) {
      llvm::errs() << "onnx-import-check: error: --dim expects NAME=N with N > 0, got '"
                   << dim << "'\n";
      return 1;
    }
    options.namedDims[name] = size;
  }
  for (const std::string &bind : binds) {
    auto [name, file] = llvm::StringRef(bind).split('=');
    if (name.empty() || file.empty()) {
      llvm::errs() << "onnx-import-check: error: --bind expects NAME=FILE.pb, got '" << bind
                   << "'\n";
      return 1;
    }
    options.bindings[name] = file.str();
  }

  mlir::MLIRContext context;
  context.printOpOnDiagnostic(false);
  mlir::ScopedDiagnosticHandler handler(&context, [](mlir::Diagnostic &diag) {
    printDiagnostic(diag);
    return mlir::success();
  });
  mlir::OwningOpRef<mlir::ModuleOp> module = kiln::importOnnxFile(input, context, options);
  if (!module)
    return 1;
  mlir::OpPrintingFlags flags;
  if (debugInfo)
    flags.enableDebugInfo();
  module->print(llvm::outs(), flags);
  llvm::outs() << "\n";
  return 0;
}
