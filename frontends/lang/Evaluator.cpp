//===- Evaluator.cpp - runs a model program and builds the kiln dialect ----===//
//
// Statements and expressions. Variables follow Python: assignment binds in the current
// block call's frame; `if` and `for` bodies share it; a block sees its parameters, its own
// variables and the file's constants, never its caller's variables.
//
//===----------------------------------------------------------------------===//
#include "frontends/lang/Evaluator.h"
#include "frontends/lang/Initializers.h"

#include "dialects/Kiln/IR/DiagnosticCapture.h"
#include "dialects/Kiln/IR/KilnOps.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"

using namespace mlir;
using namespace kiln::lang;
using llvm::SMLoc;
using llvm::StringRef;


Evaluator::Evaluator(const Program &program, SourceDiagnostics &diagnostics, ModuleOp module,
                     const LangImportOptions &options)
    : program(program), diagnostics(diagnostics), module(module), options(options),
      body(module.getContext()) {
  registerTensorBuiltins(builtins);
  registerLayerBuiltins(builtins);
  registerValueBuiltins(builtins);
  registerTrainingBuiltins(builtins);
}

LogicalResult Evaluator::error(SMLoc at, const llvm::Twine &message) {
  diagnostics.error(at, message);
  return failure();
}

Evaluator::Flow Evaluator::stop(SMLoc at, const llvm::Twine &message) {
  diagnostics.error(at, message);
  return Flow::Failed;
}

//===----------------------------------------------------------------------===//
// Ops and parameters
//===----------------------------------------------------------------------===//

FailureOr<Operation *> Evaluator::finish(Operation *op, SMLoc at, StringRef what, bool infer) {
  std::string messages;
  LogicalResult ok = success();
  {
    kiln::DiagnosticCapture capture(context());
    if (infer) {
      SmallVector<Type> types;
      auto inference = cast<InferTypeOpInterface>(op);
      ok = inference.inferReturnTypes(context(), op->getLoc(), op->getOperands(),
                                      op->getRawDictionaryAttrs(), op->getPropertiesStorage(),
                                      op->getRegions(), types);
      if (succeeded(ok))
        for (auto [result, type] : llvm::zip(op->getResults(), types))
          result.setType(type);
    }
    if (succeeded(ok))
      ok = verify(op, /*verifyRecursively=*/false);
    messages = capture.text();
  }
  if (failed(ok)) {
    op->erase();
    return error(at, what + ": " + (messages.empty() ? "kiln rejects these operands" : messages));
  }
  return op;
}

Value Evaluator::scalar(SMLoc at, double value, Type elementType) {
  auto type = RankedTensorType::get({}, elementType);
  Attribute element = isa<FloatType>(elementType)
                          ? Attribute(FloatAttr::get(elementType, value))
                          : Attribute(IntegerAttr::get(elementType, int64_t(value)));
  return body.create<kiln::ConstantOp>(loc(at), DenseElementsAttr::get(type, element));
}

std::string Evaluator::scoped(StringRef name) const {
  std::string key;
  for (const std::string &scope : scopes)
    if (!scope.empty())
      key += scope + ".";
  return key + name.str();
}

FailureOr<Value> Evaluator::addParameter(SMLoc at, StringRef key, RankedTensorType type,
                                         const InitSpec &init) {
  auto [it, inserted] = parameterKeys.try_emplace(key, at);
  if (!inserted) {
    diagnostics.error(at, "parameter '" + key + "' is already defined");
    diagnostics.note(it->second, "first defined here");
    return failure();
  }
  if (bufferNames.contains(key))
    return error(at, "parameter '" + key + "' has the name of an input");
  bufferNames.insert(key);
  Location location = NameLoc::get(StringAttr::get(context(), key), loc(at));
  OpBuilder moduleBuilder(context());
  moduleBuilder.setInsertionPoint(function);
  moduleBuilder.create<kiln::ParameterOp>(location, moduleBuilder.getStringAttr(key),
                                          TypeAttr::get(type), initialValue(init, type, key));
  argAttrs.push_back(body.getDictionaryAttr(
      {body.getNamedAttr(kiln::kBufferAttrName, body.getStringAttr(key)),
       body.getNamedAttr(kiln::kRoleAttrName, body.getStringAttr("parameter"))}));
  return function.getBody().front().addArgument(type, location);
}

//===----------------------------------------------------------------------===//
// The program
//===----------------------------------------------------------------------===//

