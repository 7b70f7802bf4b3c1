//===- Pipelines.cpp - kiln's named pass pipelines ------------------------===//
//
// The lowering of a kiln module, top to bottom. Upstream passes are named by their flags so
// that the pipeline reads like what a user would type into kiln-opt.
//
//===----------------------------------------------------------------------===//
#include "compiler/Pipelines.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "llvm/Support/ErrorHandling.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

namespace {
/// Appends a textual pipeline (no anchor) to `pm`. The strings are fixed at build time, so a
/// failure is a bug in kiln, not in the user's input.
void appendPipeline(OpPassManager &pm, llvm::StringRef text) {
  std::string error;
  llvm::raw_string_ostream errorStream(error);
  if (failed(parsePassPipeline(text, pm, errorStream)))
    llvm::report_fatal_error(llvm::Twine("kiln: invalid built-in pipeline '") + text +
                             "': " + error);
}
} // namespace

void kiln::buildKilnToLinalgPipeline(OpPassManager &pm) {
  appendPipeline(pm, "kiln-inplace-buffers,func.func(kiln-to-linalg),canonicalize,cse");
}

void kiln::buildKilnBufferizePipeline(OpPassManager &pm) {
  // Identity layouts at function boundaries: the entry points take bare pointers to dense
  // buffers. Results become caller-provided buffers (the runtime owns all I/O memory), and a
  // statically shaped result is computed in place in its out-parameter, not copied.
  appendPipeline(pm, "func.func(kiln-copy-returned-arguments),"
                     "one-shot-bufferize{bufferize-function-boundaries "
                     "function-boundary-type-conversion=identity-layout-map},"
                     "drop-equivalent-buffer-results,"
                     "buffer-results-to-out-params{hoist-static-allocs},"
                     "canonicalize,buffer-deallocation-pipeline,canonicalize,cse");
}

void kiln::buildKilnLoopsToLLVMPipeline(OpPassManager &pm) {
  appendPipeline(pm, "func.func(kiln-memref-copy-to-linalg,kiln-loop-order,convert-linalg-to-loops),lower-affine,"
                     "expand-strided-metadata,lower-affine,convert-math-to-funcs,convert-math-to-llvm,"
                     "convert-math-to-libm,convert-scf-to-cf,finalize-memref-to-llvm,"
                     "convert-arith-to-llvm,convert-index-to-llvm,"
                     "convert-func-to-llvm{use-bare-ptr-memref-call-conv},"
                     "convert-cf-to-llvm,reconcile-unrealized-casts");
}

void kiln::buildKilnLowerToLLVMPipeline(OpPassManager &pm) {
  buildKilnToLinalgPipeline(pm);
  buildKilnBufferizePipeline(pm);
  buildKilnLoopsToLLVMPipeline(pm);
}

void kiln::registerKilnPipelines() {
  PassPipelineRegistration<>("kiln-lower-to-linalg",
                             "Lower the kiln dialect to linalg/tensor/arith/math on tensors",
                             buildKilnToLinalgPipeline);
  PassPipelineRegistration<>("kiln-bufferize",
                             "Bufferize tensors with caller-provided results and freed temporaries",
                             buildKilnBufferizePipeline);
  PassPipelineRegistration<>("kiln-lower-loops-to-llvm",
                             "Lower bufferized linalg to loops and then to the LLVM dialect",
                             buildKilnLoopsToLLVMPipeline);
  PassPipelineRegistration<>("kiln-lower-to-llvm",
                             "Full lowering of a kiln module to the LLVM dialect",
                             buildKilnLowerToLLVMPipeline);
}
