//===- Parser.cpp - recursive-descent parser of the model language --------===//
//
// One function per grammar rule of docs/model-language.md, in the grammar's order. The
// parser stops at the first syntax error: later errors after a bad line are mostly echoes.
//
//===----------------------------------------------------------------------===//
#include "frontends/lang/Parser.h"
#include "frontends/lang/Lexer.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/Casting.h"

using namespace kiln::lang;
using llvm::SMLoc;

namespace {

class Parser {
public:
  Parser(std::vector<Token> tokens, SourceDiagnostics &diagnostics)
      : tokens(std::move(tokens)), diagnostics(diagnostics) {}

  std::unique_ptr<Program> program() {
    auto result = std::make_unique<Program>();
    while (!at(TokenKind::Eof)) {
      if (accept(TokenKind::Newline))
        continue;
      if (at(TokenKind::KwImport)) {
        advance();
        if (!at(TokenKind::String)) {
          fail("expected a file name in quotes after 'import'");
          return nullptr;
        }
        const Token &path = advance();
        result->imports.push_back({path.text.str(), path.loc});
        if (!expect(TokenKind::Newline, "after the import"))
          return nullptr;
        continue;
      }
      if (at(TokenKind::KwBlock) || at(TokenKind::KwModel)) {
        auto definition = this->definition();
        if (!definition)
          return nullptr;
        result->definitions.push_back(std::move(definition));
        continue;
      }
      if (at(TokenKind::Identifier) && peek(1).kind == TokenKind::Assign) {
        StmtPtr assignment = simpleStatement();
        if (!assignment || !expect(TokenKind::Newline, "after the assignment"))
          return nullptr;
        result->globals.push_back(std::move(assignment));
        continue;
      }
      fail("expected 'import', 'block', 'model' or a constant (NAME = value) at the top level");
      return nullptr;
    }
    return result;
  }

  /// A whole string of tokens that must be one expression (an interpolation in a string).
  ExprPtr soleExpression() {
    ExprPtr e = expression();
    if (!e)
      return nullptr;
    if (!at(TokenKind::Newline) && !at(TokenKind::Eof)) {
      fail("unexpected " + describe(current().kind).str() + " in the interpolated expression");
      return nullptr;
    }
    return e;
  }

  bool failed() const { return hasFailed; }

private:
  //===--------------------------------------------------------------------===//
  // Tokens
  //===--------------------------------------------------------------------===//

  const Token &current() const { return tokens[pos]; }
  const Token &peek(size_t ahead) const {
    return tokens[std::min(pos + ahead, tokens.size() - 1)];
  }
  bool at(TokenKind kind) const { return current().kind == kind; }
  const Token &advance() {
    const Token &token = tokens[pos];
    if (pos + 1 < tokens.size())
      ++pos;
    return token;
  }
  bool accept(TokenKind kind) {
    if (!at(kind))
      return false;
    advance();
    return true;
  }
  void fail(const llvm::Twine &message) {
    if (!hasFailed)
      diagnostics.error(current().loc, message);
    hasFailed = true;
  }
  bool expect(TokenKind kind, llvm::StringRef context) {
    if (accept(kind))
      return true;
    fail("expected " + describe(kind) + " " + context + ", found " + describe(current().kind));
    return false;
  }
  /// An identifier's text, or fails.
  std::optional<std::string> identifier(llvm::StringRef context) {
    if (!at(TokenKind::Identifier)) {
      fail("expected a name " + context + ", found " + describe(current().kind));
      return std::nullopt;
    }
    return advance().text.str();
  }

  //===--------------------------------------------------------------------===//
  // Definitions and statements
  //===--------------------------------------------------------------------===//

