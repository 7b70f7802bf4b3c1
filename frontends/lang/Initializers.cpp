//===- Initializers.cpp - parameters' initial values -----------------------===//
//
// He (Kaiming) and Glorot (Xavier) as in their papers and PyTorch's torch.nn.init: normal
// draws are not truncated. The generator is a 64-bit SplitMix with Box-Muller, written
// here rather than std::normal_distribution because the standard library's distributions
// differ between implementations, and an artifact's initial weights should not.
//
//===----------------------------------------------------------------------===//
#include "frontends/lang/Initializers.h"

#include "mlir/IR/BuiltinTypes.h"

#include <cmath>
#include <vector>

using namespace mlir;
using namespace kiln::lang;

namespace {

class Random {
public:
  explicit Random(uint64_t seed) : state(seed) {}
  /// Uniform in [0, 1).
  double uniform() { return (next() >> 11) * 0x1.0p-53; }
  double normal() {
    // Box-Muller; 1 - u keeps the logarithm's argument in (0, 1].
    double u = 1.0 - uniform(), v = uniform();
    return std::sqrt(-2.0 * std::log(u)) * std::cos(2.0 * M_PI * v);
  }

private:
  uint64_t next() {
    uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  uint64_t state;
};

/// FNV-1a of the key: a stable seed per parameter.
uint64_t seedOf(llvm::StringRef key) {
  uint64_t hash = 0xcbf29ce484222325ULL;
  for (char c : key)
    hash = (hash ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
  return hash;
}

std::pair<double, double> fans(RankedTensorType type) {
  ArrayRef<int64_t> shape = type.getShape();
  if (shape.empty())
    return {1.0, 1.0};
  if (shape.size() == 1)
    return {double(shape[0]), double(shape[0])};
  double receptive = 1.0;
  for (int64_t dim : shape.drop_front(2))
    receptive *= double(dim);
  return {double(shape[1]) * receptive, double(shape[0]) * receptive};
}

} // namespace

DenseElementsAttr kiln::lang::initialValue(const InitSpec &init, RankedTensorType type,
                                           llvm::StringRef key) {
  Type element = type.getElementType();
  auto splat = [&](double value) {
    return DenseElementsAttr::get(type, FloatAttr::get(element, value));
  };
  auto [fanIn, fanOut] = fans(type);
  bool normal = false;
  double scale = 0.0, low = 0.0, high = 0.0;
  switch (init.kind) {
  case InitSpec::Kind::Zeros:
    return splat(0.0);
  case InitSpec::Kind::Ones:
    return splat(1.0);
  case InitSpec::Kind::Constant:
    return splat(init.a);
  case InitSpec::Kind::HeNormal:
    normal = true;
    scale = std::sqrt(2.0 / (init.fanOut ? fanOut : fanIn));
    break;
  case InitSpec::Kind::HeUniform:
    high = std::sqrt(6.0 / (init.fanOut ? fanOut : fanIn));
    low = -high;
    break;
  case InitSpec::Kind::GlorotNormal:
    normal = true;
    scale = std::sqrt(2.0 / (fanIn + fanOut));
    break;
  case InitSpec::Kind::GlorotUniform:
    high = std::sqrt(6.0 / (fanIn + fanOut));
    low = -high;
    break;
  case InitSpec::Kind::Normal:
    normal = true;
    scale = init.a;
    break;
  case InitSpec::Kind::Uniform:
    low = init.a;
    high = init.b;
    break;
  }
  Random random(seedOf(key));
  int64_t count = type.getNumElements();
  auto draw = [&] { return normal ? scale * random.normal() : low + (high - low) * random.uniform(); };
  if (element.isF64()) {
    std::vector<double> values(count);
    for (double &v : values)
      v = draw();
    return DenseElementsAttr::get(type, llvm::ArrayRef(values));
  }
  std::vector<float> values(count);
  for (float &v : values)
    v = static_cast<float>(draw());
  return DenseElementsAttr::get(type, llvm::ArrayRef(values));
}
