//===- Lexer.cpp - tokens of the kiln model language ----------------------===//
#include "frontends/lang/Lexer.h"

#include "llvm/ADT/StringSwitch.h"
#include "llvm/ADT/SmallVector.h"

#include <cctype>

using namespace kiln::lang;
using llvm::SMLoc;
using llvm::StringRef;

StringRef kiln::lang::describe(TokenKind kind) {
  switch (kind) {
  case TokenKind::Eof: return "end of file";
  case TokenKind::Newline: return "end of line";
  case TokenKind::Indent: return "an indented block";
  case TokenKind::Dedent: return "the end of the indented block";
  case TokenKind::Identifier: return "a name";
  case TokenKind::Integer: return "an integer";
  case TokenKind::Float: return "a number";
  case TokenKind::String: return "a string";
  case TokenKind::KwImport: return "'import'";
  case TokenKind::KwBlock: return "'block'";
  case TokenKind::KwModel: return "'model'";
  case TokenKind::KwInput: return "'input'";
  case TokenKind::KwOutput: return "'output'";
  case TokenKind::KwParam: return "'param'";
  case TokenKind::KwLoss: return "'loss'";
  case TokenKind::KwIf: return "'if'";
  case TokenKind::KwElif: return "'elif'";
  case TokenKind::KwElse: return "'else'";
  case TokenKind::KwFor: return "'for'";
  case TokenKind::KwIn: return "'in'";
  case TokenKind::KwReturn: return "'return'";
  case TokenKind::KwAnd: return "'and'";
  case TokenKind::KwOr: return "'or'";
  case TokenKind::KwNot: return "'not'";
  case TokenKind::KwTrue: return "'true'";
  case TokenKind::KwFalse: return "'false'";
  case TokenKind::KwNone: return "'none'";
  case TokenKind::LParen: return "'('";
  case TokenKind::RParen: return "')'";
  case TokenKind::LBracket: return "'['";
  case TokenKind::RBracket: return "']'";
  case TokenKind::Comma: return "','";
  case TokenKind::Colon: return "':'";
  case TokenKind::Dot: return "'.'";
  case TokenKind::Assign: return "'='";
  case TokenKind::Plus: return "'+'";
  case TokenKind::Minus: return "'-'";
  case TokenKind::Star: return "'*'";
  case TokenKind::Slash: return "'/'";
  case TokenKind::SlashSlash: return "'//'";
  case TokenKind::Percent: return "'%'";
  case TokenKind::EqualEqual: return "'=='";
  case TokenKind::NotEqual: return "'!='";
  case TokenKind::Less: return "'<'";
  case TokenKind::LessEqual: return "'<='";
  case TokenKind::Greater: return "'>'";
  case TokenKind::GreaterEqual: return "'>='";
  }
  return "a token";
}

namespace {

TokenKind keywordOrIdentifier(StringRef word) {
  return llvm::StringSwitch<TokenKind>(word)
      .Case("import", TokenKind::KwImport)
      .Case("block", TokenKind::KwBlock)
      .Case("model", TokenKind::KwModel)
      .Case("input", TokenKind::KwInput)
      .Case("output", TokenKind::KwOutput)
      .Case("param", TokenKind::KwParam)
      .Case("loss", TokenKind::KwLoss)
      .Case("if", TokenKind::KwIf)
      .Case("elif", TokenKind::KwElif)
      .Case("else", TokenKind::KwElse)
      .Case("for", TokenKind::KwFor)
      .Case("in", TokenKind::KwIn)
      .Case("return", TokenKind::KwReturn)
      .Case("and", TokenKind::KwAnd)
      .Case("or", TokenKind::KwOr)
      .Case("not", TokenKind::KwNot)
      .Case("true", TokenKind::KwTrue)
      .Case("false", TokenKind::KwFalse)
      .Case("none", TokenKind::KwNone)
      .Default(TokenKind::Identifier);
}

class Lexer {
public:
  Lexer(StringRef source, SourceDiagnostics &diagnostics, std::vector<Token> &tokens)
      : source(source), diagnostics(diagnostics), tokens(tokens) {}

  bool run() {
    bool atLineStart = true;
    while (pos < source.size()) {
      if (atLineStart && depth == 0) {
        if (!indentation())
          continue; // a blank or comment-only line: the next one starts a line too
        atLineStart = false;
      }
      char c = source[pos];
      if (c == '\n') {
        ++pos;
        if (depth == 0) {
          push(TokenKind::Newline, pos - 1, 1);
          atLineStart = true;
        }
      } else if (c == ' ' || c == '\r' || c == '\t') {
        ++pos;
      } else if (c == '#') {
        skipComment();
      } else if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
        word();
      } else if (std::isdigit(static_cast<unsigned char>(c))) {
        number();
      } else if (c == '"') {
        string();
      } else {
        punctuation();
      }
    }
    if (tokens.empty() || tokens.back().kind != TokenKind::Newline)
      push(TokenKind::Newline, pos, 0);
    while (indents.size() > 1) {
      indents.pop_back();
      push(TokenKind::Dedent, pos, 0);
    }
    push(TokenKind::Eof, pos, 0);
    return ok;
  }

private:
  void push(TokenKind kind, size_t start, size_t length) {
    tokens.push_back({kind, source.substr(start, length), loc(start)});
  }
  SMLoc loc(size_t offset) const { return SMLoc::getFromPointer(source.data() + offset); }
  void error(size_t offset, const llvm::Twine &message) {
    diagnostics.error(loc(offset), message);
    ok = false;
  }