  std::unique_ptr<Definition> definition() {
    auto def = std::make_unique<Definition>();
    def->isModel = advance().kind == TokenKind::KwModel;
    def->loc = current().loc;
    auto name = identifier(def->isModel ? "after 'model'" : "after 'block'");
    if (!name || !expect(TokenKind::LParen, "before the parameter list"))
      return nullptr;
    def->name = *name;
    while (!at(TokenKind::RParen)) {
      Parameter parameter;
      parameter.loc = current().loc;
      auto parameterName = identifier("for a parameter");
      if (!parameterName)
        return nullptr;
      parameter.name = *parameterName;
      if (accept(TokenKind::Assign) && !(parameter.defaultValue = expression()))
        return nullptr;
      def->parameters.push_back(std::move(parameter));
      if (!accept(TokenKind::Comma))
        break;
    }
    if (!expect(TokenKind::RParen, "after the parameters") ||
        !expect(TokenKind::Colon, "after the parameter list") || !suite(def->body))
      return nullptr;
    return def;
  }

  /// NEWLINE INDENT statement+ DEDENT
  bool suite(Body &body) {
    if (!expect(TokenKind::Newline, "after ':'"))
      return false;
    if (!expect(TokenKind::Indent, "after ':'"))
      return false;
    while (!accept(TokenKind::Dedent)) {
      StmtPtr s = statement();
      if (!s)
        return false;
      body.push_back(std::move(s));
    }
    return true;
  }

  StmtPtr statement() {
    if (at(TokenKind::KwIf))
      return ifStatement();
    if (at(TokenKind::KwFor))
      return forStatement();
    StmtPtr s = simpleStatement();
    if (!s || !expect(TokenKind::Newline, "at the end of the statement"))
      return nullptr;
    return s;
  }

  StmtPtr ifStatement() {
    auto s = std::make_unique<IfStmt>(current().loc);
    do {
      advance(); // 'if' or 'elif'
      ExprPtr condition = expression();
      Body body;
      if (!condition || !expect(TokenKind::Colon, "after the condition") || !suite(body))
        return nullptr;
      s->branches.emplace_back(std::move(condition), std::move(body));
    } while (at(TokenKind::KwElif));
    if (accept(TokenKind::KwElse) &&
        (!expect(TokenKind::Colon, "after 'else'") || !suite(s->otherwise)))
      return nullptr;
    return s;
  }

  StmtPtr forStatement() {
    SMLoc loc = advance().loc;
    auto variable = identifier("after 'for'");
    if (!variable || !expect(TokenKind::KwIn, "after the loop variable"))
      return nullptr;
    ExprPtr range = expression();
    if (!range)
      return nullptr;
    auto s = std::make_unique<ForStmt>(loc, *variable, std::move(range));
    if (!expect(TokenKind::Colon, "after the loop range") || !suite(s->body))
      return nullptr;
    return s;
  }

  /// `dtype[dims]` after `input NAME:` or `param NAME:`.
  bool tensorType(std::string &dtype, SMLoc &dtypeLoc, std::vector<ExprPtr> &dims) {
    dtypeLoc = current().loc;
    auto name = identifier("for the element type (f32, f64, i32, i64)");
    if (!name || !expect(TokenKind::LBracket, "before the dimensions"))
      return false;
    dtype = *name;
    while (!at(TokenKind::RBracket)) {
      ExprPtr dim = expression();
      if (!dim)
        return false;
      dims.push_back(std::move(dim));
      if (!accept(TokenKind::Comma))
        break;
    }
    return expect(TokenKind::RBracket, "after the dimensions");
  }

