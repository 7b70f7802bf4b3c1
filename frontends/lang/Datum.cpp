//===- Datum.cpp - the values a model program computes with ---------------===//
#include "frontends/lang/Datum.h"

#include "mlir/IR/Types.h"
#include "llvm/Support/raw_ostream.h"

using namespace kiln::lang;

std::string Datum::describe() const {
  switch (k) {
  case Kind::None: return "none";
  case Kind::Int: return "an integer";
  case Kind::Float: return "a float";
  case Kind::Bool: return "a boolean";
  case Kind::String: return "a string";
  case Kind::List: return "a list";
  case Kind::Init: return "an initialiser";
  case Kind::Tensor: {
    std::string text;
    llvm::raw_string_ostream os(text);
    os << "a tensor of type " << value.getType();
    return text;
  }
  }
  return "a value";
}

std::string Datum::format() const {
  switch (k) {
  case Kind::Int: return std::to_string(intValue);
  case Kind::Bool: return intValue ? "true" : "false";
  case Kind::String: return text;
  case Kind::Float: {
    std::string s;
    llvm::raw_string_ostream(s) << floatValue;
    return s;
  }
  case Kind::List: {
    std::string s = "[";
    for (size_t i = 0; i < elements->size(); ++i)
      s += (i ? ", " : "") + (*elements)[i].format();
    return s + "]";
  }
  default:
    return describe();
  }
}
