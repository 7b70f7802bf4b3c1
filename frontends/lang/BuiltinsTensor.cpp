//===- BuiltinsTensor.cpp - the dialect's ops as functions ------------------===//
//
// One function per forward op of the kiln dialect, named as Keras / NumPy would name it
// (docs/model-language.md lists them next to the op each becomes). Ops that training adds
// (backward forms, batch norm on batch statistics, random masks) are the compiler's, not
// the model's.
//
//===----------------------------------------------------------------------===//
#include "frontends/lang/Builtins.h"

#include "dialects/Kiln/IR/KilnOps.h"

using namespace mlir;
using namespace kiln::lang;
using llvm::StringRef;

//===----------------------------------------------------------------------===//
// Shared helpers
//===----------------------------------------------------------------------===//

FailureOr<RankedTensorType> kiln::lang::imageType(Evaluator &evaluator, const Arguments &args,
                                                  StringRef name) {
  FailureOr<Value> x = args.tensor(name);
  if (failed(x))
    return failure();
  auto type = cast<RankedTensorType>(x->getType());
  if (type.getRank() != 4)
    return evaluator.error(args.loc(name), args.name() + " needs an N x C x H x W tensor, got " +
                                               args.get(name).describe());
  return type;
}

FailureOr<SmallVector<int64_t>> kiln::lang::resolvePads(const Arguments &args, StringRef name,
                                                        RankedTensorType input,
                                                        ArrayRef<int64_t> kernel,
                                                        ArrayRef<int64_t> strides,
                                                        ArrayRef<int64_t> dilations) {
  const Datum &padding = args.get(name);
  if (padding.is(Datum::Kind::String)) {
    if (padding.getString() == "valid")
      return SmallVector<int64_t>{0, 0, 0, 0};
    if (padding.getString() != "same")
      return args.mismatch(name, "an integer, a list of 2 or 4, \"same\" or \"valid\"");
    SmallVector<int64_t> pads(4);
    for (int d = 0; d < 2; ++d) {
      int64_t size = input.getDimSize(2 + d), stride = strides[d];
      int64_t out = (size + stride - 1) / stride;
      int64_t extent = (kernel[d] - 1) * dilations[d] + 1;
      int64_t total = std::max<int64_t>((out - 1) * stride + extent - size, 0);
      pads[d] = total / 2;
      pads[2 + d] = total - total / 2;
    }
    return pads;
  }
  FailureOr<SmallVector<int64_t>> values = args.integers(name);
  if (failed(values))
    return failure();
  if (llvm::any_of(*values, [](int64_t v) { return v < 0; }))
    return args.mismatch(name, "non-negative padding");
  switch (values->size()) {
  case 1:
    return SmallVector<int64_t>(4, values->front());
  case 2:
    return SmallVector<int64_t>{(*values)[0], (*values)[1], (*values)[0], (*values)[1]};
  case 4:
    return *values;
  default:
    return args.mismatch(name, "an integer, a list of 2 or 4, \"same\" or \"valid\"");
  }
}

FailureOr<Value> kiln::lang::buildConvolution(Evaluator &evaluator, const Arguments &args,
                                              Value input, Value filter, Value bias) {
  auto inputType = cast<RankedTensorType>(input.getType());
  auto filterType = cast<RankedTensorType>(filter.getType());
  FailureOr<SmallVector<int64_t>> strides = args.pair("stride"), dilations = args.pair("dilation");
  FailureOr<int64_t> groups = args.integer("groups");
  if (failed(strides) || failed(dilations) || failed(groups))
    return failure();
  if (filterType.getRank() != 4)
    return evaluator.error(args.call(), args.name() + ": the filter must be F x C x KH x KW");
  SmallVector<int64_t> kernel = {filterType.getDimSize(2), filterType.getDimSize(3)};
  FailureOr<SmallVector<int64_t>> pads =
      resolvePads(args, "padding", inputType, kernel, *strides, *dilations);
  if (failed(pads))
    return failure();
  return evaluator.inferred<kiln::Conv2DOp>(args.call(), args.name(), input, filter, bias,
                                            ArrayRef<int64_t>(*strides), ArrayRef<int64_t>(*pads),
                                            ArrayRef<int64_t>(*dilations), uint64_t(*groups));
}