  StmtPtr simpleStatement() {
    SMLoc loc = current().loc;
    switch (current().kind) {
    case TokenKind::KwInput: {
      advance();
      auto name = identifier("after 'input'");
      if (!name || !expect(TokenKind::Colon, "after the input's name"))
        return nullptr;
      auto s = std::make_unique<InputStmt>(loc, *name);
      if (!tensorType(s->dtype, s->dtypeLoc, s->dims))
        return nullptr;
      return s;
    }
    case TokenKind::KwOutput: {
      advance();
      auto name = identifier("after 'output'");
      if (!name || !expect(TokenKind::Assign, "after the output's name"))
        return nullptr;
      ExprPtr value = expression();
      return value ? std::make_unique<OutputStmt>(loc, *name, std::move(value)) : nullptr;
    }
    case TokenKind::KwParam: {
      advance();
      auto name = identifier("after 'param'");
      if (!name || !expect(TokenKind::Colon, "after the parameter's name"))
        return nullptr;
      auto s = std::make_unique<ParamStmt>(loc, *name);
      if (!tensorType(s->dtype, s->dtypeLoc, s->dims) ||
          !expect(TokenKind::Assign, "before the parameter's initialiser") ||
          !(s->init = expression()))
        return nullptr;
      return s;
    }
    case TokenKind::KwLoss: {
      advance();
      ExprPtr call = expression();
      if (!call)
        return nullptr;
      if (!llvm::isa<CallExpr>(call.get())) {
        diagnostics.error(call->loc, "expected a loss such as softmax_cross_entropy() after 'loss'");
        hasFailed = true;
        return nullptr;
      }
      return std::make_unique<LossStmt>(
          loc, std::unique_ptr<CallExpr>(llvm::cast<CallExpr>(call.release())));
    }
    case TokenKind::KwReturn: {
      advance();
      ExprPtr value;
      if (!at(TokenKind::Newline) && !(value = expression()))
        return nullptr;
      return std::make_unique<ReturnStmt>(loc, std::move(value));
    }
    case TokenKind::Identifier:
      if (peek(1).kind == TokenKind::Assign) {
        std::string name = advance().text.str();
        advance();
        ExprPtr value = expression();
        return value ? std::make_unique<AssignStmt>(loc, name, std::move(value)) : nullptr;
      }
      break;
    default:
      break;
    }
    ExprPtr value = expression();
    return value ? std::make_unique<ExprStmt>(loc, std::move(value)) : nullptr;
  }

  //===--------------------------------------------------------------------===//
  // Expressions, loosest binding first
  //===--------------------------------------------------------------------===//

  ExprPtr expression() {
    ExprPtr value = orExpression();
    if (!value || !at(TokenKind::KwIf))
      return value;
    SMLoc loc = advance().loc;
    ExprPtr condition = orExpression();
    if (!condition || !expect(TokenKind::KwElse, "in 'a if condition else b'"))
      return nullptr;
    ExprPtr otherwise = expression();
    if (!otherwise)
      return nullptr;
    return std::make_unique<TernaryExpr>(loc, std::move(condition), std::move(value),
                                         std::move(otherwise));
  }

  template <typename Next>
  ExprPtr leftAssociative(Next next, std::initializer_list<std::pair<TokenKind, BinaryOp>> ops) {
    ExprPtr lhs = (this->*next)();
    while (lhs) {
      auto op = llvm::find_if(ops, [&](auto &entry) { return at(entry.first); });
      if (op == ops.end())
        break;
      SMLoc loc = advance().loc;
      ExprPtr rhs = (this->*next)();
      if (!rhs)
        return nullptr;
      lhs = std::make_unique<BinaryExpr>(loc, op->second, std::move(lhs), std::move(rhs));
    }
    return lhs;
  }

