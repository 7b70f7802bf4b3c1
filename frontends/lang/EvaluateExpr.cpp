//===- EvaluateExpr.cpp - expressions of the model language ---------------===//
//
// Arithmetic on integers is exact and checked (division by zero, overflow are errors);
// arithmetic with a tensor operand becomes the kiln op, a number broadcasting as a rank-0
// constant; calls reach a built-in or a block.
//
//===----------------------------------------------------------------------===//
#include "frontends/lang/Evaluator.h"

#include "dialects/Kiln/IR/KilnOps.h"

#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace kiln::lang;
using llvm::SMLoc;
using llvm::StringRef;

namespace {
/// Deep enough for any real network's nesting, shallow enough that a block calling itself
/// stops with a message instead of exhausting the stack.
constexpr size_t kMaxCallDepth = 64;
} // namespace

FailureOr<Datum> Evaluator::evaluate(const Expr &e) {
  switch (e.kind) {
  case Expr::Kind::Int:
    return Datum::integer(cast<IntExpr>(e).value);
  case Expr::Kind::Float:
    return Datum::number(cast<FloatExpr>(e).value);
  case Expr::Kind::Bool:
    return Datum::boolean(cast<BoolExpr>(e).value);
  case Expr::Kind::None:
    return Datum();
  case Expr::Kind::String:
    return evaluateString(cast<StringExpr>(e));
  case Expr::Kind::Name:
    return evaluateName(cast<NameExpr>(e));
  case Expr::Kind::List: {
    std::vector<Datum> elements;
    for (const ExprPtr &element : cast<ListExpr>(e).elements) {
      FailureOr<Datum> value = evaluate(*element);
      if (failed(value))
        return failure();
      elements.push_back(*value);
    }
    return Datum::list(std::move(elements));
  }
  case Expr::Kind::Unary:
    return evaluateUnary(cast<UnaryExpr>(e));
  case Expr::Kind::Binary:
    return evaluateBinary(cast<BinaryExpr>(e));
  case Expr::Kind::Ternary: {
    const auto &t = cast<TernaryExpr>(e);
    FailureOr<bool> taken = condition(*t.condition);
    if (failed(taken))
      return failure();
    return evaluate(*taken ? *t.onTrue : *t.onFalse);
  }
  case Expr::Kind::Call:
    return evaluateCall(cast<CallExpr>(e));
  case Expr::Kind::Index:
    return evaluateIndex(cast<IndexExpr>(e));
  case Expr::Kind::Attribute:
    return evaluateAttribute(cast<AttributeExpr>(e));
  }
  return failure();
}

FailureOr<Datum> Evaluator::evaluateName(const NameExpr &e) {
  auto local = frames.back().find(e.name);
  if (local != frames.back().end())
    return local->second;
  auto global = globals.find(e.name);
  if (global != globals.end())
    return global->second;
  if (builtins.count(e.name) || blocks.count(e.name))
    return error(e.loc, "'" + e.name + "' is a function; call it: " + e.name + "(...)");
  return error(e.loc, "unknown name '" + e.name + "'");
}

FailureOr<Datum> Evaluator::evaluateString(const StringExpr &e) {
  std::string text;
  for (const StringExpr::Piece &piece : e.pieces) {
    if (!piece.expr) {
      text += piece.text;
      continue;
    }
    FailureOr<Datum> value = evaluate(*piece.expr);
    if (failed(value))
      return failure();
    if (value->is(Datum::Kind::Tensor) || value->is(Datum::Kind::Init))
      return error(piece.expr->loc, "only numbers, strings and lists can be put in a string");
    text += value->format();
  }
  return Datum::string(std::move(text));
}

FailureOr<Datum> Evaluator::evaluateUnary(const UnaryExpr &e) {
  if (e.op == UnaryOp::Not) {
    FailureOr<bool> value = condition(*e.operand);
    return failed(value) ? FailureOr<Datum>(failure()) : Datum::boolean(!*value);
  }
  FailureOr<Datum> operand = evaluate(*e.operand);
  if (failed(operand))
    return failure();
  switch (operand->kind()) {
  case Datum::Kind::Int:
    return Datum::integer(-operand->getInt());
  case Datum::Kind::Float:
    return Datum::number(-operand->getNumber());
  case Datum::Kind::Tensor:
    return asDatum(typed<kiln::NegOp>(e.loc, "'-'", operand->getTensor().getType(),
                                      operand->getTensor()));
  default:
    return error(e.loc, "cannot negate " + operand->describe());
  }
}