FailureOr<PoolWindow> kiln::lang::poolWindow(const Arguments &args, RankedTensorType input,
                                             bool withDilation) {
  PoolWindow window;
  FailureOr<SmallVector<int64_t>> kernel = args.pair("kernel");
  if (failed(kernel))
    return failure();
  window.kernel = *kernel;
  window.dilations = {1, 1};
  if (withDilation) {
    FailureOr<SmallVector<int64_t>> dilations = args.pair("dilation");
    if (failed(dilations))
      return failure();
    window.dilations = *dilations;
  }
  // Keras's default: the stride is the pool size.
  FailureOr<SmallVector<int64_t>> strides = args.isNone("stride") ? *kernel : args.pair("stride");
  if (failed(strides))
    return failure();
  window.strides = *strides;
  FailureOr<SmallVector<int64_t>> pads =
      resolvePads(args, "padding", input, window.kernel, window.strides, window.dilations);
  if (failed(pads))
    return failure();
  window.pads = *pads;
  return window;
}

FailureOr<SmallVector<int64_t>> kiln::lang::shapeArgument(const Arguments &args, StringRef name) {
  FailureOr<SmallVector<int64_t>> shape = args.integers(name);
  if (failed(shape))
    return failure();
  if (llvm::any_of(*shape, [](int64_t size) { return size < 1; }))
    return args.mismatch(name, "positive sizes");
  return shape;
}

Type kiln::lang::elementTypeNamed(OpBuilder &b, StringRef name) {
  return llvm::StringSwitch<Type>(name)
      .Case("f32", b.getF32Type())
      .Case("f64", b.getF64Type())
      .Case("i32", b.getI32Type())
      .Case("i64", b.getI64Type())
      .Case("bool", b.getI1Type())
      .Default(Type());
}