LogicalResult Evaluator::run() {
  const Definition *model = nullptr;
  for (const auto &def : program.definitions) {
    if (def->isModel) {
      if (model) {
        diagnostics.error(def->loc, "a file defines one model; '" + model->name +
                                        "' is already defined");
        return failure();
      }
      model = def.get();
      continue;
    }
    if (builtins.count(def->name))
      return error(def->loc, "block '" + def->name + "' has the name of a built-in function");
    if (!blocks.try_emplace(def->name, def.get()).second)
      return error(def->loc, "block '" + def->name + "' is already defined");
    for (const Parameter &parameter : def->parameters)
      if (parameter.name == "name")
        return error(parameter.loc, "'name' is reserved: every block call takes name = \"...\" "
                                    "as the prefix of its parameters' keys");
  }
  if (!model) {
    SMLoc start = SMLoc::getFromPointer(
        diagnostics.manager().getMemoryBuffer(diagnostics.manager().getMainFileID())
            ->getBufferStart());
    return error(start, "the file defines no model (model NAME(...): ...)");
  }

  OpBuilder moduleBuilder(context());
  moduleBuilder.setInsertionPointToEnd(module.getBody());
  function = moduleBuilder.create<func::FuncOp>(loc(model->loc), "forward",
                                                moduleBuilder.getFunctionType({}, {}));
  body.setInsertionPointToEnd(function.addEntryBlock());

  // File-level constants, in order; they may refer to earlier ones.
  frames.emplace_back();
  for (const StmtPtr &statement : program.globals)
    if (execute(*statement) == Flow::Failed)
      return failure();
  globals = std::move(frames.back());
  frames.back().clear();

  // The model's parameters: from the command line (--dim NAME=N) or their defaults.
  for (const Parameter &parameter : model->parameters) {
    auto pinned = options.namedDims.find(parameter.name);
    if (pinned != options.namedDims.end()) {
      frames.back()[parameter.name] = Datum::integer(pinned->second);
    } else if (parameter.defaultValue) {
      FailureOr<Datum> value = evaluate(*parameter.defaultValue);
      if (failed(value))
        return failure();
      frames.back()[parameter.name] = *value;
    } else {
      return error(parameter.loc, "model parameter '" + parameter.name +
                                      "' has no default; set it with --dim " + parameter.name +
                                      "=N");
    }
  }
  Flow flow = execute(model->body);
  if (flow == Flow::Failed)
    return failure();
  if (flow == Flow::Returned)
    return error(model->loc, "a model ends with its 'output' statements, not 'return'");
  return finishFunction(*model);
}

LogicalResult Evaluator::finishFunction(const Definition &model) {
  if (outputs.empty())
    return error(model.loc, "model '" + model.name + "' has no 'output' statement");
  body.create<func::ReturnOp>(loc(model.loc), outputs);
  Block &entry = function.getBody().front();
  function.setType(FunctionType::get(context(), entry.getArgumentTypes(),
                                     ValueRange(outputs).getTypes()));
  function.setAllArgAttrs(argAttrs);
  function.setAllResultAttrs(outputAttrs);
  return success();
}

//===----------------------------------------------------------------------===//
// Statements
//===----------------------------------------------------------------------===//

Evaluator::Flow Evaluator::execute(const Body &statements) {
  for (const StmtPtr &statement : statements) {
    Flow flow = execute(*statement);
    if (flow != Flow::Next)
      return flow;
  }
  return Flow::Next;
}

Evaluator::Flow Evaluator::execute(const Stmt &statement) {
  auto ok = [](LogicalResult result) { return failed(result) ? Flow::Failed : Flow::Next; };
  switch (statement.kind) {
  case Stmt::Kind::Assign: {
    const auto &s = cast<AssignStmt>(statement);
    if (builtins.count(s.name) || blocks.count(s.name))
      return ok(error(s.loc, "'" + s.name + "' names a function; choose another variable name"));
    FailureOr<Datum> value = evaluate(*s.value);
    if (failed(value))
      return Flow::Failed;
    frames.back()[s.name] = *value;
    return Flow::Next;
  }
  case Stmt::Kind::Expr:
    return ok(evaluate(*cast<ExprStmt>(statement).value));
  case Stmt::Kind::If: {
    const auto &s = cast<IfStmt>(statement);
    for (const auto &[conditionExpr, branch] : s.branches) {
      FailureOr<bool> taken = condition(*conditionExpr);
      if (failed(taken))
        return Flow::Failed;
      if (*taken)
        return execute(branch);
    }
    return execute(s.otherwise);
  }
  case Stmt::Kind::For:
    return executeFor(cast<ForStmt>(statement));
  case Stmt::Kind::Return: {
    const auto &s = cast<ReturnStmt>(statement);
    if (scopes.empty())
      return ok(error(s.loc, "'return' outside a block"));
    returned = Datum();
    if (s.value) {
      FailureOr<Datum> value = evaluate(*s.value);
      if (failed(value))
        return Flow::Failed;
      returned = *value;
    }
    return Flow::Returned;
  }
  case Stmt::Kind::Input:
    return executeInput(cast<InputStmt>(statement));
  case Stmt::Kind::Output:
    return executeOutput(cast<OutputStmt>(statement));
  case Stmt::Kind::Param:
    return executeParam(cast<ParamStmt>(statement));
  case Stmt::Kind::Loss:
    return executeLoss(cast<LossStmt>(statement));
  }
  return Flow::Failed;
}

