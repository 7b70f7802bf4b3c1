//===- AST.h - the syntax tree of a model file ----------------------------===//
//
// What the parser produces and the evaluator walks. Nodes own their children; each node
// keeps the source position that errors about it point at.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_FRONTENDS_LANG_AST_H
#define KILN_FRONTENDS_LANG_AST_H

#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/SMLoc.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace kiln::lang {

//===----------------------------------------------------------------------===//
// Expressions
//===----------------------------------------------------------------------===//

struct Expr {
  enum class Kind { Int, Float, Bool, None, String, Name, List, Unary, Binary, Ternary, Call,
                    Index, Attribute };
  Expr(Kind kind, llvm::SMLoc loc) : kind(kind), loc(loc) {}
  virtual ~Expr() = default;
  const Kind kind;
  const llvm::SMLoc loc;
};
using ExprPtr = std::unique_ptr<Expr>;

struct IntExpr : Expr {
  IntExpr(llvm::SMLoc loc, int64_t value) : Expr(Kind::Int, loc), value(value) {}
  int64_t value;
  static bool classof(const Expr *e) { return e->kind == Kind::Int; }
};

struct FloatExpr : Expr {
  FloatExpr(llvm::SMLoc loc, double value) : Expr(Kind::Float, loc), value(value) {}
  double value;
  static bool classof(const Expr *e) { return e->kind == Kind::Float; }
};

struct BoolExpr : Expr {
  BoolExpr(llvm::SMLoc loc, bool value) : Expr(Kind::Bool, loc), value(value) {}
  bool value;
  static bool classof(const Expr *e) { return e->kind == Kind::Bool; }
};

struct NoneExpr : Expr {
  explicit NoneExpr(llvm::SMLoc loc) : Expr(Kind::None, loc) {}
  static bool classof(const Expr *e) { return e->kind == Kind::None; }
};

/// "layer{stage + 1}.{i}": literal pieces and interpolated expressions, alternating.
struct StringExpr : Expr {
  explicit StringExpr(llvm::SMLoc loc) : Expr(Kind::String, loc) {}
  struct Piece {
    std::string text; ///< used when `expr` is null
    ExprPtr expr;
  };
  std::vector<Piece> pieces;
  static bool classof(const Expr *e) { return e->kind == Kind::String; }
};

struct NameExpr : Expr {
  NameExpr(llvm::SMLoc loc, std::string name) : Expr(Kind::Name, loc), name(std::move(name)) {}
  std::string name;
  static bool classof(const Expr *e) { return e->kind == Kind::Name; }
};

struct ListExpr : Expr {
  explicit ListExpr(llvm::SMLoc loc) : Expr(Kind::List, loc) {}
  std::vector<ExprPtr> elements;
  static bool classof(const Expr *e) { return e->kind == Kind::List; }
};

enum class UnaryOp { Neg, Not };
struct UnaryExpr : Expr {
  UnaryExpr(llvm::SMLoc loc, UnaryOp op, ExprPtr operand)
      : Expr(Kind::Unary, loc), op(op), operand(std::move(operand)) {}
  UnaryOp op;
  ExprPtr operand;
  static bool classof(const Expr *e) { return e->kind == Kind::Unary; }
};

enum class BinaryOp { Add, Sub, Mul, Div, FloorDiv, Mod, Eq, Ne, Lt, Le, Gt, Ge, And, Or };
struct BinaryExpr : Expr {
  BinaryExpr(llvm::SMLoc loc, BinaryOp op, ExprPtr lhs, ExprPtr rhs)
      : Expr(Kind::Binary, loc), op(op), lhs(std::move(lhs)), rhs(std::move(rhs)) {}
  BinaryOp op;
  ExprPtr lhs, rhs;
  static bool classof(const Expr *e) { return e->kind == Kind::Binary; }
};

/// `a if cond else b`
struct TernaryExpr : Expr {
  TernaryExpr(llvm::SMLoc loc, ExprPtr condition, ExprPtr onTrue, ExprPtr onFalse)
      : Expr(Kind::Ternary, loc), condition(std::move(condition)), onTrue(std::move(onTrue)),
        onFalse(std::move(onFalse)) {}
  ExprPtr condition, onTrue, onFalse;
  static bool classof(const Expr *e) { return e->kind == Kind::Ternary; }
};

struct Argument {
  std::string keyword; ///< empty for a positional argument
  llvm::SMLoc loc;
  ExprPtr value;
};

/// `name(args...)`: a built-in op, layer or initialiser, or a block.
struct CallExpr : Expr {
  CallExpr(llvm::SMLoc loc, std::string callee) : Expr(Kind::Call, loc), callee(std::move(callee)) {}
  std::string callee;
  std::vector<Argument> arguments;
  static bool classof(const Expr *e) { return e->kind == Kind::Call; }
};

/// One subscript: an index, or a slice `start:end:step` with any part left out.
struct Subscript {
  llvm::SMLoc loc;
  bool isSlice = false;
  ExprPtr index;            ///< when !isSlice
  ExprPtr start, end, step; ///< when isSlice; each may be null
};

/// `base[i]` on a list, `x[:, :, ::2]` on a tensor.
struct IndexExpr : Expr {
  IndexExpr(llvm::SMLoc loc, ExprPtr base) : Expr(Kind::Index, loc), base(std::move(base)) {}
  ExprPtr base;
  std::vector<Subscript> subscripts;
  static bool classof(const Expr *e) { return e->kind == Kind::Index; }
};