FailureOr<Datum> Evaluator::evaluateBinary(const BinaryExpr &e) {
  if (e.op == BinaryOp::And || e.op == BinaryOp::Or) {
    // Short-circuit, as in Python: `i > 0 and xs[i - 1] ...` must not index when i == 0.
    FailureOr<bool> lhs = condition(*e.lhs);
    if (failed(lhs))
      return failure();
    if (*lhs == (e.op == BinaryOp::Or))
      return Datum::boolean(*lhs);
    FailureOr<bool> rhs = condition(*e.rhs);
    return failed(rhs) ? FailureOr<Datum>(failure()) : Datum::boolean(*rhs);
  }
  FailureOr<Datum> lhs = evaluate(*e.lhs), rhs = failure();
  if (failed(lhs) || failed(rhs = evaluate(*e.rhs)))
    return failure();
  if (lhs->is(Datum::Kind::Tensor) || rhs->is(Datum::Kind::Tensor))
    return tensorArithmetic(e, *lhs, *rhs);

  // Equality works on any two plain values of one kind.
  if (e.op == BinaryOp::Eq || e.op == BinaryOp::Ne) {
    bool equal;
    if (lhs->isNumber() && rhs->isNumber())
      equal = lhs->getNumber() == rhs->getNumber();
    else if (lhs->kind() != rhs->kind())
      equal = false;
    else
      equal = lhs->format() == rhs->format();
    return Datum::boolean(equal == (e.op == BinaryOp::Eq));
  }
  if (e.op == BinaryOp::Add && lhs->is(Datum::Kind::String) && rhs->is(Datum::Kind::String))
    return Datum::string(lhs->getString() + rhs->getString());
  if (e.op == BinaryOp::Add && lhs->is(Datum::Kind::List) && rhs->is(Datum::Kind::List)) {
    std::vector<Datum> joined = lhs->getList();
    llvm::append_range(joined, rhs->getList());
    return Datum::list(std::move(joined));
  }
  if (!lhs->isNumber() || !rhs->isNumber())
    return error(e.loc, "unsupported operand kinds: " + lhs->describe() + " and " +
                            rhs->describe());

  if (lhs->is(Datum::Kind::Int) && rhs->is(Datum::Kind::Int) && e.op != BinaryOp::Div) {
    int64_t a = lhs->getInt(), b = rhs->getInt(), result = 0;
    bool overflow = false;
    switch (e.op) {
    case BinaryOp::Add: overflow = llvm::AddOverflow(a, b, result); break;
    case BinaryOp::Sub: overflow = llvm::SubOverflow(a, b, result); break;
    case BinaryOp::Mul: overflow = llvm::MulOverflow(a, b, result); break;
    case BinaryOp::FloorDiv:
    case BinaryOp::Mod:
      if (b == 0)
        return error(e.loc, "integer division by zero");
      // Python's floor semantics: -7 // 2 == -4, -7 % 2 == 1.
      result = a / b;
      if ((a % b != 0) && ((a < 0) != (b < 0)))
        --result;
      if (e.op == BinaryOp::Mod)
        result = a - result * b;
      break;
    case BinaryOp::Lt: return Datum::boolean(a < b);
    case BinaryOp::Le: return Datum::boolean(a <= b);
    case BinaryOp::Gt: return Datum::boolean(a > b);
    case BinaryOp::Ge: return Datum::boolean(a >= b);
    default: break;
    }
    if (overflow)
      return error(e.loc, "integer overflow");
    return Datum::integer(result);
  }
  double a = lhs->getNumber(), b = rhs->getNumber();
  switch (e.op) {
  case BinaryOp::Add: return Datum::number(a + b);
  case BinaryOp::Sub: return Datum::number(a - b);
  case BinaryOp::Mul: return Datum::number(a * b);
  case BinaryOp::Div:
    if (b == 0)
      return error(e.loc, "division by zero");
    return Datum::number(a / b);
  case BinaryOp::Lt: return Datum::boolean(a < b);
  case BinaryOp::Le: return Datum::boolean(a <= b);
  case BinaryOp::Gt: return Datum::boolean(a > b);
  case BinaryOp::Ge: return Datum::boolean(a >= b);
  default:
    return error(e.loc, "'//' and '%' need integers");
  }
}

