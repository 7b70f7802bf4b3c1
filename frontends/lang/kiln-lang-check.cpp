//===- kiln-lang-check.cpp - evaluate a model file and summarise it --------===//
//
// For the model language's own tests and for model authors: prints the kiln dialect with
// large constants elided (kilnc --emit=mlir prints every initial value), or with --params
// the parameter counts that papers publish. Not installed; kilnc is the user-facing tool.
//
//===----------------------------------------------------------------------===//
#include "frontends/lang/LangImporter.h"

#include "dialects/Kiln/IR/KilnOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OperationSupport.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/raw_ostream.h"

namespace cl = llvm::cl;
using namespace mlir;

namespace {

/// "parameters: T tensors, N trainable values, S batch-norm statistics": the statistics
/// (running mean and variance, the last two operands of batch_norm_inference) are state,
/// not trained, and published counts leave them out.
void printCounts(ModuleOp module) {
  auto forward = module.lookupSymbol<func::FuncOp>("forward");
  llvm::DenseSet<Value> statistics;
  forward.walk([&](kiln::BatchNormInferenceOp op) {
    statistics.insert(op.getMean());
    statistics.insert(op.getVariance());
  });
  int64_t tensors = 0, trainable = 0, state = 0;
  for (auto [index, argument] : llvm::enumerate(forward.getArguments())) {
    auto role = forward.getArgAttrOfType<StringAttr>(index, kiln::kRoleAttrName);
    if (!role || role.getValue() != "parameter")
      continue;
    int64_t count = cast<RankedTensorType>(argument.getType()).getNumElements();
    ++tensors;
    (statistics.contains(argument) ? state : trainable) += count;
  }
  llvm::outs() << "parameters: " << tensors << " tensors, " << trainable
               << " trainable values, " << state << " batch-norm statistics\n";
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::opt<std::string> input(cl::Positional, cl::desc("<model.kiln>"), cl::Required);
  cl::opt<int64_t> batch("batch", cl::desc("Pin the leading (batch) dimension"), cl::init(1));
  cl::list<std::string> dims("dim", cl::desc("Pin a symbolic dimension or set a model parameter"),
                             cl::value_desc("NAME=N"));
  cl::opt<bool> params("params", cl::desc("Print parameter counts instead of the module"));
  cl::ParseCommandLineOptions(argc, argv, "kiln-lang-check: evaluate a kiln model file\n");

  kiln::LangImportOptions options;
  options.batch = batch;
  for (const std::string &dim : dims) {
    auto [name, value] = llvm::StringRef(dim).split('=');
    int64_t size = 0;
    if (name.empty() || value.getAsInteger(10, size)) {
      llvm::errs() << "kiln-lang-check: error: --dim expects NAME=N, got '" << dim << "'\n";
      return 2;
    }
    options.namedDims[name] = size;
  }
  MLIRContext context;
  OwningOpRef<ModuleOp> module = kiln::importLangFile(input, context, options);
  if (!module)
    return 1;
  if (params) {
    printCounts(*module);
    return 0;
  }
  module->print(llvm::outs(), OpPrintingFlags().elideLargeElementsAttrs(16));
  return 0;
}