/// `x.shape`, `x.rank`, `x.dtype`.
struct AttributeExpr : Expr {
  AttributeExpr(llvm::SMLoc loc, ExprPtr base, std::string name)
      : Expr(Kind::Attribute, loc), base(std::move(base)), name(std::move(name)) {}
  ExprPtr base;
  std::string name;
  static bool classof(const Expr *e) { return e->kind == Kind::Attribute; }
};

//===----------------------------------------------------------------------===//
// Statements
//===----------------------------------------------------------------------===//

struct Stmt {
  enum class Kind { Assign, Expr, If, For, Return, Input, Output, Param, Loss };
  Stmt(Kind kind, llvm::SMLoc loc) : kind(kind), loc(loc) {}
  virtual ~Stmt() = default;
  const Kind kind;
  const llvm::SMLoc loc;
};
using StmtPtr = std::unique_ptr<Stmt>;
using Body = std::vector<StmtPtr>;

struct AssignStmt : Stmt {
  AssignStmt(llvm::SMLoc loc, std::string name, ExprPtr value)
      : Stmt(Kind::Assign, loc), name(std::move(name)), value(std::move(value)) {}
  std::string name;
  ExprPtr value;
  static bool classof(const Stmt *s) { return s->kind == Kind::Assign; }
};

struct ExprStmt : Stmt {
  ExprStmt(llvm::SMLoc loc, ExprPtr value) : Stmt(Kind::Expr, loc), value(std::move(value)) {}
  ExprPtr value;
  static bool classof(const Stmt *s) { return s->kind == Kind::Expr; }
};

/// if / elif... / else: one condition per branch; `otherwise` may be empty.
struct IfStmt : Stmt {
  explicit IfStmt(llvm::SMLoc loc) : Stmt(Kind::If, loc) {}
  std::vector<std::pair<ExprPtr, Body>> branches;
  Body otherwise;
  static bool classof(const Stmt *s) { return s->kind == Kind::If; }
};

struct ForStmt : Stmt {
  ForStmt(llvm::SMLoc loc, std::string variable, ExprPtr range)
      : Stmt(Kind::For, loc), variable(std::move(variable)), range(std::move(range)) {}
  std::string variable;
  ExprPtr range;
  Body body;
  static bool classof(const Stmt *s) { return s->kind == Kind::For; }
};

struct ReturnStmt : Stmt {
  ReturnStmt(llvm::SMLoc loc, ExprPtr value) : Stmt(Kind::Return, loc), value(std::move(value)) {}
  ExprPtr value; ///< may be null
  static bool classof(const Stmt *s) { return s->kind == Kind::Return; }
};

/// `input image: f32[batch, 3, 224, 224]`; a dimension that names no value is symbolic.
struct InputStmt : Stmt {
  InputStmt(llvm::SMLoc loc, std::string name) : Stmt(Kind::Input, loc), name(std::move(name)) {}
  std::string name;
  std::string dtype;
  llvm::SMLoc dtypeLoc;
  std::vector<ExprPtr> dims;
  static bool classof(const Stmt *s) { return s->kind == Kind::Input; }
};

/// `output logits = expr`
struct OutputStmt : Stmt {
  OutputStmt(llvm::SMLoc loc, std::string name, ExprPtr value)
      : Stmt(Kind::Output, loc), name(std::move(name)), value(std::move(value)) {}
  std::string name;
  ExprPtr value;
  static bool classof(const Stmt *s) { return s->kind == Kind::Output; }
};

/// `param w: f32[10, 64] = glorot_uniform()`
struct ParamStmt : Stmt {
  ParamStmt(llvm::SMLoc loc, std::string name) : Stmt(Kind::Param, loc), name(std::move(name)) {}
  std::string name;
  std::string dtype;
  llvm::SMLoc dtypeLoc;
  std::vector<ExprPtr> dims;
  ExprPtr init;
  static bool classof(const Stmt *s) { return s->kind == Kind::Param; }
};

/// `loss softmax_cross_entropy(label_smoothing = 0.1)`
struct LossStmt : Stmt {
  LossStmt(llvm::SMLoc loc, std::unique_ptr<CallExpr> call)
      : Stmt(Kind::Loss, loc), call(std::move(call)) {}
  std::unique_ptr<CallExpr> call;
  static bool classof(const Stmt *s) { return s->kind == Kind::Loss; }
};

//===----------------------------------------------------------------------===//
// Definitions
//===----------------------------------------------------------------------===//

struct Parameter {
  std::string name;
  llvm::SMLoc loc;
  ExprPtr defaultValue; ///< null: required
};

/// `block name(params):` or `model name(params):`
struct Definition {
  bool isModel = false;
  std::string name;
  llvm::SMLoc loc;
  std::vector<Parameter> parameters;
  Body body;
};

/// `import "resnet_blocks.kiln"`: the blocks and constants of another file, by a path
/// relative to the importing file.
struct Import {
  std::string path;
  llvm::SMLoc loc;
};

/// A whole file: imports, top-level constants (in order), blocks and at most one model.
struct Program {
  std::vector<Import> imports;
  Body globals; ///< top-level assignments
  std::vector<std::unique_ptr<Definition>> definitions;
};

} // namespace kiln::lang

#endif // KILN_FRONTENDS_LANG_AST_H
