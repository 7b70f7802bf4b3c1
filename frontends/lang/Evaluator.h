//===- Evaluator.h - runs a model program and builds the kiln dialect ------===//
//
// The model program is evaluated at compile time: integer arithmetic, conditionals, loops
// and block calls run here, and every tensor operation becomes the kiln op that computes
// it, so the result is straight-line kiln IR in `func.func @forward`. Built-in functions
// (Builtins*.cpp) receive their arguments bound to a signature (Arguments).
//
//===----------------------------------------------------------------------===//
#ifndef KILN_FRONTENDS_LANG_EVALUATOR_H
#define KILN_FRONTENDS_LANG_EVALUATOR_H

#include "frontends/lang/AST.h"
#include "frontends/lang/Datum.h"
#include "frontends/lang/LangImporter.h"
#include "frontends/lang/SourceDiagnostics.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"

#include <functional>
#include <optional>
#include <string>

namespace kiln::lang {

class Evaluator;

/// One parameter of a built-in's signature: required when it has no default.
struct ParamSpec {
  const char *name;
  std::optional<Datum> defaultValue;
};
using Signature = std::vector<ParamSpec>;

/// A call's arguments bound to a signature, with typed accessors that report a wrong
/// kind of value at the argument's position.
class Arguments {
public:
  Arguments(Evaluator &evaluator, llvm::StringRef callee, llvm::SMLoc callLoc)
      : evaluator(evaluator), callee(callee), callLoc(callLoc) {}

  /// Binds positional and keyword arguments to `signature`; reports unknown keywords,
  /// repeated or missing arguments, and too many positional ones.
  mlir::LogicalResult bind(const Signature &signature,
                           llvm::ArrayRef<std::pair<const Argument *, Datum>> given);

  const Datum &get(llvm::StringRef name) const { return values.find(name)->second; }
  bool isNone(llvm::StringRef name) const { return get(name).isNone(); }
  /// Where the argument was written, or the call if it took its default.
  llvm::SMLoc loc(llvm::StringRef name) const;
  llvm::SMLoc call() const { return callLoc; }
  llvm::StringRef name() const { return callee; }

  mlir::FailureOr<mlir::Value> tensor(llvm::StringRef name) const;
  mlir::FailureOr<llvm::SmallVector<mlir::Value>> tensors(llvm::StringRef name) const;
  mlir::FailureOr<int64_t> integer(llvm::StringRef name) const;
  mlir::FailureOr<double> number(llvm::StringRef name) const;
  mlir::FailureOr<bool> boolean(llvm::StringRef name) const;
  mlir::FailureOr<std::string> string(llvm::StringRef name) const;
  mlir::FailureOr<InitSpec> init(llvm::StringRef name) const;
  /// An integer or a list of integers.
  mlir::FailureOr<llvm::SmallVector<int64_t>> integers(llvm::StringRef name) const;
  /// An integer n (meaning [n, n]) or a list of two: kernel sizes, strides, dilations.
  mlir::FailureOr<llvm::SmallVector<int64_t>> pair(llvm::StringRef name) const;
  /// An axis in [-rank, rank), normalised.
  mlir::FailureOr<int64_t> axis(llvm::StringRef name, int64_t rank) const;

  /// "conv2d: argument 'kernel' must be ..., got ..." at the argument.
  mlir::LogicalResult mismatch(llvm::StringRef name, llvm::StringRef expected) const;

private:
  Evaluator &evaluator;
  std::string callee;
  llvm::SMLoc callLoc;
  llvm::StringMap<Datum> values;
  llvm::StringMap<llvm::SMLoc> locs;
};

/// A built tensor (or the failure to build it) as a value of the language.
inline mlir::FailureOr<Datum> asDatum(mlir::FailureOr<mlir::Value> value) {
  if (mlir::failed(value))
    return mlir::failure();
  return Datum::tensor(*value);
}

using BuiltinFn = std::function<mlir::FailureOr<Datum>(Evaluator &, Arguments &)>;
struct Builtin {
  Signature signature;
  BuiltinFn run;
};
using BuiltinTable = llvm::StringMap<Builtin>;

/// Tensor operations (BuiltinsTensor.cpp), layers with parameters (BuiltinsLayers.cpp),
/// initialisers and helpers on plain values (BuiltinsValues.cpp).
void registerTensorBuiltins(BuiltinTable &table);
void registerLayerBuiltins(BuiltinTable &table);
void registerValueBuiltins(BuiltinTable &table);
void registerTrainingBuiltins(BuiltinTable &table);

class Evaluator {
public:
  Evaluator(const Program &program, SourceDiagnostics &diagnostics, mlir::ModuleOp module,
            const LangImportOptions &options);

  /// Evaluates the constants and the model, building `func.func @forward`.
  mlir::LogicalResult run();

  //===--------------------------------------------------------------------===//
  // For the built-ins
  //===--------------------------------------------------------------------===//

  mlir::MLIRContext *context() { return module.getContext(); }
  mlir::OpBuilder &builder() { return body; }
  mlir::Location loc(llvm::SMLoc at) { return diagnostics.location(context(), at); }
  mlir::LogicalResult error(llvm::SMLoc at, const llvm::Twine &message);

  /// The checkpoint key of a layer named `name` in the current block scope:
  /// "layer3.2" + "conv1" -> "layer3.2.conv1".
  std::string scoped(llvm::StringRef name) const;
  /// Declares `kiln.parameter @<key>` with values drawn by `init`, and returns the entry
  /// argument that carries it. A key used twice is an error at `at`.
  mlir::FailureOr<mlir::Value> addParameter(llvm::SMLoc at, llvm::StringRef key,
                                            mlir::RankedTensorType type, const InitSpec &init);

