//===- kilnc.cpp - compile a model into a kiln artifact -------------------===//
#include "compiler/Driver/Compiler.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/raw_ostream.h"

namespace cl = llvm::cl;

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::OptionCategory category("kilnc options");
  cl::opt<std::string> input(cl::Positional, cl::desc("<model.onnx | model.mlir>"),
                             cl::Required, cl::cat(category));
  cl::opt<std::string> output("o", cl::desc("Output file (default: <model>.kx; '-' is stdout "
                                            "for text outputs)"),
                              cl::value_desc("file"), cl::cat(category));
  cl::opt<kiln::EmitKind> emit(
      "emit", cl::desc("What to produce"), cl::init(kiln::EmitKind::Kx),
      cl::values(clEnumValN(kiln::EmitKind::Mlir, "mlir", "the kiln-dialect module"),
                 clEnumValN(kiln::EmitKind::LoweredMlir, "lowered-mlir",
                            "the module lowered to the LLVM dialect"),
                 clEnumValN(kiln::EmitKind::Llvm, "llvm", "optimised LLVM IR"),
                 clEnumValN(kiln::EmitKind::Obj, "obj", "an object file"),
                 clEnumValN(kiln::EmitKind::Kx, "kx", "the artifact (default)")),
      cl::cat(category));
  cl::opt<int64_t> batch("batch",
                         cl::desc("Pin the symbolic leading (batch) dimension of the inputs to N"),
                         cl::value_desc("N"), cl::init(0), cl::cat(category));
  cl::list<std::string> dims("dim", cl::desc("Pin the symbolic dimension NAME to N"),
                             cl::value_desc("NAME=N"), cl::cat(category));
  cl::list<std::string> binds(
      "bind",
      cl::desc("Freeze graph input NAME to the tensor in FILE.pb at compile time (for shapes, "
               "axes or pads that a model takes as inputs)"),
      cl::value_desc("NAME=FILE.pb"), cl::cat(category));
  cl::opt<std::string> cpu("cpu",
                           cl::desc("Target CPU, as LLVM names it (default: native, the host)"),
                           cl::init("native"), cl::cat(category));
  cl::opt<unsigned> optLevel("O", cl::desc("LLVM optimisation level 0-3 (default 3)"),
                             cl::Prefix, cl::init(3), cl::cat(category));
  cl::opt<bool> printIr("print-ir-after-all", cl::desc("Print the IR after every pass"),
                        cl::cat(category));
  cl::opt<bool> timing("timing", cl::desc("Print the time each pass takes"), cl::cat(category));
  cl::opt<bool> verbose("v", cl::desc("Report each stage and its time on stderr"),
                        cl::cat(category));
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(
      argc, argv,
      "kilnc: compile a neural network into a kiln artifact\n\n"
      "  kilnc model.onnx --batch 8 -o model.kx      compile for batch 8\n"
      "  kilnc model.onnx --emit=mlir               show the imported kiln dialect\n"
      "  kiln-run infer model.kx --input x.pb --output-dir out/   run it\n");

  kiln::CompileOptions options;
  options.inputPath = input;
  options.outputPath = output;
  options.emit = emit;
  if (batch.getNumOccurrences()) {
    if (batch <= 0) {
      llvm::errs() << "kilnc: error: --batch must be positive, got " << batch << "\n";
      return 2;
    }
    options.batch = batch;
  }
  for (const std::string &dim : dims) {
    auto [name, value] = llvm::StringRef(dim).split('=');
    int64_t size = 0;
    if (name.empty() || value.getAsInteger(10, size) || size <= 0) {
      llvm::errs() << "kilnc: error: --dim expects NAME=N with N > 0, got '" << dim << "'\n";
      return 2;
    }
    options.namedDims[name] = size;
  }
  for (const std::string &bind : binds) {
    auto [name, file] = llvm::StringRef(bind).split('=');
    if (name.empty() || file.empty()) {
      llvm::errs() << "kilnc: error: --bind expects NAME=FILE.pb, got '" << bind << "'\n";
      return 2;
    }
    options.bindings[name] = file.str();
  }
  if (optLevel > 3) {
    llvm::errs() << "kilnc: error: -O expects 0 to 3, got " << optLevel << "\n";
    return 2;
  }
  options.cpu = cpu;
  options.optLevel = optLevel;
  options.printIrAfterAll = printIr;
  options.timing = timing;
  options.verbose = verbose;
  for (int i = 1; i < argc; ++i)
    options.commandLine += (i > 1 ? " " : "") + std::string(argv[i]);
  return kiln::compileModel(options);
}