  ExprPtr orExpression() {
    return leftAssociative(&Parser::andExpression, {{TokenKind::KwOr, BinaryOp::Or}});
  }
  ExprPtr andExpression() {
    return leftAssociative(&Parser::notExpression, {{TokenKind::KwAnd, BinaryOp::And}});
  }
  ExprPtr notExpression() {
    if (!at(TokenKind::KwNot))
      return comparison();
    SMLoc loc = advance().loc;
    ExprPtr operand = notExpression();
    return operand ? std::make_unique<UnaryExpr>(loc, UnaryOp::Not, std::move(operand)) : nullptr;
  }
  ExprPtr comparison() {
    return leftAssociative(&Parser::additive, {{TokenKind::EqualEqual, BinaryOp::Eq},
                                               {TokenKind::NotEqual, BinaryOp::Ne},
                                               {TokenKind::Less, BinaryOp::Lt},
                                               {TokenKind::LessEqual, BinaryOp::Le},
                                               {TokenKind::Greater, BinaryOp::Gt},
                                               {TokenKind::GreaterEqual, BinaryOp::Ge}});
  }
  ExprPtr additive() {
    return leftAssociative(&Parser::term, {{TokenKind::Plus, BinaryOp::Add},
                                           {TokenKind::Minus, BinaryOp::Sub}});
  }
  ExprPtr term() {
    return leftAssociative(&Parser::unary, {{TokenKind::Star, BinaryOp::Mul},
                                            {TokenKind::Slash, BinaryOp::Div},
                                            {TokenKind::SlashSlash, BinaryOp::FloorDiv},
                                            {TokenKind::Percent, BinaryOp::Mod}});
  }
  ExprPtr unary() {
    if (!at(TokenKind::Minus))
      return postfix();
    SMLoc loc = advance().loc;
    ExprPtr operand = unary();
    return operand ? std::make_unique<UnaryExpr>(loc, UnaryOp::Neg, std::move(operand)) : nullptr;
  }

  ExprPtr postfix() {
    ExprPtr value = primary();
    while (value) {
      if (at(TokenKind::LBracket)) {
        value = index(std::move(value));
      } else if (at(TokenKind::Dot)) {
        SMLoc loc = advance().loc;
        auto name = identifier("after '.'");
        if (!name)
          return nullptr;
        value = std::make_unique<AttributeExpr>(loc, std::move(value), *name);
      } else if (at(TokenKind::LParen)) {
        fail("only named functions and blocks can be called");
        return nullptr;
      } else {
        break;
      }
    }
    return value;
  }

  ExprPtr index(ExprPtr base) {
    auto e = std::make_unique<IndexExpr>(advance().loc, std::move(base));
    do {
      Subscript sub;
      sub.loc = current().loc;
      auto part = [&](ExprPtr &into) {
        if (at(TokenKind::Colon) || at(TokenKind::Comma) || at(TokenKind::RBracket))
          return true;
        into = expression();
        return into != nullptr;
      };
      if (!part(sub.start))
        return nullptr;
      if (accept(TokenKind::Colon)) {
        sub.isSlice = true;
        if (!part(sub.end))
          return nullptr;
        if (accept(TokenKind::Colon) && !part(sub.step))
          return nullptr;
      } else if (!sub.start) {
        fail("expected an index or a slice, found " + describe(current().kind));
        return nullptr;
      } else {
        sub.index = std::move(sub.start);
      }
      e->subscripts.push_back(std::move(sub));
    } while (accept(TokenKind::Comma));
    if (!expect(TokenKind::RBracket, "after the subscript"))
      return nullptr;
    return e;
  }

