//===- KilnToLinalg.cpp - the kiln-to-linalg pass -------------------------===//
#include "compiler/Conversion/Passes.h"
#include "dialects/Kiln/IR/KilnOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

namespace kiln {
#define GEN_PASS_DEF_KILNTOLINALGPASS
#include "compiler/Conversion/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace {
struct KilnToLinalgPass : kiln::impl::KilnToLinalgPassBase<KilnToLinalgPass> {
  using KilnToLinalgPassBase::KilnToLinalgPassBase;

  void runOnOperation() override {
    MLIRContext *context = &getContext();
    ConversionTarget target(*context);
    target.addLegalDialect<arith::ArithDialect, linalg::LinalgDialect, math::MathDialect,
                           tensor::TensorDialect>();
    target.addIllegalDialect<kiln::KilnDialect>();
    target.addLegalOp<kiln::ParameterOp>();

    RewritePatternSet patterns(context);
    kiln::populateKilnElementwiseToLinalgPatterns(patterns);
    kiln::populateKilnContractionToLinalgPatterns(patterns);
    kiln::populateKilnPoolingToLinalgPatterns(patterns);
    kiln::populateKilnReductionToLinalgPatterns(patterns);
    kiln::populateKilnNormalizationToLinalgPatterns(patterns);
    kiln::populateKilnDataMovementToTensorPatterns(patterns);
    kiln::populateKilnContractionBackwardToLinalgPatterns(patterns);
    kiln::populateKilnGeneratorToLinalgPatterns(patterns);
    if (failed(applyPartialConversion(getOperation(), target, std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
