//===- BuiltinsValues.cpp - initialisers and functions of plain values -----===//
#include "frontends/lang/Evaluator.h"

using namespace mlir;
using namespace kiln::lang;

namespace {

Builtin initializer(InitSpec::Kind kind) {
  return {{}, [kind](Evaluator &, Arguments &) -> FailureOr<Datum> {
            InitSpec spec;
            spec.kind = kind;
            return Datum::init(spec);
          }};
}

/// he_normal(mode = "fan_in") and he_uniform(...): "fan_out" is torchvision's ResNet choice.
Builtin heInitializer(InitSpec::Kind kind) {
  return {{{"mode", Datum::string("fan_in")}},
          [kind](Evaluator &evaluator, Arguments &args) -> FailureOr<Datum> {
            FailureOr<std::string> mode = args.string("mode");
            if (failed(mode))
              return failure();
            if (*mode != "fan_in" && *mode != "fan_out")
              return evaluator.error(args.loc("mode"), args.name() +
                                                           ": mode must be \"fan_in\" or \"fan_out\"");
            InitSpec spec;
            spec.kind = kind;
            spec.fanOut = *mode == "fan_out";
            return Datum::init(spec);
          }};
}

FailureOr<Datum> range(Evaluator &evaluator, Arguments &args) {
  FailureOr<int64_t> first = args.integer("a");
  if (failed(first))
    return failure();
  int64_t start = 0, stop = *first, step = 1;
  if (!args.isNone("b")) {
    FailureOr<int64_t> second = args.integer("b");
    if (failed(second))
      return failure();
    start = *first;
    stop = *second;
  }
  if (!args.isNone("step")) {
    FailureOr<int64_t> s = args.integer("step");
    if (failed(s))
      return failure();
    if (*s == 0)
      return evaluator.error(args.loc("step"), "range: the step must not be zero");
    step = *s;
  }
  std::vector<Datum> values;
  for (int64_t i = start; step > 0 ? i < stop : i > stop; i += step)
    values.push_back(Datum::integer(i));
  return Datum::list(std::move(values));
}

/// min(a, b) / max(a, b) of numbers (tensors use minimum / maximum).
Builtin extremum(bool isMax) {
  return {{{"a", {}}, {"b", {}}}, [isMax](Evaluator &evaluator, Arguments &args) -> FailureOr<Datum> {
            const Datum &a = args.get("a"), &b = args.get("b");
            if (!a.isNumber() || !b.isNumber())
              return evaluator.error(args.call(), args.name() + " takes two numbers (for tensors, "
                                                                "use " +
                                                      (isMax ? "maximum" : "minimum") + ")");
            bool pickA = isMax ? a.getNumber() >= b.getNumber() : a.getNumber() <= b.getNumber();
            return pickA ? a : b;
          }};
}

} // namespace

void kiln::lang::registerValueBuiltins(BuiltinTable &table) {
  table["zeros"] = initializer(InitSpec::Kind::Zeros);
  table["ones"] = initializer(InitSpec::Kind::Ones);
  table["glorot_uniform"] = initializer(InitSpec::Kind::GlorotUniform);
  table["glorot_normal"] = initializer(InitSpec::Kind::GlorotNormal);
  table["he_normal"] = heInitializer(InitSpec::Kind::HeNormal);
  table["he_uniform"] = heInitializer(InitSpec::Kind::HeUniform);
  table["constant"] = {{{"value", {}}}, [](Evaluator &, Arguments &args) -> FailureOr<Datum> {
                         FailureOr<double> value = args.number("value");
                         if (failed(value))
                           return failure();
                         InitSpec spec;
                         spec.kind = InitSpec::Kind::Constant;
                         spec.a = *value;
                         return Datum::init(spec);
                       }};
  table["normal"] = {{{"stddev", {}}}, [](Evaluator &evaluator, Arguments &args) -> FailureOr<Datum> {
                       FailureOr<double> stddev = args.number("stddev");
                       if (failed(stddev))
                         return failure();
                       if (*stddev <= 0)
                         return evaluator.error(args.loc("stddev"), "normal: stddev must be positive");
                       InitSpec spec;
                       spec.kind = InitSpec::Kind::Normal;
                       spec.a = *stddev;
                       return Datum::init(spec);
                     }};
  table["uniform"] = {{{"low", {}}, {"high", {}}},
                      [](Evaluator &evaluator, Arguments &args) -> FailureOr<Datum> {
                        FailureOr<double> low = args.number("low"), high = args.number("high");
                        if (failed(low) || failed(high))
                          return failure();
                        if (*low >= *high)
                          return evaluator.error(args.call(), "uniform: low must be below high");
                        InitSpec spec;
                        spec.kind = InitSpec::Kind::Uniform;
                        spec.a = *low;
                        spec.b = *high;
                        return Datum::init(spec);
                      }};
  table["range"] = {{{"a", {}}, {"b", Datum()}, {"step", Datum()}}, range};
  table["len"] = {{{"xs", {}}}, [](Evaluator &, Arguments &args) -> FailureOr<Datum> {
                    const Datum &xs = args.get("xs");
                    if (!xs.is(Datum::Kind::List))
                      return args.mismatch("xs", "a list");
                    return Datum::integer(int64_t(xs.getList().size()));
                  }};
  table["min"] = extremum(false);
  table["max"] = extremum(true);
}
