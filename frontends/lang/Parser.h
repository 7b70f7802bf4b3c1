//===- Parser.h - recursive-descent parser of the model language ----------===//
#ifndef KILN_FRONTENDS_LANG_PARSER_H
#define KILN_FRONTENDS_LANG_PARSER_H

#include "frontends/lang/AST.h"
#include "frontends/lang/SourceDiagnostics.h"

namespace kiln::lang {

/// Parses the model file in `buffer` (of `diagnostics`' source manager). Reports the first
/// syntax error (after every lexical one) with its position and returns null.
std::unique_ptr<Program> parseProgram(unsigned buffer, SourceDiagnostics &diagnostics);

} // namespace kiln::lang

#endif // KILN_FRONTENDS_LANG_PARSER_H