namespace {

Datum none;
Datum integer(int64_t v) { return Datum::integer(v); }
Datum number(double v) { return Datum::number(v); }
Datum boolean(bool v) { return Datum::boolean(v); }

template <typename OpTy> Builtin unary() {
  return {{{"x", {}}}, [](Evaluator &evaluator, Arguments &args) -> FailureOr<Datum> {
            FailureOr<Value> x = args.tensor("x");
            if (failed(x))
              return failure();
            return asDatum(evaluator.typed<OpTy>(args.call(), args.name(), x->getType(), *x));
          }};
}

template <typename OpTy> Builtin binary() {
  return {{{"a", {}}, {"b", {}}}, [](Evaluator &evaluator, Arguments &args) -> FailureOr<Datum> {
            FailureOr<Value> a = args.tensor("a"), b = args.tensor("b");
            if (failed(a) || failed(b))
              return failure();
            return asDatum(evaluator.inferred<OpTy>(args.call(), args.name(), *a, *b));
          }};
}

template <typename OpTy> Builtin reduction() {
  return {{{"x", {}}, {"axes", {}}, {"keepdims", boolean(false)}},
          [](Evaluator &evaluator, Arguments &args) -> FailureOr<Datum> {
            FailureOr<Value> x = args.tensor("x");
            FailureOr<SmallVector<int64_t>> axes = args.integers("axes");
            FailureOr<bool> keep = args.boolean("keepdims");
            if (failed(x) || failed(axes) || failed(keep))
              return failure();
            int64_t rank = cast<RankedTensorType>(x->getType()).getRank();
            for (int64_t &axis : *axes)
              axis = axis < 0 ? axis + rank : axis;
            llvm::sort(*axes);
            return asDatum(evaluator.inferred<OpTy>(args.call(), args.name(), *x,
                                                    ArrayRef<int64_t>(*axes), *keep));
          }};
}

template <typename OpTy> Builtin axisNorm() {
  return {{{"x", {}}, {"axis", integer(-1)}},
          [](Evaluator &evaluator, Arguments &args) -> FailureOr<Datum> {
            FailureOr<Value> x = args.tensor("x");
            if (failed(x))
              return failure();
            FailureOr<int64_t> axis =
                args.axis("axis", cast<RankedTensorType>(x->getType()).getRank());
            if (failed(axis))
              return failure();
            return asDatum(evaluator.typed<OpTy>(args.call(), args.name(), x->getType(), *x,
                                                 uint64_t(*axis)));
          }};
}

FailureOr<Datum> maxPool(Evaluator &evaluator, Arguments &args) {
  FailureOr<RankedTensorType> type = imageType(evaluator, args, "x");
  if (failed(type))
    return failure();
  FailureOr<PoolWindow> window = poolWindow(args, *type, /*withDilation=*/true);
  FailureOr<bool> ceil = args.boolean("ceil_mode");
  if (failed(window) || failed(ceil))
    return failure();
  return asDatum(evaluator.inferred<kiln::MaxPool2DOp>(
      args.call(), "max_pool", args.get("x").getTensor(), ArrayRef<int64_t>(window->kernel),
      ArrayRef<int64_t>(window->strides), ArrayRef<int64_t>(window->pads),
      ArrayRef<int64_t>(window->dilations), *ceil));
}

FailureOr<Datum> avgPool(Evaluator &evaluator, Arguments &args) {
  FailureOr<RankedTensorType> type = imageType(evaluator, args, "x");
  if (failed(type))
    return failure();
  FailureOr<PoolWindow> window = poolWindow(args, *type, /*withDilation=*/false);
  FailureOr<bool> ceil = args.boolean("ceil_mode"), countPad = args.boolean("count_include_pad");
  if (failed(window) || failed(ceil) || failed(countPad))
    return failure();
  return asDatum(evaluator.inferred<kiln::AvgPool2DOp>(
      args.call(), "avg_pool", args.get("x").getTensor(), ArrayRef<int64_t>(window->kernel),
      ArrayRef<int64_t>(window->strides), ArrayRef<int64_t>(window->pads), *ceil, *countPad));
}

FailureOr<Datum> concat(Evaluator &evaluator, Arguments &args) {
  FailureOr<SmallVector<Value>> inputs = args.tensors("xs");
  if (failed(inputs))
    return failure();
  FailureOr<int64_t> axis =
      args.axis("axis", cast<RankedTensorType>(inputs->front().getType()).getRank());
  if (failed(axis))
    return failure();
  return asDatum(
      evaluator.inferred<kiln::ConcatOp>(args.call(), "concat", ValueRange(*inputs), uint64_t(*axis)));
}

FailureOr<Datum> reshape(Evaluator &evaluator, Arguments &args) {
  FailureOr<Value> x = args.tensor("x");
  FailureOr<SmallVector<int64_t>> shape = args.integers("shape");
  if (failed(x) || failed(shape))
    return failure();
  auto type = cast<RankedTensorType>(x->getType());
  // One -1 takes what the others leave, as in NumPy.
  int64_t known = 1, inferredAt = -1;
  for (auto [i, dim] : llvm::enumerate(*shape)) {
    if (dim == -1 && inferredAt < 0) {
      inferredAt = i;
      continue;
    }
    if (dim <= 0)
      return args.mismatch("shape", "positive sizes and at most one -1");
    known *= dim;
  }
  if (inferredAt >= 0)
    (*shape)[inferredAt] = known ? type.getNumElements() / known : 0;
  return asDatum(evaluator.typed<kiln::ReshapeOp>(
      args.call(), "reshape", RankedTensorType::get(*shape, type.getElementType()), *x));
}

template <typename OpTy> Builtin axesOp(const char *argument) {
  return {{{"x", {}}, {argument, {}}},
          [argument](Evaluator &evaluator, Arguments &args) -> FailureOr<Datum> {
            FailureOr<Value> x = args.tensor("x");
            FailureOr<SmallVector<int64_t>> values = args.integers(argument);
            if (failed(x) || failed(values))
              return failure();
            return asDatum(evaluator.inferred<OpTy>(args.call(), args.name(), *x,
                                                    ArrayRef<int64_t>(*values)));
          }};
}

FailureOr<Datum> pad(Evaluator &evaluator, Arguments &args) {
  FailureOr<Value> x = args.tensor("x");
  FailureOr<SmallVector<int64_t>> pads = args.integers("pads");
  FailureOr<double> value = args.number("value");
  if (failed(x) || failed(pads) || failed(value))
    return failure();
  OpBuilder &b = evaluator.builder();
  return asDatum(evaluator.inferred<kiln::PadOp>(args.call(), "pad", *x,
                                                 b.getDenseI64ArrayAttr(*pads),
                                                 b.getF64FloatAttr(*value)));
}

FailureOr<Datum> gemm(Evaluator &evaluator, Arguments &args) {
  FailureOr<Value> a = args.tensor("a"), b = args.tensor("b");
  FailureOr<bool> transA = args.boolean("trans_a"), transB = args.boolean("trans_b");
  FailureOr<double> alpha = args.number("alpha"), beta = args.number("beta");
  if (failed(a) || failed(b) || failed(transA) || failed(transB) || failed(alpha) || failed(beta))
    return failure();
  Value c;
  if (!args.isNone("c")) {
    FailureOr<Value> given = args.tensor("c");
    if (failed(given))
      return failure();
    c = *given;
  }
  OpBuilder &builder = evaluator.builder();
  return asDatum(evaluator.inferred<kiln::GemmOp>(
      args.call(), "gemm", *a, *b, c, builder.getBoolAttr(*transA), builder.getBoolAttr(*transB),
      builder.getF64FloatAttr(*alpha), builder.getF64FloatAttr(*beta)));
}

FailureOr<Datum> conv(Evaluator &evaluator, Arguments &args) {
  FailureOr<Value> x = args.tensor("x"), w = args.tensor("w");
  if (failed(x) || failed(w))
    return failure();
  Value bias;
  if (!args.isNone("bias")) {
    FailureOr<Value> b = args.tensor("bias");
    if (failed(b))
      return failure();
    bias = *b;
  }
  return asDatum(buildConvolution(evaluator, args, *x, *w, bias));
}

FailureOr<Datum> batchNormInference(Evaluator &evaluator, Arguments &args) {
  SmallVector<Value> operands;
  for (StringRef name : {"x", "scale", "bias", "mean", "variance"}) {
    FailureOr<Value> v = args.tensor(name);
    if (failed(v))
      return failure();
    operands.push_back(*v);
  }
  FailureOr<double> epsilon = args.number("epsilon");
  if (failed(epsilon))
    return failure();
  return asDatum(evaluator.typed<kiln::BatchNormInferenceOp>(
      args.call(), "batch_norm_inference", operands[0].getType(), operands[0], operands[1],
      operands[2], operands[3], operands[4], evaluator.builder().getF64FloatAttr(*epsilon)));
}

FailureOr<Datum> castOp(Evaluator &evaluator, Arguments &args) {
  FailureOr<Value> x = args.tensor("x");
  FailureOr<std::string> dtype = args.string("dtype");
  if (failed(x) || failed(dtype))
    return failure();
  Type element = elementTypeNamed(evaluator.builder(), *dtype);
  if (!element)
    return evaluator.error(args.loc("dtype"), "cast: unknown element type '" + *dtype + "'");
  auto type = cast<RankedTensorType>(x->getType()).clone(element);
  return asDatum(evaluator.typed<kiln::CastOp>(args.call(), "cast", type, *x));
}

FailureOr<Datum> full(Evaluator &evaluator, Arguments &args) {
  FailureOr<SmallVector<int64_t>> shape = shapeArgument(args, "shape");
  FailureOr<double> value = args.number("value");
  FailureOr<std::string> dtype = args.string("dtype");
  if (failed(shape) || failed(value) || failed(dtype))
    return failure();
  Type element = elementTypeNamed(evaluator.builder(), *dtype);
  if (!element || element.isInteger(1))
    return evaluator.error(args.loc("dtype"), "full: unknown element type '" + *dtype + "'");
  auto type = RankedTensorType::get(*shape, element);
  Attribute v = isa<FloatType>(element) ? Attribute(FloatAttr::get(element, *value))
                                        : Attribute(IntegerAttr::get(element, int64_t(*value)));
  return asDatum(evaluator.inferred<kiln::ConstantOp>(args.call(), "full",
                                                      DenseElementsAttr::get(type, v)));
}

FailureOr<Datum> compare(Evaluator &evaluator, Arguments &args) {
  FailureOr<Value> a = args.tensor("a"), b = args.tensor("b");
  FailureOr<std::string> predicate = args.string("predicate");
  if (failed(a) || failed(b) || failed(predicate))
    return failure();
  if (!llvm::is_contained({"eq", "ne", "lt", "le", "gt", "ge"}, *predicate))
    return args.mismatch("predicate", "one of \"eq\", \"ne\", \"lt\", \"le\", \"gt\", \"ge\"");
  return asDatum(evaluator.inferred<kiln::CompareOp>(
      args.call(), "compare", *a, *b, evaluator.builder().getStringAttr(*predicate)));
}

FailureOr<Datum> selectWhere(Evaluator &evaluator, Arguments &args) {
  FailureOr<Value> condition = args.tensor("condition"), onTrue = args.tensor("on_true"),
                   onFalse = args.tensor("on_false");
  if (failed(condition) || failed(onTrue) || failed(onFalse))
    return failure();
  return asDatum(
      evaluator.inferred<kiln::SelectOp>(args.call(), "select", *condition, *onTrue, *onFalse));
}

/// Class indices -> rows of `depth` floats (f32): on_value at the index, off_value elsewhere.
FailureOr<Datum> oneHot(Evaluator &evaluator, Arguments &args) {
  FailureOr<Value> indices = args.tensor("indices");
  FailureOr<int64_t> depth = args.integer("depth");
  FailureOr<double> on = args.number("on_value"), off = args.number("off_value");
  if (failed(indices) || failed(depth) || failed(on) || failed(off))
    return failure();
  if (*depth < 1)
    return args.mismatch("depth", "a positive integer");
  SmallVector<int64_t> shape(cast<RankedTensorType>(indices->getType()).getShape());
  shape.push_back(*depth);
  OpBuilder &b = evaluator.builder();
  return asDatum(evaluator.typed<kiln::OneHotOp>(
      args.call(), "one_hot", RankedTensorType::get(shape, b.getF32Type()), *indices,
      b.getI64IntegerAttr(*depth), b.getF64FloatAttr(*on), b.getF64FloatAttr(*off)));
}

FailureOr<Datum> broadcastTo(Evaluator &evaluator, Arguments &args) {
  FailureOr<Value> x = args.tensor("x");
  FailureOr<SmallVector<int64_t>> shape = shapeArgument(args, "shape");
  if (failed(x) || failed(shape))
    return failure();
  Type element = cast<RankedTensorType>(x->getType()).getElementType();
  return asDatum(evaluator.typed<kiln::BroadcastToOp>(
      args.call(), "broadcast_to", RankedTensorType::get(*shape, element), *x));
}

} // namespace