  void skipComment() {
    while (pos < source.size() && source[pos] != '\n')
      ++pos;
  }

  /// Measures the indentation of the line at `pos` and emits Indent / Dedent tokens.
  /// Returns false (consuming the line) for a line with nothing but blanks or a comment.
  bool indentation() {
    size_t start = pos;
    while (pos < source.size() && (source[pos] == ' ' || source[pos] == '\t')) {
      if (source[pos] == '\t') {
        // A tab's width is a matter of taste, so mixing it with spaces would make the
        // structure ambiguous; Python refuses the same.
        error(pos, "tabs are not allowed in indentation; indent with spaces");
      }
      ++pos;
    }
    if (pos >= source.size() || source[pos] == '\n' || source[pos] == '#' ||
        source[pos] == '\r') {
      skipComment();
      if (pos < source.size())
        ++pos;
      return false;
    }
    size_t width = pos - start;
    if (width > indents.back()) {
      indents.push_back(width);
      push(TokenKind::Indent, pos, 0);
    } else {
      while (width < indents.back()) {
        indents.pop_back();
        push(TokenKind::Dedent, pos, 0);
      }
      if (width != indents.back())
        error(pos, "this line's indentation matches no enclosing block");
    }
    return true;
  }

  void word() {
    size_t start = pos;
    while (pos < source.size() &&
           (std::isalnum(static_cast<unsigned char>(source[pos])) || source[pos] == '_'))
      ++pos;
    push(keywordOrIdentifier(source.slice(start, pos)), start, pos - start);
  }

  void number() {
    size_t start = pos;
    bool isFloat = false;
    auto digits = [&] {
      while (pos < source.size() &&
             (std::isdigit(static_cast<unsigned char>(source[pos])) || source[pos] == '_'))
        ++pos;
    };
    digits();
    if (pos + 1 < source.size() && source[pos] == '.' &&
        std::isdigit(static_cast<unsigned char>(source[pos + 1]))) {
      isFloat = true;
      ++pos;
      digits();
    }
    if (pos < source.size() && (source[pos] == 'e' || source[pos] == 'E')) {
      size_t exponent = pos + 1;
      if (exponent < source.size() && (source[exponent] == '+' || source[exponent] == '-'))
        ++exponent;
      if (exponent < source.size() && std::isdigit(static_cast<unsigned char>(source[exponent]))) {
        isFloat = true;
        pos = exponent;
        digits();
      }
    }
    if (pos < source.size() && (std::isalpha(static_cast<unsigned char>(source[pos])))) {
      error(pos, "unexpected '" + source.substr(pos, 1) + "' after a number");
      while (pos < source.size() && std::isalnum(static_cast<unsigned char>(source[pos])))
        ++pos;
    }
    push(isFloat ? TokenKind::Float : TokenKind::Integer, start, pos - start);
  }

  void string() {
    size_t start = pos++;
    while (pos < source.size() && source[pos] != '"' && source[pos] != '\n')
      ++pos;
    if (pos >= source.size() || source[pos] != '"') {
      error(start, "unterminated string");
      return;
    }
    tokens.push_back({TokenKind::String, source.slice(start + 1, pos), loc(start)});
    ++pos;
  }

  void punctuation() {
    size_t start = pos;
    auto two = [&](char next, TokenKind pair, TokenKind single) {
      if (pos + 1 < source.size() && source[pos + 1] == next) {
        pos += 2;
        push(pair, start, 2);
      } else {
        ++pos;
        push(single, start, 1);
      }
    };
    switch (source[pos]) {
    case '(': ++depth; ++pos; return push(TokenKind::LParen, start, 1);
    case '[': ++depth; ++pos; return push(TokenKind::LBracket, start, 1);
    case ')':
    case ']': {
      // Too many closers are the parser's to report; the depth only has to stay sane.
      if (depth > 0)
        --depth;
      ++pos;
      return push(source[start] == ')' ? TokenKind::RParen : TokenKind::RBracket, start, 1);
    }
    case ',': ++pos; return push(TokenKind::Comma, start, 1);
    case ':': ++pos; return push(TokenKind::Colon, start, 1);
    case '.': ++pos; return push(TokenKind::Dot, start, 1);
    case '+': ++pos; return push(TokenKind::Plus, start, 1);
    case '-': ++pos; return push(TokenKind::Minus, start, 1);
    case '*': ++pos; return push(TokenKind::Star, start, 1);
    case '%': ++pos; return push(TokenKind::Percent, start, 1);
    case '/': return two('/', TokenKind::SlashSlash, TokenKind::Slash);
    case '=': return two('=', TokenKind::EqualEqual, TokenKind::Assign);
    case '<': return two('=', TokenKind::LessEqual, TokenKind::Less);
    case '>': return two('=', TokenKind::GreaterEqual, TokenKind::Greater);
    case '!':
      if (pos + 1 < source.size() && source[pos + 1] == '=') {
        pos += 2;
        return push(TokenKind::NotEqual, start, 2);
      }
      break;
    default:
      break;
    }
    error(pos, "unexpected character '" + source.substr(pos, 1) + "'");
    ++pos;
  }

  StringRef source;
  SourceDiagnostics &diagnostics;
  std::vector<Token> &tokens;
  size_t pos = 0;
  int depth = 0; ///< open brackets: line ends inside them are not statement ends
  llvm::SmallVector<size_t> indents = {0};
  bool ok = true;
};

} // namespace

bool kiln::lang::tokenize(StringRef source, SourceDiagnostics &diagnostics,
                          std::vector<Token> &tokens) {
  return Lexer(source, diagnostics, tokens).run();
}