  ExprPtr primary() {
    const Token &token = current();
    switch (token.kind) {
    case TokenKind::Integer: {
      advance();
      int64_t value = 0;
      std::string digits = token.text.str();
      llvm::erase(digits, '_');
      if (llvm::StringRef(digits).getAsInteger(10, value)) {
        diagnostics.error(token.loc, "integer literal '" + token.text + "' is too large");
        hasFailed = true;
        return nullptr;
      }
      return std::make_unique<IntExpr>(token.loc, value);
    }
    case TokenKind::Float: {
      advance();
      std::string digits = token.text.str();
      llvm::erase(digits, '_');
      return std::make_unique<FloatExpr>(token.loc, std::strtod(digits.c_str(), nullptr));
    }
    case TokenKind::KwTrue:
    case TokenKind::KwFalse:
      advance();
      return std::make_unique<BoolExpr>(token.loc, token.kind == TokenKind::KwTrue);
    case TokenKind::KwNone:
      advance();
      return std::make_unique<NoneExpr>(token.loc);
    case TokenKind::String:
      advance();
      return string(token);
    case TokenKind::Identifier: {
      advance();
      if (!at(TokenKind::LParen))
        return std::make_unique<NameExpr>(token.loc, token.text.str());
      return call(token);
    }
    case TokenKind::LParen: {
      advance();
      ExprPtr inner = expression();
      if (!inner || !expect(TokenKind::RParen, "to close '('"))
        return nullptr;
      return inner;
    }
    case TokenKind::LBracket: {
      auto list = std::make_unique<ListExpr>(advance().loc);
      while (!at(TokenKind::RBracket)) {
        ExprPtr element = expression();
        if (!element)
          return nullptr;
        list->elements.push_back(std::move(element));
        if (!accept(TokenKind::Comma))
          break;
      }
      if (!expect(TokenKind::RBracket, "to close the list"))
        return nullptr;
      return list;
    }
    default:
      fail("expected an expression, found " + describe(token.kind));
      return nullptr;
    }
  }

  ExprPtr call(const Token &callee) {
    auto e = std::make_unique<CallExpr>(callee.loc, callee.text.str());
    advance(); // '('
    bool sawKeyword = false;
    while (!at(TokenKind::RParen)) {
      Argument argument;
      argument.loc = current().loc;
      if (at(TokenKind::Identifier) && peek(1).kind == TokenKind::Assign) {
        argument.keyword = advance().text.str();
        advance();
        sawKeyword = true;
      } else if (sawKeyword) {
        fail("a positional argument cannot follow a keyword argument");
        return nullptr;
      }
      if (!(argument.value = expression()))
        return nullptr;
      e->arguments.push_back(std::move(argument));
      if (!accept(TokenKind::Comma))
        break;
    }
    if (!expect(TokenKind::RParen, "after the arguments"))
      return nullptr;
    return e;
  }

  /// Splits "a{expr}b" into pieces; each `{...}` is lexed and parsed as an expression in
  /// place, so its errors point into the string.
  ExprPtr string(const Token &token) {
    auto e = std::make_unique<StringExpr>(token.loc);
    llvm::StringRef text = token.text;
    std::string literal;
    for (size_t i = 0; i < text.size(); ++i) {
      if (text[i] != '{') {
        literal += text[i];
        continue;
      }
      size_t close = text.find('}', i);
      if (close == llvm::StringRef::npos) {
        diagnostics.error(SMLoc::getFromPointer(text.data() + i), "unclosed '{' in string");
        hasFailed = true;
        return nullptr;
      }
      if (!literal.empty())
        e->pieces.push_back({std::move(literal), nullptr});
      literal.clear();
      std::vector<Token> inner;
      if (!tokenize(text.slice(i + 1, close), diagnostics, inner)) {
        hasFailed = true;
        return nullptr;
      }
      Parser sub(std::move(inner), diagnostics);
      ExprPtr expr = sub.soleExpression();
      if (!expr) {
        hasFailed = true;
        return nullptr;
      }
      e->pieces.push_back({"", std::move(expr)});
      i = close;
    }
    if (!literal.empty() || e->pieces.empty())
      e->pieces.push_back({std::move(literal), nullptr});
    return e;
  }

  std::vector<Token> tokens;
  size_t pos = 0;
  SourceDiagnostics &diagnostics;
  bool hasFailed = false;
};

} // namespace

std::unique_ptr<Program> kiln::lang::parseProgram(unsigned buffer,
                                                  SourceDiagnostics &diagnostics) {
  llvm::StringRef source = diagnostics.manager().getMemoryBuffer(buffer)->getBuffer();
  std::vector<Token> tokens;
  if (!tokenize(source, diagnostics, tokens))
    return nullptr;
  Parser parser(std::move(tokens), diagnostics);
  std::unique_ptr<Program> program = parser.program();
  return parser.failed() ? nullptr : std::move(program);
}
