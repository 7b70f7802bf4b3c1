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

namespace {
/// `codegen=fast|loops` on the named pipelines, as kilnc's --codegen.
struct CodegenPipelineOptions : PassPipelineOptions<CodegenPipelineOptions> {
  Option<std::string> codegen{*this, "codegen",
                              llvm::cl::desc("Contraction code generation: fast or loops"),
                              llvm::cl::init("fast")};
  Option<int64_t> winograd{*this, "winograd",
                           llvm::cl::desc("Winograd tile of 3x3 convolutions (stride 1 or 2): 2, 4 "
                                          "or 0 (direct)"),
                           llvm::cl::init(kiln::kDefaultWinogradTile)};
  kiln::ContractionCodegen kind() const {
    return codegen == "loops" ? kiln::ContractionCodegen::Loops : kiln::ContractionCodegen::Fast;
  }
};
} // namespace

void kiln::buildKilnToLinalgPipeline(OpPassManager &pm, ContractionCodegen codegen,
                                     int64_t winogradTile) {
  if (codegen == ContractionCodegen::Loops) {
    appendPipeline(pm, "kiln-inplace-buffers,func.func(kiln-to-linalg),canonicalize,cse");
    return;
  }
  // The layout is chosen on the kiln graph; the transposes it implies are folded into the
  // elementwise ops around each convolution, chains of elementwise ops are fused (and the
  // fused ops' transposes folded again) before the contractions are tiled; 3x3 stride-1
  // convolutions become Winograd tasks first. kiln-parallelize runs again after the tiling
  // to split the filter packing it adds into tasks.
  std::string winograd =
      winogradTile == 0 ? "" : "kiln-winograd{tile=" + std::to_string(winogradTile) + "},";
  appendPipeline(pm, "kiln-inplace-buffers,func.func(kiln-choose-layout,kiln-to-linalg),"
                     "canonicalize,cse,func.func(kiln-fold-transposes,kiln-fuse-elementwise,"
                     "kiln-fold-transposes," +
                         winograd +
                         "kiln-parallelize,kiln-codegen-contractions,"
                         "kiln-parallelize,kiln-vectorize-elementwise),"
                         "canonicalize,cse");
}

void kiln::buildKilnBufferizePipeline(OpPassManager &pm) {
  // Identity layouts at function boundaries: the entry points take bare pointers to dense
  // buffers. Results become caller-provided buffers (the runtime owns all I/O memory), and a
  // statically shaped result is computed in place in its out-parameter, not copied (the
  // canonicalization before buffer-results-to-out-params folds the tiling loops' results, so
  // that a result a loop writes is recognised as the allocation it is). Every user of a
  // zero fill gets its own before bufferization (kiln-unshare-fills), so that no fill is
  // copied, and a padded convolution input is computed straight into its padded buffer
  // (kiln-decompose-pads), so that it is not copied there. The other static temporaries
  // get offsets in one arena the runtime owns (kiln-plan-memory);
  // only what the plan leaves (dynamic shapes, allocs inside loops) is malloc'ed and freed.
  // The vector code is lowered first, while every temporary is still an allocation of its
  // own: hoisting a tile's accumulators out of its reduction loops must know that the tile
  // does not alias what the loops read, and upstream's hoisting gives up on any view (the
  // plan turns temporaries into views of the arena). Without vector code it does nothing.
  // The tiles' prefetches come last: buffer deallocation refuses memref.prefetch, an op
  // without declared memory effects.
  appendPipeline(pm, "func.func(kiln-copy-returned-arguments,kiln-unshare-fills,"
                     "kiln-decompose-pads),"
                     "one-shot-bufferize{bufferize-function-boundaries "
                     "function-boundary-type-conversion=identity-layout-map},"
                     "canonicalize,drop-equivalent-buffer-results,"
                     "buffer-results-to-out-params{hoist-static-allocs},"
                     "canonicalize,func.func(kiln-vector-lower),kiln-plan-memory,canonicalize,"
                     "buffer-deallocation-pipeline,canonicalize,cse,"
                     "func.func(kiln-prefetch-epilogue)");
}

void kiln::buildKilnLoopsToLLVMPipeline(OpPassManager &pm) {
  // Loop nests are outlined first, so that LLVM never sees one huge function; buffer copies
  // become linalg ops before, so that they are outlined (and shared) like the other nests,
  // and split into tasks with the fills of padded inputs, which one thread would do alone.
  // The tasks of kiln-parallelize become OpenMP parallel regions whose threads take the
  // tasks one at a time from a shared counter (kiln-dynamic-schedule); memrefs are lowered
  // before the scf loops because each OpenMP body sits in a memref.alloca_scope, which must
  // stay one block.
  appendPipeline(pm, "func.func(kiln-memref-copy-to-linalg,kiln-parallelize{buffers}),"
                     "kiln-outline-loop-nests,"
                     "func.func(kiln-vectorize-copies,kiln-loop-order,convert-linalg-to-loops),"
                     "scf-forall-to-parallel,convert-scf-to-openmp,kiln-dynamic-schedule,"
                     "lower-affine,expand-strided-metadata,lower-affine,convert-math-to-funcs,convert-math-to-llvm,"
                     "convert-math-to-libm,convert-vector-to-scf,convert-vector-to-llvm,"
                     "finalize-memref-to-llvm,convert-scf-to-cf,"
                     "convert-arith-to-llvm,convert-index-to-llvm,"
                     "convert-func-to-llvm{use-bare-ptr-memref-call-conv},convert-openmp-to-llvm,"
                     "convert-cf-to-llvm,reconcile-unrealized-casts");
}

void kiln::buildKilnLowerToLLVMPipeline(OpPassManager &pm, ContractionCodegen codegen,
                                        int64_t winogradTile) {
  buildKilnToLinalgPipeline(pm, codegen, winogradTile);
  buildKilnBufferizePipeline(pm);
  buildKilnLoopsToLLVMPipeline(pm);
}

void kiln::registerKilnPipelines() {
  PassPipelineRegistration<CodegenPipelineOptions>(
      "kiln-lower-to-linalg", "Lower the kiln dialect to linalg/tensor/arith/math on tensors",
      [](OpPassManager &pm, const CodegenPipelineOptions &options) {
        buildKilnToLinalgPipeline(pm, options.kind(), options.winograd);
      });
  PassPipelineRegistration<>("kiln-bufferize",
                             "Bufferize tensors with caller-provided results and planned temporaries",
                             buildKilnBufferizePipeline);
  PassPipelineRegistration<>("kiln-lower-loops-to-llvm",
                             "Lower bufferized linalg to loops and then to the LLVM dialect",
                             buildKilnLoopsToLLVMPipeline);
  PassPipelineRegistration<CodegenPipelineOptions>(
      "kiln-lower-to-llvm", "Full lowering of a kiln module to the LLVM dialect",
      [](OpPassManager &pm, const CodegenPipelineOptions &options) {
        buildKilnLowerToLLVMPipeline(pm, options.kind(), options.winograd);
      });
}
