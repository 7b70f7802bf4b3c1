//===- kilnc.cpp - compile a model into a kiln artifact -------------------===//
#include "compiler/Driver/Compiler.h"
#include "compiler/Pipelines.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/raw_ostream.h"

namespace cl = llvm::cl;

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::OptionCategory category("kilnc options");
  cl::opt<std::string> input(cl::Positional, cl::desc("<model.onnx | model.kiln | model.mlir>"),
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
                 clEnumValN(kiln::EmitKind::Kx, "kx", "the artifact (default)"),
                 clEnumValN(kiln::EmitKind::Onnx, "onnx",
                            "the inference model as ONNX (opset 17; the batch stays "
                            "symbolic unless --batch pins it)")),
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
  cl::opt<kiln::ContractionCodegen> codegen(
      "codegen", cl::desc("How convolutions and matmuls are compiled (default: fast)"),
      cl::values(clEnumValN(kiln::ContractionCodegen::Fast, "fast",
                            "channels-last, tiled for registers and vectorized"),
                 clEnumValN(kiln::ContractionCodegen::Loops, "loops",
                            "plain loops: the reference the fast code is checked against")),
      cl::init(kiln::ContractionCodegen::Fast), cl::cat(category));
  cl::opt<unsigned> winograd(
      "winograd",
      cl::desc("3x3 convolutions (stride 1 or 2) as Winograd F(m x m, 3 x 3): m = 4 (default; "
               "m = 2 where its transformed filter is too large) or 2; 0 keeps them direct "
               "convolutions (fast code only)"),
      cl::value_desc("m"), cl::init(kiln::kDefaultWinogradTile), cl::cat(category));
  cl::opt<unsigned> jobs("j",
                        cl::desc("Threads that optimise and compile the artifact's parts "
                                 "(default: one per hardware thread)"),
                        cl::Prefix, cl::init(0), cl::cat(category));
  // O2 by default: the contractions arrive vectorized and tiled from MLIR, and O3 only made
  // the ResNet-50 training compile 10 s longer (27.6 -> 17.9 s of LLVM) for the same speed.
  cl::opt<unsigned> optLevel("O", cl::desc("LLVM optimisation level 0-3 (default 2)"),
                             cl::Prefix, cl::init(2), cl::cat(category));
  cl::opt<bool> printIr("print-ir-after-all", cl::desc("Print the IR after every pass"),
                        cl::cat(category));
  cl::list<std::string> printIrAfter(
      "print-ir-after",
      cl::desc("Print the IR after the named passes only (kiln-opt's pass arguments, e.g. "
               "kiln-outline-loop-nests; comma-separated or repeated)"),
      cl::CommaSeparated, cl::cat(category));
  cl::opt<bool> timing("timing", cl::desc("Print the time each pass takes"), cl::cat(category));
  cl::opt<bool> verbose("v",
                        cl::desc("Report each stage and its time, and each entry's memory "
                                 "plan, on stderr"),
                        cl::cat(category));
  cl::OptionCategory trainCategory("kilnc training options (with --train)");
  cl::opt<bool> train("train",
                      cl::desc("Add the training entry points fwd_bwd and apply_update "
                               "(docs/training.md)"),
                      cl::cat(trainCategory));
  cl::opt<std::string> loss("loss", cl::desc("softmax-cross-entropy (default) or mse"),
                            cl::init("softmax-cross-entropy"), cl::cat(trainCategory));
  cl::opt<double> labelSmoothing("label-smoothing",
                                 cl::desc("Label smoothing for softmax cross-entropy (0)"),
                                 cl::init(0.0), cl::cat(trainCategory));
  cl::opt<double> bnMomentum("bn-momentum",
                             cl::desc("Weight of the old batch-norm running statistics (0.9; "
                                      "PyTorch's momentum 0.1)"),
                             cl::init(0.9), cl::cat(trainCategory));
  cl::list<std::string> freeze("freeze",
                               cl::desc("Do not train parameters whose name matches REGEX "
                                        "(repeatable)"),
                               cl::value_desc("REGEX"), cl::cat(trainCategory));
  cl::opt<std::string> optimizer("optimizer", cl::desc("sgd (default), adam or rmsprop"),
                                 cl::init("sgd"), cl::cat(trainCategory));
  cl::opt<double> momentum("momentum", cl::desc("SGD or RMSprop momentum (0)"), cl::init(0.0),
                           cl::cat(trainCategory));
  cl::opt<bool> nesterov("nesterov", cl::desc("Nesterov momentum (SGD)"),
                         cl::cat(trainCategory));
  cl::opt<double> weightDecay("weight-decay",
                              cl::desc("Decoupled weight decay: p -= lr * wd * p (0)"),
                              cl::init(0.0), cl::cat(trainCategory));
  cl::opt<double> l2("l2", cl::desc("L2 regularisation: g += l2 * p, through momentum (0)"),
                     cl::init(0.0), cl::cat(trainCategory));
  cl::opt<bool> decayAll("decay-all",
                         cl::desc("Also decay biases and batch-norm parameters (rank-1 "
                                  "parameters are excluded by default)"),
                         cl::cat(trainCategory));
  cl::opt<double> beta1("beta1", cl::desc("Adam beta1 (0.9)"), cl::init(0.9),
                        cl::cat(trainCategory));
  cl::opt<double> beta2("beta2", cl::desc("Adam beta2 (0.999)"), cl::init(0.999),
                        cl::cat(trainCategory));
  cl::opt<double> epsilon("epsilon", cl::desc("Adam / RMSprop epsilon (1e-8)"), cl::init(1e-8),
                          cl::cat(trainCategory));
  cl::opt<double> alpha("alpha", cl::desc("RMSprop squared-gradient decay (0.99)"),
                        cl::init(0.99), cl::cat(trainCategory));
  cl::HideUnrelatedOptions({&category, &trainCategory});
  cl::ParseCommandLineOptions(
      argc, argv,
      "kilnc: compile a neural network into a kiln artifact\n\n"
      "  kilnc model.onnx --batch 8 -o model.kx      compile for batch 8\n"
      "  kilnc model.onnx --emit=mlir               show the imported kiln dialect\n"
      "  kilnc model.kiln --emit=onnx -o model.onnx write the model as ONNX\n"
      "  kilnc model.onnx --train --batch 16 --optimizer sgd --momentum 0.9 -o m.kx\n"
      "  kiln-run train m.kx --data idx:DIR --lr 0.05 --epochs 1   train it\n"
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
  options.codegen = codegen;
  if (winograd != 0 && winograd != 2 && winograd != 4) {
    llvm::errs() << "kilnc: error: --winograd expects 0, 2 or 4, got " << winograd << "\n";
    return 2;
  }
  options.winogradTile = winograd;
  options.jobs = jobs;
  options.printIrAfterAll = printIr;
  options.printIrAfter.assign(printIrAfter.begin(), printIrAfter.end());
  options.timing = timing;
  options.verbose = verbose;
  if (train && emit == kiln::EmitKind::Onnx) {
    llvm::errs() << "kilnc: error: --emit=onnx writes the inference model; it does not take "
                    "--train (kiln-run train --export writes trained weights into it)\n";
    return 2;
  }
  if (train) {
    kiln::TrainingOptions t;
    t.loss = loss;
    t.labelSmoothing = labelSmoothing;
    t.lossGiven = loss.getNumOccurrences() > 0;
    t.labelSmoothingGiven = labelSmoothing.getNumOccurrences() > 0;
    t.bnMomentum = bnMomentum;
    t.freeze.assign(freeze.begin(), freeze.end());
    t.optimizer = optimizer;
    t.momentum = momentum;
    t.nesterov = nesterov;
    t.weightDecay = weightDecay;
    t.l2 = l2;
    t.decayAll = decayAll;
    t.beta1 = beta1;
    t.beta2 = beta2;
    t.epsilon = epsilon;
    t.alpha = alpha;
    options.training = t;
  } else {
    cl::Option *trainingOnly[] = {&loss,     &labelSmoothing, &bnMomentum, &static_cast<cl::Option &>(freeze), &optimizer,
                                  &momentum, &nesterov,       &weightDecay, &l2,    &decayAll,
                                  &beta1,    &beta2,          &epsilon,     &alpha};
    for (cl::Option *o : trainingOnly)
      if (o->getNumOccurrences()) {
        llvm::errs() << "kilnc: error: --" << o->ArgStr << " needs --train\n";
        return 2;
      }
  }
  for (int i = 1; i < argc; ++i)
    options.commandLine += (i > 1 ? " " : "") + std::string(argv[i]);
  return kiln::compileModel(options);
}
