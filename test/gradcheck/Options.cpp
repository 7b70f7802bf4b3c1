//===- Options.cpp - the command line of kiln-gradcheck -------------------===//
#include "Options.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <vector>

using namespace kiln::gradcheck;

namespace {

/// --positive draws from here: away from 0, so that log, sqrt and 1/x stay smooth over a
/// finite-difference step even at the coarse f32 step.
constexpr double PositiveLow = 0.5;
constexpr double PositiveHigh = 1.5;

bool parseDouble(const std::string &text, double &out) {
  if (text.empty())
    return false;
  char *end = nullptr;
  errno = 0;
  out = std::strtod(text.c_str(), &end);
  return errno == 0 && *end == '\0' && std::isfinite(out);
}

bool parseUnsigned(const std::string &text, uint64_t &out) {
  if (text.empty() || text[0] == '-')
    return false;
  char *end = nullptr;
  errno = 0;
  out = std::strtoull(text.c_str(), &end, 10);
  return errno == 0 && *end == '\0';
}

std::vector<std::string> splitCommas(const std::string &text) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t comma = text.find(',', start);
    parts.push_back(text.substr(start, comma - start));
    if (comma == std::string::npos)
      return parts;
    start = comma + 1;
  }
}

/// NAME=LO:HI into `options.ranges`.
bool parseRange(const std::string &text, Options &options, std::string &error) {
  size_t equals = text.rfind('=');
  size_t colon = text.rfind(':');
  double low, high;
  if (equals == std::string::npos || equals == 0 || colon == std::string::npos ||
      colon < equals || !parseDouble(text.substr(equals + 1, colon - equals - 1), low) ||
      !parseDouble(text.substr(colon + 1), high)) {
    error = "--range takes NAME=LO:HI, not '" + text + "'";
    return false;
  }
  if (!(low < high)) {
    error = "--range " + text + ": LO must be below HI";
    return false;
  }
  options.ranges[text.substr(0, equals)] = {low, high};
  return true;
}

} // namespace

const char *kiln::gradcheck::helpText() {
  return "usage: kiln-gradcheck ARTIFACT.kx [--entry F] [--seed N] [--eps H] [--rtol R]\n"
         "                      [--atol A] [--max-elements N] [--positive NAME,...]\n"
         "                      [--range NAME=LO:HI]...\n"
         "\n"
         "Checks the gradients that kilnc's autodiff compiled into an artifact against\n"
         "central finite differences. The artifact has an entry F whose first output is a\n"
         "scalar f32/f64 loss, and an entry F_grad that adds d(loss)/dX into a buffer X@grad\n"
         "(role gradient) for each differentiated argument X. Without F (a private source\n"
         "function is consumed by kiln-autodiff), F_grad's loss stands in for F's.\n"
         "\n"
         "Every float input and parameter is filled with seeded uniform values in [-1, 1];\n"
         "then it checks: F_grad's loss equals F's; running F_grad twice doubles every X@grad\n"
         "(gradients accumulate); F_grad leaves the arguments unchanged; and each element of\n"
         "X@grad equals (F(x+h) - F(x-h)) / 2h within |a - n| <= atol + rtol * max(|a|, |n|).\n"
         "\n"
         "  --entry F           the function to check (default: F of the one entry named\n"
         "                      F_grad)\n"
         "  --seed N            seed of the random arguments and of the sample (default 0)\n"
         "  --eps H             finite-difference step (default 1e-6 for f64, 1e-2 for f32)\n"
         "  --rtol R, --atol A  tolerances (default 1e-5 and 1e-7 for f64, 1e-2 and 1e-3\n"
         "                      for f32)\n"
         "  --max-elements N    check a seeded sample of N elements per argument (default:\n"
         "                      all)\n"
         "  --positive NAMES    draw these buffers (comma-separated) from [0.5, 1.5], for\n"
         "                      log, sqrt, reciprocal\n"
         "  --range NAME=LO:HI  draw buffer NAME from [LO, HI]\n"
         "  -h, --help          this text\n"
         "\n"
         "Prints one line per check and a summary 'N passed, N failed'. Exit codes: 0 every\n"
         "check passed, 1 a check failed, 2 usage error, 3 the artifact cannot be checked\n"
         "(not an artifact, no F_grad, no gradient buffer, a non-scalar loss).\n";
}

ParseResult kiln::gradcheck::parseOptions(int argc, char **argv, Options &options,
                                          std::string &error) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    std::optional<std::string> inlineValue;
    size_t equals = arg.find('=');
    if (arg.rfind("--", 0) == 0 && equals != std::string::npos) {
      inlineValue = arg.substr(equals + 1);
      arg = arg.substr(0, equals);
    }
    // The value of a flag: after '=' or the next argument.
    auto value = [&](std::string &out) {
      if (inlineValue) {
        out = *inlineValue;
        return true;
      }
      if (i + 1 < argc) {
        out = argv[++i];
        return true;
      }
      error = arg + " needs a value";
      return false;
    };
    std::string text;
    if (arg == "-h" || arg == "--help")
      return ParseResult::Help;
    if (arg == "--entry") {
      if (!value(options.entry))
        return ParseResult::Error;
    } else if (arg == "--seed" || arg == "--max-elements") {
      uint64_t number;
      if (!value(text))
        return ParseResult::Error;
      if (!parseUnsigned(text, number)) {
        error = arg + " takes a whole number, not '" + text + "'";
        return ParseResult::Error;
      }
      (arg == "--seed" ? options.seed : options.maxElements) = number;
    } else if (arg == "--eps" || arg == "--rtol" || arg == "--atol") {
      double number;
      if (!value(text))
        return ParseResult::Error;
      if (!parseDouble(text, number) || number < 0 || (arg == "--eps" && number == 0)) {
        error = arg + " takes a " + (arg == "--eps" ? "positive" : "non-negative") +
                " number, not '" + text + "'";
        return ParseResult::Error;
      }
      (arg == "--eps" ? options.eps : arg == "--rtol" ? options.rtol : options.atol) = number;
    } else if (arg == "--positive") {
      if (!value(text))
        return ParseResult::Error;
      for (const std::string &name : splitCommas(text)) {
        if (name.empty()) {
          error = "--positive takes NAME,NAME,..., not '" + text + "'";
          return ParseResult::Error;
        }
        options.ranges[name] = {PositiveLow, PositiveHigh};
      }
    } else if (arg == "--range") {
      if (!value(text) || !parseRange(text, options, error))
        return ParseResult::Error;
    } else if (arg.size() > 1 && arg[0] == '-') {
      error = "unknown option '" + arg + "'";
      return ParseResult::Error;
    } else if (!options.artifactPath.empty()) {
      error = "one artifact only ('" + options.artifactPath + "' and '" + arg + "')";
      return ParseResult::Error;
    } else {
      options.artifactPath = arg;
    }
  }
  if (options.artifactPath.empty()) {
    error = "no artifact given";
    return ParseResult::Error;
  }
  return ParseResult::Ok;
}
