//===- Datum.h - the values a model program computes with -----------------===//
//
// The evaluator runs a model program at compile time: integers, floats, booleans, strings
// and lists are ordinary values; a tensor is the SSA value of the kiln op that computes it;
// an initialiser says how a parameter's initial values are drawn.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_FRONTENDS_LANG_DATUM_H
#define KILN_FRONTENDS_LANG_DATUM_H

#include "mlir/IR/Value.h"

#include <memory>
#include <string>
#include <vector>

namespace kiln::lang {

/// A parameter initialiser: he_normal(), glorot_uniform(), zeros(), constant(0.1), ...
struct InitSpec {
  enum class Kind { Zeros, Ones, Constant, HeNormal, HeUniform, GlorotNormal, GlorotUniform,
                    Normal, Uniform };
  Kind kind = Kind::Zeros;
  /// constant: the value; normal: the standard deviation; uniform: the bounds [a, b).
  double a = 0.0, b = 0.0;
  /// He initialisers: scale by fan-out instead of fan-in (torchvision's ResNet init).
  bool fanOut = false;
};

class Datum {
public:
  enum class Kind { None, Int, Float, Bool, String, List, Tensor, Init };

  Datum() = default;
  static Datum integer(int64_t v) { Datum d(Kind::Int); d.intValue = v; return d; }
  static Datum number(double v) { Datum d(Kind::Float); d.floatValue = v; return d; }
  static Datum boolean(bool v) { Datum d(Kind::Bool); d.intValue = v; return d; }
  static Datum string(std::string v) { Datum d(Kind::String); d.text = std::move(v); return d; }
  static Datum list(std::vector<Datum> v) {
    Datum d(Kind::List);
    d.elements = std::make_shared<std::vector<Datum>>(std::move(v));
    return d;
  }
  static Datum tensor(mlir::Value v) { Datum d(Kind::Tensor); d.value = v; return d; }
  static Datum init(InitSpec v) { Datum d(Kind::Init); d.initSpec = v; return d; }

  Kind kind() const { return k; }
  bool is(Kind kind) const { return k == kind; }
  bool isNone() const { return k == Kind::None; }
  /// Integers and floats (and booleans) are numbers where a float is expected.
  bool isNumber() const { return k == Kind::Int || k == Kind::Float; }

  int64_t getInt() const { return intValue; }
  bool getBool() const { return intValue != 0; }
  double getNumber() const { return k == Kind::Float ? floatValue : double(intValue); }
  const std::string &getString() const { return text; }
  const std::vector<Datum> &getList() const { return *elements; }
  mlir::Value getTensor() const { return value; }
  const InitSpec &getInit() const { return initSpec; }

  /// "an integer", "a tensor of type tensor<8x64xf32>", ... for messages.
  std::string describe() const;
  /// The value as the language would print it (for string interpolation).
  std::string format() const;

private:
  explicit Datum(Kind kind) : k(kind) {}
  Kind k = Kind::None;
  int64_t intValue = 0;
  double floatValue = 0.0;
  std::string text;
  std::shared_ptr<std::vector<Datum>> elements;
  mlir::Value value;
  InitSpec initSpec;
};

} // namespace kiln::lang

#endif // KILN_FRONTENDS_LANG_DATUM_H
