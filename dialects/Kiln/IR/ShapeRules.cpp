//===- ShapeRules.cpp - shape arithmetic shared by verifiers and lowerings ===//
#include "dialects/Kiln/IR/ShapeRules.h"

#include <algorithm>

using namespace llvm;

std::optional<SmallVector<int64_t>> kiln::broadcastShapes(ArrayRef<int64_t> lhs,
                                                          ArrayRef<int64_t> rhs) {
  size_t rank = std::max(lhs.size(), rhs.size());
  SmallVector<int64_t> result(rank);
  for (size_t i = 0; i < rank; ++i) {
    // Align on the right: a missing leading dimension behaves as size 1.
    int64_t l = i < rank - lhs.size() ? 1 : lhs[i - (rank - lhs.size())];
    int64_t r = i < rank - rhs.size() ? 1 : rhs[i - (rank - rhs.size())];
    if (l != r && l != 1 && r != 1)
      return std::nullopt;
    result[i] = l == 1 ? r : l;
  }
  return result;
}

int64_t kiln::slidingWindowOutputSize(int64_t in, int64_t kernel, int64_t stride,
                                      int64_t padBegin, int64_t padEnd, int64_t dilation,
                                      bool ceilMode) {
  int64_t span = dilation * (kernel - 1) + 1;
  int64_t room = in + padBegin + padEnd - span;
  if (room < 0)
    return 0;
  int64_t out = (ceilMode ? (room + stride - 1) / stride : room / stride) + 1;
  // The rule PyTorch and ONNX share: the last window must start inside the input or the
  // leading padding, never only in padding that ceil mode added.
  if (ceilMode && (out - 1) * stride >= in + padBegin)
    --out;
  return out;
}

int64_t kiln::ceilModeExtraPadding(int64_t in, int64_t kernel, int64_t stride,
                                   int64_t padBegin, int64_t padEnd, int64_t dilation,
                                   int64_t outSize) {
  int64_t span = dilation * (kernel - 1) + 1;
  int64_t needed = (outSize - 1) * stride + span;
  return std::max<int64_t>(0, needed - (in + padBegin + padEnd));
}

int64_t kiln::sliceLength(int64_t start, int64_t end, int64_t step) {
  if (step > 0)
    return end > start ? (end - start + step - 1) / step : 0;
  return start > end ? (start - end + (-step) - 1) / (-step) : 0;
}

int64_t kiln::numElements(ArrayRef<int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}