FailureOr<Datum> Evaluator::tensorArithmetic(const BinaryExpr &e, const Datum &lhs,
                                             const Datum &rhs) {
  Value tensor = lhs.is(Datum::Kind::Tensor) ? lhs.getTensor() : rhs.getTensor();
  Type element = cast<RankedTensorType>(tensor.getType()).getElementType();
  auto operand = [&](const Datum &d, SMLoc at) -> FailureOr<Value> {
    if (d.is(Datum::Kind::Tensor))
      return d.getTensor();
    if (d.isNumber())
      return scalar(at, d.getNumber(), element);
    return error(at, "cannot combine a tensor with " + d.describe());
  };
  FailureOr<Value> a = operand(lhs, e.lhs->loc), b = failure();
  if (failed(a) || failed(b = operand(rhs, e.rhs->loc)))
    return failure();
  FailureOr<Value> result = failure();
  switch (e.op) {
  case BinaryOp::Add: result = inferred<kiln::AddOp>(e.loc, "'+'", *a, *b); break;
  case BinaryOp::Sub: result = inferred<kiln::SubOp>(e.loc, "'-'", *a, *b); break;
  case BinaryOp::Mul: result = inferred<kiln::MulOp>(e.loc, "'*'", *a, *b); break;
  case BinaryOp::Div: result = inferred<kiln::DivOp>(e.loc, "'/'", *a, *b); break;
  default:
    return error(e.loc, "tensors support + - * /; compare tensors with compare(a, b, \"gt\")");
  }
  return asDatum(result);
}

FailureOr<Datum> Evaluator::evaluateAttribute(const AttributeExpr &e) {
  FailureOr<Datum> base = evaluate(*e.base);
  if (failed(base))
    return failure();
  if (!base->is(Datum::Kind::Tensor))
    return error(e.loc, "'." + e.name + "' needs a tensor, got " + base->describe());
  auto type = cast<RankedTensorType>(base->getTensor().getType());
  if (e.name == "shape") {
    std::vector<Datum> dims;
    for (int64_t dim : type.getShape())
      dims.push_back(Datum::integer(dim));
    return Datum::list(std::move(dims));
  }
  if (e.name == "rank")
    return Datum::integer(type.getRank());
  return error(e.loc, "tensors have '.shape' and '.rank', not '." + e.name + "'");
}

FailureOr<Datum> Evaluator::evaluateIndex(const IndexExpr &e) {
  FailureOr<Datum> base = evaluate(*e.base);
  if (failed(base))
    return failure();
  if (base->is(Datum::Kind::Tensor))
    return sliceTensor(e, base->getTensor());
  if (!base->is(Datum::Kind::List))
    return error(e.loc, "cannot index " + base->describe());
  if (e.subscripts.size() != 1 || e.subscripts[0].isSlice)
    return error(e.loc, "a list takes one integer index");
  FailureOr<Datum> index = evaluate(*e.subscripts[0].index);
  if (failed(index))
    return failure();
  if (!index->is(Datum::Kind::Int))
    return error(e.subscripts[0].loc, "a list index must be an integer, got " +
                                          index->describe());
  int64_t size = base->getList().size(), i = index->getInt();
  if (i < -size || i >= size)
    return error(e.subscripts[0].loc, "index " + std::to_string(i) +
                                          " is out of range for a list of " +
                                          std::to_string(size));
  return base->getList()[i < 0 ? i + size : i];
}

