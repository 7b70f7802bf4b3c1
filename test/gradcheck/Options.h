//===- Options.h - the command line of kiln-gradcheck ---------------------===//
//
// Parsing only: what the user asked for, checked for form (numbers parse, ranges are ordered).
// Whether the names exist in the artifact is checked once the artifact is loaded.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_GRADCHECK_OPTIONS_H
#define KILN_GRADCHECK_OPTIONS_H

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>

namespace kiln::gradcheck {

/// Every flag of kiln-gradcheck. Unset optionals take the defaults of the dtype being checked
/// (Tolerances.h).
struct Options {
  std::string artifactPath;
  std::string entry;              /// --entry: empty means "the one entry E with an E_grad"
  uint64_t seed = 0;              /// --seed
  std::optional<double> eps;      /// --eps: finite-difference step
  std::optional<double> rtol;     /// --rtol
  std::optional<double> atol;     /// --atol
  uint64_t maxElements = 0;       /// --max-elements: per argument; 0 checks every element
  /// Value ranges by buffer name, from --positive and --range; others get [-1, 1].
  std::map<std::string, std::pair<double, double>> ranges;
};

/// What parseOptions found.
enum class ParseResult { Ok, Help, Error };

/// Parses argv into `options`; on Error, `error` says what is wrong.
ParseResult parseOptions(int argc, char **argv, Options &options, std::string &error);

/// The --help text.
const char *helpText();

} // namespace kiln::gradcheck

#endif // KILN_GRADCHECK_OPTIONS_H