Evaluator::Flow Evaluator::executeFor(const ForStmt &s) {
  FailureOr<Datum> range = evaluate(*s.range);
  if (failed(range))
    return Flow::Failed;
  if (!range->is(Datum::Kind::List)) {
    return stop(s.range->loc, "a loop runs over a list or range(...), not over " + range->describe());
  }
  for (const Datum &element : range->getList()) {
    frames.back()[s.variable] = element;
    Flow flow = execute(s.body);
    if (flow != Flow::Next)
      return flow;
  }
  return Flow::Next;
}

FailureOr<RankedTensorType> Evaluator::tensorType(StringRef dtype, SMLoc dtypeLoc,
                                                  const std::vector<ExprPtr> &dims,
                                                  bool allowSymbolic,
                                                  std::optional<std::string> *batchDim) {
  Type element = llvm::StringSwitch<Type>(dtype)
                     .Case("f32", body.getF32Type())
                     .Case("f64", body.getF64Type())
                     .Case("i32", body.getI32Type())
                     .Case("i64", body.getI64Type())
                     .Default(Type());
  if (!element)
    return error(dtypeLoc, "unknown element type '" + dtype + "' (f32, f64, i32 or i64)");
  SmallVector<int64_t> shape;
  for (auto [i, dim] : llvm::enumerate(dims)) {
    auto *name = dyn_cast<NameExpr>(dim.get());
    bool bound = name && (frames.back().count(name->name) || globals.count(name->name));
    if (allowSymbolic && name && !bound) {
      // A symbolic dimension, pinned at compile time.
      auto pinned = options.namedDims.find(name->name);
      if (pinned != options.namedDims.end())
        shape.push_back(pinned->second);
      else if (i == 0 && options.batch) {
        shape.push_back(*options.batch);
        if (batchDim)
          *batchDim = name->name;
      } else
        return error(dim->loc, "dimension '" + name->name + "' is symbolic; pin it with " +
                                   (i == 0 ? "--batch N or " : "") + "--dim " + name->name +
                                   "=N");
      continue;
    }
    FailureOr<Datum> size = evaluate(*dim);
    if (failed(size))
      return failure();
    if (!size->is(Datum::Kind::Int) || size->getInt() <= 0)
      return error(dim->loc, "a dimension must be a positive integer, got " +
                                 (size->is(Datum::Kind::Int) ? std::to_string(size->getInt())
                                                             : size->describe()));
    shape.push_back(size->getInt());
  }
  return RankedTensorType::get(shape, element);
}

Evaluator::Flow Evaluator::executeInput(const InputStmt &s) {
  if (!scopes.empty())
    return stop(s.loc, "inputs are declared in the model, not in a block");
  std::optional<std::string> batchDim;
  FailureOr<RankedTensorType> type = tensorType(s.dtype, s.dtypeLoc, s.dims, true, &batchDim);
  if (failed(type))
    return Flow::Failed;
  if (!bufferNames.insert(s.name).second) {
    return stop(s.loc, "'" + s.name + "' is already the name of an input or output");
  }
  if (batchDim) {
    // Remembered for the ONNX exporter, which keeps such a dimension symbolic.
    NamedAttrList pinned(module->getAttrOfType<DictionaryAttr>(kiln::kSymbolicBatchAttrName));
    pinned.set(s.name, body.getStringAttr(*batchDim));
    module->setAttr(kiln::kSymbolicBatchAttrName, pinned.getDictionary(context()));
  }
  // Inputs come before the parameters among the arguments, as the ONNX importer orders them.
  Location location = NameLoc::get(StringAttr::get(context(), s.name), loc(s.loc));
  Value argument = function.getBody().front().insertArgument(numInputs, *type, location);
  argAttrs.insert(argAttrs.begin() + numInputs,
                  body.getDictionaryAttr(
                      {body.getNamedAttr(kiln::kBufferAttrName, body.getStringAttr(s.name)),
                       body.getNamedAttr(kiln::kRoleAttrName, body.getStringAttr("input"))}));
  ++numInputs;
  frames.back()[s.name] = Datum::tensor(argument);
  return Flow::Next;
}

