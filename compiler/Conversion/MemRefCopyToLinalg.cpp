//===- MemRefCopyToLinalg.cpp - the kiln-memref-copy-to-linalg pass -------===//
#include "compiler/Conversion/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/PatternMatch.h"

namespace kiln {
#define GEN_PASS_DEF_KILNMEMREFCOPYTOLINALGPASS
#include "compiler/Conversion/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace {
struct KilnMemRefCopyToLinalgPass
    : kiln::impl::KilnMemRefCopyToLinalgPassBase<KilnMemRefCopyToLinalgPass> {
  using KilnMemRefCopyToLinalgPassBase::KilnMemRefCopyToLinalgPassBase;

  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    getOperation().walk([&](memref::CopyOp copy) {
      rewriter.setInsertionPoint(copy);
      rewriter.replaceOpWithNewOp<linalg::CopyOp>(copy, copy.getSource(), copy.getTarget());
    });
  }
};
} // namespace
