//===- Lexer.h - tokens of the kiln model language ------------------------===//
//
// The language is indentation-structured like the Python model code it imitates: the
// lexer turns leading whitespace into Indent / Dedent tokens and line ends into Newline
// tokens (none inside brackets, so a long call may span lines).
//
//===----------------------------------------------------------------------===//
#ifndef KILN_FRONTENDS_LANG_LEXER_H
#define KILN_FRONTENDS_LANG_LEXER_H

#include "frontends/lang/SourceDiagnostics.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/SMLoc.h"

#include <vector>

namespace kiln::lang {

enum class TokenKind {
  Eof,
  Newline,
  Indent,
  Dedent,
  Identifier,
  Integer,
  Float,
  String,
  // Keywords.
  KwImport,
  KwBlock,
  KwModel,
  KwInput,
  KwOutput,
  KwParam,
  KwLoss,
  KwIf,
  KwElif,
  KwElse,
  KwFor,
  KwIn,
  KwReturn,
  KwAnd,
  KwOr,
  KwNot,
  KwTrue,
  KwFalse,
  KwNone,
  // Punctuation.
  LParen,
  RParen,
  LBracket,
  RBracket,
  Comma,
  Colon,
  Dot,
  Assign,
  Plus,
  Minus,
  Star,
  Slash,
  SlashSlash,
  Percent,
  EqualEqual,
  NotEqual,
  Less,
  LessEqual,
  Greater,
  GreaterEqual,
};

/// How a token kind reads in "expected ..." messages.
llvm::StringRef describe(TokenKind kind);

struct Token {
  TokenKind kind;
  /// The token's characters (a string literal's without its quotes).
  llvm::StringRef text;
  llvm::SMLoc loc;
};

/// Splits `source` (a buffer of `diagnostics`' source manager) into tokens. Reports each
/// lexical error (unknown character, unterminated string, inconsistent indentation) and
/// returns false if there was one. The token list always ends with Eof.
bool tokenize(llvm::StringRef source, SourceDiagnostics &diagnostics,
              std::vector<Token> &tokens);

} // namespace kiln::lang

#endif // KILN_FRONTENDS_LANG_LEXER_H