  /// Builds a kiln op that infers its result type, verifies it and returns its result;
  /// a shape or verifier error is reported at `at`, naming the built-in.
  template <typename OpTy, typename... Args>
  mlir::FailureOr<mlir::Value> inferred(llvm::SMLoc at, llvm::StringRef what, Args &&...args) {
    auto op = body.create<OpTy>(loc(at), mlir::NoneType::get(context()),
                                std::forward<Args>(args)...);
    return firstResult(finish(op.getOperation(), at, what, /*infer=*/true));
  }
  /// As `inferred`, for ops with `numResults` results.
  template <typename OpTy, typename... Args>
  mlir::FailureOr<mlir::Operation *> inferredOp(llvm::SMLoc at, llvm::StringRef what,
                                                unsigned numResults, Args &&...args) {
    llvm::SmallVector<mlir::Type> placeholders(numResults, mlir::NoneType::get(context()));
    auto op = body.create<OpTy>(loc(at), mlir::TypeRange(placeholders),
                                std::forward<Args>(args)...);
    return finish(op.getOperation(), at, what, /*infer=*/true);
  }
  /// Builds a kiln op with the given result type and verifies it.
  template <typename OpTy, typename... Args>
  mlir::FailureOr<mlir::Value> typed(llvm::SMLoc at, llvm::StringRef what, mlir::Type type,
                                     Args &&...args) {
    auto op = body.create<OpTy>(loc(at), type, std::forward<Args>(args)...);
    return firstResult(finish(op.getOperation(), at, what, /*infer=*/false));
  }
  /// A rank-0 constant of `elementType` (a float or integer scalar in tensor arithmetic).
  mlir::Value scalar(llvm::SMLoc at, double value, mlir::Type elementType);

private:
  enum class Flow { Next, Returned, Failed };
  /// Reports an error and stops the statement that found it.
  Flow stop(llvm::SMLoc at, const llvm::Twine &message);

  mlir::FailureOr<mlir::Operation *> finish(mlir::Operation *op, llvm::SMLoc at,
                                            llvm::StringRef what, bool infer);
  static mlir::FailureOr<mlir::Value> firstResult(mlir::FailureOr<mlir::Operation *> op) {
    if (mlir::failed(op))
      return mlir::failure();
    return (*op)->getResult(0);
  }

  Flow execute(const Body &statements);
  Flow execute(const Stmt &statement);
  Flow executeInput(const InputStmt &s);
  Flow executeOutput(const OutputStmt &s);
  Flow executeParam(const ParamStmt &s);
  Flow executeLoss(const LossStmt &s);
  Flow executeFor(const ForStmt &s);

  mlir::FailureOr<Datum> evaluate(const Expr &e);
  mlir::FailureOr<Datum> evaluateName(const NameExpr &e);
  mlir::FailureOr<Datum> evaluateString(const StringExpr &e);
  mlir::FailureOr<Datum> evaluateUnary(const UnaryExpr &e);
  mlir::FailureOr<Datum> evaluateBinary(const BinaryExpr &e);
  mlir::FailureOr<Datum> evaluateCall(const CallExpr &e);
  mlir::FailureOr<Datum> evaluateIndex(const IndexExpr &e);
  mlir::FailureOr<Datum> evaluateAttribute(const AttributeExpr &e);
  mlir::FailureOr<Datum> callBlock(const Definition &block, const CallExpr &call,
                                   llvm::ArrayRef<std::pair<const Argument *, Datum>> given);
  mlir::FailureOr<Datum> tensorArithmetic(const BinaryExpr &e, const Datum &lhs,
                                          const Datum &rhs);
  mlir::FailureOr<Datum> sliceTensor(const IndexExpr &e, mlir::Value tensor);
  mlir::FailureOr<bool> condition(const Expr &e);
  /// The dimensions of an input or parameter: integers, or (inputs only) symbolic names
  /// pinned by the options. Sets `batchDim` to the leading dimension's name when the batch
  /// option pinned it.
  mlir::FailureOr<mlir::RankedTensorType> tensorType(llvm::StringRef dtype, llvm::SMLoc dtypeLoc,
                                                     const std::vector<ExprPtr> &dims,
                                                     bool allowSymbolic,
                                                     std::optional<std::string> *batchDim = nullptr);
  mlir::LogicalResult finishFunction(const Definition &model);

  const Program &program;
  SourceDiagnostics &diagnostics;
  mlir::ModuleOp module;
  const LangImportOptions &options;
  BuiltinTable builtins;
  llvm::StringMap<const Definition *> blocks;

  mlir::OpBuilder body;
  mlir::func::FuncOp function;
  llvm::StringMap<Datum> globals;
  /// The variables of each active block call, innermost last; the model's at the bottom.
  std::vector<llvm::StringMap<Datum>> frames;
  /// Checkpoint-key prefixes of the active block calls ("layer3.2").
  std::vector<std::string> scopes;
  Datum returned;

  unsigned numInputs = 0;
  llvm::SmallVector<mlir::Attribute> argAttrs; ///< inputs first, then parameters
  llvm::StringMap<llvm::SMLoc> parameterKeys;
  llvm::StringSet<> bufferNames;
  llvm::SmallVector<mlir::Value> outputs;
  llvm::SmallVector<mlir::Attribute> outputAttrs;
  bool lossDeclared = false;
};

} // namespace kiln::lang

#endif // KILN_FRONTENDS_LANG_EVALUATOR_H
