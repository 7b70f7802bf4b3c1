//===- Compiler.h - the compile driver that kilnc calls -------------------===//
#ifndef KILN_COMPILER_DRIVER_COMPILER_H
#define KILN_COMPILER_DRIVER_COMPILER_H

#include "compiler/Pipelines.h"

#include "llvm/ADT/StringMap.h"

#include <optional>
#include <string>
#include <vector>

namespace kiln {

enum class EmitKind {
  Mlir,        ///< the kiln-dialect module as imported
  LoweredMlir, ///< the module lowered to the LLVM dialect
  Llvm,        ///< optimised LLVM IR with the artifact descriptor
  Obj,         ///< an object file
  Kx,          ///< the artifact: a shared object the runtime loads
  Onnx,        ///< the inference function as an ONNX model (frontends/onnx/OnnxExporter.h)
};

/// What `--train` adds: the loss, the optimizer and their settings (docs/training.md).
struct TrainingOptions {
  std::string loss = "softmax-cross-entropy";
  double labelSmoothing = 0.0;
  /// Whether the command line set the loss; if not, a model that declares its loss
  /// (the module attributes kiln.loss and kiln.label_smoothing) has it.
  bool lossGiven = false, labelSmoothingGiven = false;
  double bnMomentum = 0.9;
  std::vector<std::string> freeze; ///< regular expressions over parameter names
  std::string optimizer = "sgd";
  double momentum = 0.0;
  bool nesterov = false;
  double weightDecay = 0.0;
  double l2 = 0.0;
  bool decayAll = false;
  double beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8, alpha = 0.99;
};


struct CompileOptions {
  std::string inputPath;
  std::string outputPath; ///< "-" writes text outputs to stdout
  EmitKind emit = EmitKind::Kx;
  std::optional<int64_t> batch;
  llvm::StringMap<int64_t> namedDims;
  llvm::StringMap<std::string> bindings; ///< input name -> TensorProto file
  std::string cpu = "native";
  int optLevel = 2;
  ContractionCodegen codegen = ContractionCodegen::Fast;
  int64_t winogradTile = kDefaultWinogradTile; ///< kiln-winograd's m; 0: direct convolutions
  unsigned jobs = 0; ///< threads for LLVM's optimisation and code generation; 0: all
  bool printIrAfterAll = false;
  /// Pass arguments (`kiln-outline-loop-nests`) after which to print the IR, when not all.
  std::vector<std::string> printIrAfter;
  bool timing = false;
  bool verbose = false;
  std::string commandLine; ///< recorded in the artifact's options string
  std::optional<TrainingOptions> training;
};

/// Imports, lowers and emits one model. Errors go to stderr; returns 0 on success.
int compileModel(const CompileOptions &options);

} // namespace kiln

#endif // KILN_COMPILER_DRIVER_COMPILER_H
