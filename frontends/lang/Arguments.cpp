//===- Arguments.cpp - a call's arguments bound to a signature ------------===//
#include "frontends/lang/Evaluator.h"

#include "mlir/IR/BuiltinTypes.h"

using namespace mlir;
using namespace kiln::lang;
using llvm::SMLoc;
using llvm::StringRef;

LogicalResult Arguments::bind(const Signature &signature,
                              ArrayRef<std::pair<const Argument *, Datum>> given) {
  auto known = [&](StringRef name) {
    return llvm::any_of(signature, [&](const ParamSpec &p) { return name == p.name; });
  };
  size_t positional = 0;
  for (const auto &[argument, value] : given) {
    std::string name;
    if (argument->keyword.empty()) {
      if (positional >= signature.size())
        return evaluator.error(argument->loc, callee + " takes at most " +
                                                  std::to_string(signature.size()) +
                                                  " positional arguments");
      name = signature[positional++].name;
    } else {
      name = argument->keyword;
      if (!known(name)) {
        std::string accepted;
        for (const ParamSpec &p : signature)
          accepted += (accepted.empty() ? "" : ", ") + std::string(p.name);
        return evaluator.error(argument->loc, callee + " has no argument '" + name + "'" +
                                                  (accepted.empty() ? ""
                                                                    : " (it takes " + accepted + ")"));
      }
    }
    if (values.count(name))
      return evaluator.error(argument->loc, callee + ": argument '" + name + "' is given twice");
    values[name] = value;
    locs[name] = argument->loc;
  }
  for (const ParamSpec &p : signature) {
    if (values.count(p.name))
      continue;
    if (!p.defaultValue)
      return evaluator.error(callLoc, callee + " needs the argument '" + p.name + "'");
    values[p.name] = *p.defaultValue;
  }
  return success();
}

SMLoc Arguments::loc(StringRef name) const {
  auto it = locs.find(name);
  return it == locs.end() ? callLoc : it->second;
}

LogicalResult Arguments::mismatch(StringRef name, StringRef expected) const {
  return evaluator.error(loc(name), callee + ": argument '" + name + "' must be " + expected +
                                        ", got " + get(name).describe());
}

FailureOr<Value> Arguments::tensor(StringRef name) const {
  const Datum &d = get(name);
  if (!d.is(Datum::Kind::Tensor))
    return mismatch(name, "a tensor");
  return d.getTensor();
}

FailureOr<SmallVector<Value>> Arguments::tensors(StringRef name) const {
  const Datum &d = get(name);
  if (!d.is(Datum::Kind::List) || d.getList().empty())
    return mismatch(name, "a non-empty list of tensors");
  SmallVector<Value> result;
  for (const Datum &element : d.getList()) {
    if (!element.is(Datum::Kind::Tensor))
      return mismatch(name, "a non-empty list of tensors");
    result.push_back(element.getTensor());
  }
  return result;
}

FailureOr<int64_t> Arguments::integer(StringRef name) const {
  const Datum &d = get(name);
  if (!d.is(Datum::Kind::Int))
    return mismatch(name, "an integer");
  return d.getInt();
}

FailureOr<double> Arguments::number(StringRef name) const {
  const Datum &d = get(name);
  if (!d.isNumber())
    return mismatch(name, "a number");
  return d.getNumber();
}

FailureOr<bool> Arguments::boolean(StringRef name) const {
  const Datum &d = get(name);
  if (!d.is(Datum::Kind::Bool))
    return mismatch(name, "true or false");
  return d.getBool();
}

FailureOr<std::string> Arguments::string(StringRef name) const {
  const Datum &d = get(name);
  if (!d.is(Datum::Kind::String))
    return mismatch(name, "a string");
  return d.getString();
}

FailureOr<InitSpec> Arguments::init(StringRef name) const {
  const Datum &d = get(name);
  if (!d.is(Datum::Kind::Init))
    return mismatch(name, "an initialiser such as he_normal() or zeros()");
  return d.getInit();
}

FailureOr<SmallVector<int64_t>> Arguments::integers(StringRef name) const {
  const Datum &d = get(name);
  if (d.is(Datum::Kind::Int))
    return SmallVector<int64_t>{d.getInt()};
  SmallVector<int64_t> result;
  if (d.is(Datum::Kind::List)) {
    for (const Datum &element : d.getList()) {
      if (!element.is(Datum::Kind::Int))
        return mismatch(name, "an integer or a list of integers");
      result.push_back(element.getInt());
    }
    return result;
  }
  return mismatch(name, "an integer or a list of integers");
}

FailureOr<SmallVector<int64_t>> Arguments::pair(StringRef name) const {
  const Datum &d = get(name);
  FailureOr<SmallVector<int64_t>> values =
      d.is(Datum::Kind::List) || d.is(Datum::Kind::Int) ? integers(name)
                                                        : FailureOr<SmallVector<int64_t>>(
                                                              mismatch(name, "an integer or a list of two"));
  if (failed(values))
    return failure();
  if (values->size() == 1)
    values->push_back(values->front());
  if (values->size() != 2)
    return mismatch(name, "an integer or a list of two");
  if ((*values)[0] <= 0 || (*values)[1] <= 0)
    return evaluator.error(loc(name), callee + ": argument '" + name + "' must be positive");
  return values;
}

FailureOr<int64_t> Arguments::axis(StringRef name, int64_t rank) const {
  FailureOr<int64_t> value = integer(name);
  if (failed(value))
    return failure();
  if (*value < -rank || *value >= rank)
    return evaluator.error(loc(name), callee + ": axis " + std::to_string(*value) +
                                          " is out of range for rank " + std::to_string(rank));
  return *value < 0 ? *value + rank : *value;
}
