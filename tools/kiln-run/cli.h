//===- cli.h - what kiln-run's subcommands share --------------------------===//
//
// Exit codes, error reporting and the argument reader, used by main.cpp and by each
// subcommand's file.
//
//===----------------------------------------------------------------------===//
#ifndef KILN_TOOLS_KILN_RUN_CLI_H
#define KILN_TOOLS_KILN_RUN_CLI_H

#include "kiln/runtime.h"

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

namespace kiln::cli {

constexpr int ExitSuccess = 0;
constexpr int ExitRuntimeError = 1;
constexpr int ExitUsageError = 2;

using Args = std::vector<std::string>;

/// Reports a command-line mistake with a hint where to find the usage; returns 2.
inline int usageError(const char *command, const std::string &message) {
  std::fprintf(stderr, "kiln-run: error: %s\n(run `kiln-run %s%s--help` for usage)\n",
               message.c_str(), command ? command : "", command ? " " : "");
  return ExitUsageError;
}

/// Reports a failure from the runtime (frees `status`); returns 1.
inline int runtimeError(kiln_status_t status) {
  std::fprintf(stderr, "kiln-run: error: %s\n", kiln_status_message(status));
  kiln_status_free(status);
  return ExitRuntimeError;
}

inline int runtimeError(const std::string &message) {
  std::fprintf(stderr, "kiln-run: error: %s\n", message.c_str());
  return ExitRuntimeError;
}

/// Reads a subcommand's arguments in order: `--flag VALUE`, `--flag=VALUE`, `--switch` and
/// positionals. A value may not itself look like a flag, so `--input --print` is an error
/// rather than an input file named "--print".
class ArgReader {
public:
  ArgReader(const char *command, const Args &args) : command(command), args(args) {}

  /// Moves to the next argument; false at the end.
  bool next() {
    if (index == args.size())
      return false;
    const std::string &arg = args[index++];
    size_t equals = arg.find('=');
    if (arg.rfind("--", 0) == 0 && equals != std::string::npos) {
      current = arg.substr(0, equals);
      inlineValue = arg.substr(equals + 1);
    } else {
      current = arg;
      inlineValue.reset();
    }
    return true;
  }

  /// The current argument (for `--flag=VALUE`, the flag).
  const std::string &arg() const { return current; }
  bool isFlag() const { return current.size() > 1 && current[0] == '-'; }

  /// The value of the current flag; nullopt (after reporting a usage error into `error`) if it
  /// has none.
  std::optional<std::string> value(const char *what, int &error) {
    if (inlineValue)
      return inlineValue;
    if (index < args.size() && args[index].rfind("--", 0) != 0)
      return args[index++];
    error = usageError(command, current + " needs " + what);
    return std::nullopt;
  }

  /// Checks that a switch was not given a value (`--print=yes`).
  bool noValue(int &error) {
    if (!inlineValue)
      return true;
    error = usageError(command, current + " takes no value");
    return false;
  }

private:
  const char *command;
  const Args &args;
  size_t index = 0;
  std::string current;
  std::optional<std::string> inlineValue;
};

/// The train command: its help text and its body (train_command.cpp).
extern const char *const kTrainHelp;
int runTrain(const Args &args);

} // namespace kiln::cli

#endif // KILN_TOOLS_KILN_RUN_CLI_H