Evaluator::Flow Evaluator::executeOutput(const OutputStmt &s) {
  if (!scopes.empty()) {
    return stop(s.loc, "outputs are declared in the model, not in a block");
  }
  FailureOr<Datum> value = evaluate(*s.value);
  if (failed(value))
    return Flow::Failed;
  if (!value->is(Datum::Kind::Tensor)) {
    return stop(s.value->loc, "an output must be a tensor, got " + value->describe());
  }
  if (!bufferNames.insert(s.name).second) {
    return stop(s.loc, "'" + s.name + "' is already the name of an input, parameter or output");
  }
  outputs.push_back(value->getTensor());
  outputAttrs.push_back(body.getDictionaryAttr(
      {body.getNamedAttr(kiln::kBufferAttrName, body.getStringAttr(s.name)),
       body.getNamedAttr(kiln::kRoleAttrName, body.getStringAttr("output"))}));
  frames.back()[s.name] = *value;
  return Flow::Next;
}

Evaluator::Flow Evaluator::executeParam(const ParamStmt &s) {
  FailureOr<RankedTensorType> type = tensorType(s.dtype, s.dtypeLoc, s.dims, false);
  if (failed(type))
    return Flow::Failed;
  if (!isa<FloatType>(type->getElementType())) {
    return stop(s.dtypeLoc, "parameters are floating point (f32 or f64)");
  }
  FailureOr<Datum> init = evaluate(*s.init);
  if (failed(init))
    return Flow::Failed;
  if (!init->is(Datum::Kind::Init)) {
    return stop(s.init->loc, "expected an initialiser such as he_normal() or zeros(), got " +
                           init->describe());
  }
  FailureOr<Value> argument = addParameter(s.loc, scoped(s.name), *type, init->getInit());
  if (failed(argument))
    return Flow::Failed;
  frames.back()[s.name] = Datum::tensor(*argument);
  return Flow::Next;
}

Evaluator::Flow Evaluator::executeLoss(const LossStmt &s) {
  const CallExpr &call = *s.call;
  if (!scopes.empty() || lossDeclared) {
    return stop(s.loc, lossDeclared ? "the model already declares its loss"
                              : "the loss is declared in the model, not in a block");
  }
  // The loss is applied by `kilnc --train` to the first output (docs/training.md), so here
  // it is recorded, not built.
  Signature signature;
  StringRef kind;
  if (call.callee == "softmax_cross_entropy") {
    signature = {{"label_smoothing", Datum::number(0.0)}};
    kind = "softmax-cross-entropy";
  } else if (call.callee == "mse") {
    kind = "mse";
  } else {
    return stop(call.loc, "unknown loss '" + call.callee + "' (softmax_cross_entropy or mse)");
  }
  SmallVector<std::pair<const Argument *, Datum>> given;
  for (const Argument &argument : call.arguments) {
    FailureOr<Datum> value = evaluate(*argument.value);
    if (failed(value))
      return Flow::Failed;
    given.emplace_back(&argument, *value);
  }
  Arguments arguments(*this, call.callee, call.loc);
  if (failed(arguments.bind(signature, given)))
    return Flow::Failed;
  double smoothing = 0.0;
  if (kind == "softmax-cross-entropy") {
    FailureOr<double> value = arguments.number("label_smoothing");
    if (failed(value))
      return Flow::Failed;
    if (*value < 0.0 || *value >= 1.0) {
      return stop(arguments.loc("label_smoothing"), "label_smoothing must be in [0, 1)");
    }
    smoothing = *value;
  }
  module->setAttr("kiln.loss", body.getStringAttr(kind));
  module->setAttr("kiln.label_smoothing", body.getF64FloatAttr(smoothing));
  lossDeclared = true;
  return Flow::Next;
}

FailureOr<bool> Evaluator::condition(const Expr &e) {
  FailureOr<Datum> value = evaluate(e);
  if (failed(value))
    return failure();
  if (value->is(Datum::Kind::Bool))
    return value->getBool();
  if (value->is(Datum::Kind::Int))
    return value->getInt() != 0;
  return error(e.loc, "a condition must be a compile-time boolean, got " + value->describe());
}
