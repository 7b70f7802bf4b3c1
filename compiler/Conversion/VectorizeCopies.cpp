//===- VectorizeCopies.cpp - the kiln-vectorize-copies pass ---------------===//
//
// The copies bufferization leaves (a padded buffer's interior taken out, an activation put
// into a padded buffer) become linalg.copy ops on strided views (kiln-memref-copy-to-linalg)
// and then scalar loops: LLVM did not vectorize them, and in a ResNet-20 training step
// those loops (one float per load and store) were 5 % of the samples. A copy whose rows are
// contiguous in both buffers is written here as loops over the rows, each row moved in
// whole vectors.
//
//===----------------------------------------------------------------------===//
#include "compiler/Conversion/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

namespace kiln {
#define GEN_PASS_DEF_KILNVECTORIZECOPIESPASS
#include "compiler/Conversion/Passes.h.inc"
} // namespace kiln

using namespace mlir;

namespace {

/// The widest vector a row is moved in: 32 floats, four AVX2 registers (LLVM splits wider
/// vector types into registers of the target).
constexpr int64_t kMaxVectorBits = 1024;
/// The narrowest worth a vector: one AVX2 register.
constexpr int64_t kMinVectorBits = 256;

/// The number of elements per vector for rows of `rowLength` elements of `bits` bits: the
/// largest that divides the row, from kMaxVectorBits down to kMinVectorBits; 0 if none.
int64_t vectorLength(int64_t rowLength, int64_t bits) {
  for (int64_t vectorBits = kMaxVectorBits; vectorBits >= kMinVectorBits; vectorBits /= 2) {
    int64_t length = vectorBits / bits;
    if (length > 0 && rowLength % length == 0)
      return length;
  }
  return 0;
}

/// Rewrites `copy` as loops of vector loads and stores when both buffers are statically
/// shaped with contiguous rows and the rows split into whole vectors.
void vectorizeCopy(RewriterBase &rewriter, linalg::CopyOp copy) {
  auto sourceType = dyn_cast<MemRefType>(copy.getInputs()[0].getType());
  auto targetType = dyn_cast<MemRefType>(copy.getOutputs()[0].getType());
  if (!sourceType || !targetType || sourceType.getRank() == 0 ||
      !sourceType.hasStaticShape() || sourceType.getShape() != targetType.getShape() ||
      sourceType.getElementType() != targetType.getElementType() ||
      !sourceType.getElementType().isIntOrFloat() || !isLastMemrefDimUnitStride(sourceType) ||
      !isLastMemrefDimUnitStride(targetType))
    return;
  // Whole bytes only: a vector of i1 is loaded as packed bits, a buffer of i1 holds a byte
  // per element.
  if (sourceType.getElementTypeBitWidth() % 8 != 0)
    return;
  ArrayRef<int64_t> shape = sourceType.getShape();
  int64_t length = vectorLength(shape.back(), sourceType.getElementTypeBitWidth());
  if (length == 0)
    return;

  Location loc = copy.getLoc();
  rewriter.setInsertionPoint(copy);
  Value zero = rewriter.create<arith::ConstantIndexOp>(loc, 0);
  Value one = rewriter.create<arith::ConstantIndexOp>(loc, 1);
  SmallVector<Value> lowerBounds(shape.size(), zero), upperBounds, steps(shape.size(), one);
  for (int64_t size : shape)
    upperBounds.push_back(rewriter.create<arith::ConstantIndexOp>(loc, size));
  steps.back() = rewriter.create<arith::ConstantIndexOp>(loc, length);
  auto vectorType = VectorType::get({length}, sourceType.getElementType());
  Value source = copy.getInputs()[0], target = copy.getOutputs()[0];
  scf::buildLoopNest(rewriter, loc, lowerBounds, upperBounds, steps,
                     [&](OpBuilder &builder, Location loc, ValueRange indices) {
                       Value row = builder.create<vector::LoadOp>(loc, vectorType, source,
                                                                  indices);
                       builder.create<vector::StoreOp>(loc, row, target, indices);
                     });
  rewriter.eraseOp(copy);
}

struct KilnVectorizeCopiesPass
    : kiln::impl::KilnVectorizeCopiesPassBase<KilnVectorizeCopiesPass> {
  using KilnVectorizeCopiesPassBase::KilnVectorizeCopiesPassBase;

  void runOnOperation() override {
    SmallVector<linalg::CopyOp> copies;
    getOperation().walk([&](linalg::CopyOp copy) {
      if (copy.hasPureBufferSemantics())
        copies.push_back(copy);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::CopyOp copy : copies)
      vectorizeCopy(rewriter, copy);
  }
};

} // namespace