void kiln::lang::registerTensorBuiltins(BuiltinTable &table) {
  table["relu"] = unary<kiln::ReluOp>();
  table["sigmoid"] = unary<kiln::SigmoidOp>();
  table["tanh"] = unary<kiln::TanhOp>();
  table["exp"] = unary<kiln::ExpOp>();
  table["log"] = unary<kiln::LogOp>();
  table["sqrt"] = unary<kiln::SqrtOp>();
  table["neg"] = unary<kiln::NegOp>();
  table["reciprocal"] = unary<kiln::ReciprocalOp>();
  table["abs"] = unary<kiln::AbsOp>();
  table["identity"] = unary<kiln::IdentityOp>();
  table["add"] = binary<kiln::AddOp>();
  table["sub"] = binary<kiln::SubOp>();
  table["mul"] = binary<kiln::MulOp>();
  table["div"] = binary<kiln::DivOp>();
  table["maximum"] = binary<kiln::MaxOp>();
  table["minimum"] = binary<kiln::MinOp>();
  table["pow"] = binary<kiln::PowOp>();
  table["matmul"] = binary<kiln::MatMulOp>();
  table["reduce_sum"] = reduction<kiln::ReduceSumOp>();
  table["reduce_mean"] = reduction<kiln::ReduceMeanOp>();
  table["reduce_max"] = reduction<kiln::ReduceMaxOp>();
  table["softmax"] = axisNorm<kiln::SoftmaxOp>();
  table["log_softmax"] = axisNorm<kiln::LogSoftmaxOp>();
  table["squeeze"] = axesOp<kiln::SqueezeOp>("axes");
  table["unsqueeze"] = axesOp<kiln::UnsqueezeOp>("axes");
  table["transpose"] = axesOp<kiln::TransposeOp>("perm");
  table["compare"] = {{{"a", {}}, {"b", {}}, {"predicate", {}}}, compare};
  table["select"] = {{{"condition", {}}, {"on_true", {}}, {"on_false", {}}}, selectWhere};
  table["one_hot"] = {{{"indices", {}}, {"depth", {}}, {"on_value", number(1.0)},
                       {"off_value", number(0.0)}},
                      oneHot};
  table["broadcast_to"] = {{{"x", {}}, {"shape", {}}}, broadcastTo};

  table["leaky_relu"] = {{{"x", {}}, {"alpha", number(0.01)}},
                         [](Evaluator &evaluator, Arguments &args) -> FailureOr<Datum> {
                           FailureOr<Value> x = args.tensor("x");
                           FailureOr<double> alpha = args.number("alpha");
                           if (failed(x) || failed(alpha))
                             return failure();
                           return asDatum(evaluator.typed<kiln::LeakyReluOp>(
                               args.call(), "leaky_relu", x->getType(), *x,
                               evaluator.builder().getF64FloatAttr(*alpha)));
                         }};
  table["clip"] = {{{"x", {}}, {"min", none}, {"max", none}},
                   [](Evaluator &evaluator, Arguments &args) -> FailureOr<Datum> {
                     FailureOr<Value> x = args.tensor("x");
                     if (failed(x))
                       return failure();
                     FloatAttr bounds[2];
                     StringRef names[] = {"min", "max"};
                     for (int i = 0; i < 2; ++i) {
                       if (args.isNone(names[i]))
                         continue;
                       FailureOr<double> v = args.number(names[i]);
                       if (failed(v))
                         return failure();
                       bounds[i] = evaluator.builder().getF64FloatAttr(*v);
                     }
                     return asDatum(evaluator.typed<kiln::ClipOp>(args.call(), "clip",
                                                                  x->getType(), *x, bounds[0],
                                                                  bounds[1]));
                   }};
  table["dropout"] = {{{"x", {}}, {"rate", number(0.5)}},
                      [](Evaluator &evaluator, Arguments &args) -> FailureOr<Datum> {
                        FailureOr<Value> x = args.tensor("x");
                        FailureOr<double> rate = args.number("rate");
                        if (failed(x) || failed(rate))
                          return failure();
                        return asDatum(evaluator.typed<kiln::DropoutOp>(
                            args.call(), "dropout", x->getType(), *x,
                            evaluator.builder().getF64FloatAttr(*rate)));
                      }};
  table["cast"] = {{{"x", {}}, {"dtype", {}}}, castOp};
  table["max_pool"] = {{{"x", {}},
                        {"kernel", {}},
                        {"stride", none},
                        {"padding", integer(0)},
                        {"dilation", integer(1)},
                        {"ceil_mode", boolean(false)}},
                       maxPool};
  table["avg_pool"] = {{{"x", {}},
                        {"kernel", {}},
                        {"stride", none},
                        {"padding", integer(0)},
                        {"ceil_mode", boolean(false)},
                        {"count_include_pad", boolean(false)}},
                       avgPool};
  table["global_avg_pool"] = {{{"x", {}}},
                              [](Evaluator &evaluator, Arguments &args) -> FailureOr<Datum> {
                                FailureOr<Value> x = args.tensor("x");
                                if (failed(x))
                                  return failure();
                                return asDatum(evaluator.inferred<kiln::GlobalAvgPoolOp>(
                                    args.call(), "global_avg_pool", *x));
                              }};
  table["global_max_pool"] = {{{"x", {}}},
                              [](Evaluator &evaluator, Arguments &args) -> FailureOr<Datum> {
                                FailureOr<Value> x = args.tensor("x");
                                if (failed(x))
                                  return failure();
                                return asDatum(evaluator.inferred<kiln::GlobalMaxPoolOp>(
                                    args.call(), "global_max_pool", *x));
                              }};
  table["concat"] = {{{"xs", {}}, {"axis", integer(1)}}, concat};
  table["reshape"] = {{{"x", {}}, {"shape", {}}}, reshape};
  table["flatten"] = {{{"x", {}}, {"axis", integer(1)}},
                      [](Evaluator &evaluator, Arguments &args) -> FailureOr<Datum> {
                        FailureOr<Value> x = args.tensor("x");
                        FailureOr<int64_t> axis = args.integer("axis");
                        if (failed(x) || failed(axis))
                          return failure();
                        return asDatum(evaluator.inferred<kiln::FlattenOp>(args.call(), "flatten",
                                                                           *x, uint64_t(*axis)));
                      }};
  table["pad"] = {{{"x", {}}, {"pads", {}}, {"value", number(0.0)}}, pad};
  table["gemm"] = {{{"a", {}},
                    {"b", {}},
                    {"c", none},
                    {"trans_a", boolean(false)},
                    {"trans_b", boolean(false)},
                    {"alpha", number(1.0)},
                    {"beta", number(1.0)}},
                   gemm};
  table["conv"] = {{{"x", {}},
                    {"w", {}},
                    {"bias", none},
                    {"stride", integer(1)},
                    {"padding", integer(0)},
                    {"dilation", integer(1)},
                    {"groups", integer(1)}},
                   conv};
  table["batch_norm_inference"] = {{{"x", {}},
                                    {"scale", {}},
                                    {"bias", {}},
                                    {"mean", {}},
                                    {"variance", {}},
                                    {"epsilon", number(1e-5)}},
                                   batchNormInference};
  table["full"] = {{{"shape", {}}, {"value", {}}, {"dtype", Datum::string("f32")}}, full};
}