FailureOr<Datum> Evaluator::sliceTensor(const IndexExpr &e, Value tensor) {
  auto type = cast<RankedTensorType>(tensor.getType());
  int64_t rank = type.getRank();
  if (int64_t(e.subscripts.size()) > rank)
    return error(e.loc, "too many subscripts for a tensor of rank " + std::to_string(rank));
  SmallVector<int64_t> starts, ends, steps, dropped;
  for (int64_t d = 0; d < rank; ++d) {
    int64_t size = type.getDimSize(d), start = 0, end = size, step = 1;
    if (d < int64_t(e.subscripts.size())) {
      const Subscript &sub = e.subscripts[d];
      auto integer = [&](const ExprPtr &expr, int64_t &into) -> LogicalResult {
        if (!expr)
          return success();
        FailureOr<Datum> value = evaluate(*expr);
        if (failed(value))
          return failure();
        if (!value->is(Datum::Kind::Int))
          return error(expr->loc, "a subscript must be an integer, got " + value->describe());
        into = value->getInt();
        return success();
      };
      if (!sub.isSlice) {
        if (failed(integer(sub.index, start)))
          return failure();
        if (start < -size || start >= size)
          return error(sub.loc, "index " + std::to_string(start) + " is out of range for size " +
                                    std::to_string(size));
        start = start < 0 ? start + size : start;
        end = start + 1;
        dropped.push_back(d);
      } else {
        if (failed(integer(sub.start, start)) || failed(integer(sub.end, end)) ||
            failed(integer(sub.step, step)))
          return failure();
        if (step <= 0)
          return error(sub.step ? sub.step->loc : sub.loc, "slice steps must be positive");
        // Python's clamping of out-of-range bounds.
        auto clamp = [&](int64_t v) { return std::clamp(v < 0 ? v + size : v, int64_t(0), size); };
        start = clamp(start);
        end = std::max(clamp(end), start);
        if (end == start)
          return error(sub.loc, "the slice is empty");
      }
    }
    starts.push_back(start);
    ends.push_back(end);
    steps.push_back(step);
  }
  FailureOr<Value> sliced = inferred<kiln::SliceOp>(e.loc, "slice", tensor, starts, ends, steps);
  if (failed(sliced) || dropped.empty())
    return asDatum(sliced);
  return asDatum(inferred<kiln::SqueezeOp>(e.loc, "index", *sliced, dropped));
}

//===----------------------------------------------------------------------===//
// Calls
//===----------------------------------------------------------------------===//

FailureOr<Datum> Evaluator::evaluateCall(const CallExpr &e) {
  SmallVector<std::pair<const Argument *, Datum>> given;
  for (const Argument &argument : e.arguments) {
    FailureOr<Datum> value = evaluate(*argument.value);
    if (failed(value))
      return failure();
    given.emplace_back(&argument, *value);
  }
  if (const Definition *block = blocks.lookup(e.callee))
    return callBlock(*block, e, given);
  auto builtin = builtins.find(e.callee);
  if (builtin == builtins.end())
    return error(e.loc, "unknown function '" + e.callee + "'");
  Arguments arguments(*this, e.callee, e.loc);
  if (failed(arguments.bind(builtin->second.signature, given)))
    return failure();
  return builtin->second.run(*this, arguments);
}

FailureOr<Datum> Evaluator::callBlock(const Definition &block, const CallExpr &call,
                                      ArrayRef<std::pair<const Argument *, Datum>> given) {
  if (scopes.size() >= kMaxCallDepth)
    return error(call.loc, "blocks nest more than " + std::to_string(kMaxCallDepth) +
                               " deep (does '" + block.name + "' call itself?)");
  // `name = "..."` is every block's: the prefix of the keys of the parameters it creates.
  std::string prefix;
  SmallVector<std::pair<const Argument *, Datum>> rest;
  for (const auto &[argument, value] : given) {
    if (argument->keyword != "name") {
      rest.emplace_back(argument, value);
      continue;
    }
    if (!value.is(Datum::Kind::String))
      return error(argument->loc, "a block's name must be a string, got " + value.describe());
    prefix = value.getString();
  }
  llvm::StringMap<Datum> frame;
  Signature signature;
  for (const Parameter &parameter : block.parameters) {
    std::optional<Datum> defaultValue;
    if (parameter.defaultValue) {
      // Defaults are evaluated where the block is defined: they see the file's constants.
      frames.emplace_back();
      FailureOr<Datum> value = evaluate(*parameter.defaultValue);
      frames.pop_back();
      if (failed(value))
        return failure();
      defaultValue = *value;
    }
    signature.push_back({parameter.name.c_str(), defaultValue});
  }
  Arguments arguments(*this, block.name, call.loc);
  if (failed(arguments.bind(signature, rest)))
    return failure();
  for (const Parameter &parameter : block.parameters)
    frame[parameter.name] = arguments.get(parameter.name);

  frames.push_back(std::move(frame));
  scopes.push_back(prefix);
  Flow flow = execute(block.body);
  scopes.pop_back();
  frames.pop_back();
  if (flow == Flow::Failed) {
    diagnostics.note(call.loc, "in the call of block '" + block.name + "' here");
    return failure();
  }
  return flow == Flow::Returned ? returned : Datum();
}
