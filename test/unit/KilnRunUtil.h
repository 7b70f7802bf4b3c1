//===- KilnRunUtil.h - running the built kiln-run from tests --------------===//
#ifndef KILN_TEST_UNIT_KILNRUNUTIL_H
#define KILN_TEST_UNIT_KILNRUNUTIL_H

#include "TestUtil.h"

#include <sys/wait.h>

#include <cstdio>
#include <vector>

namespace kiln::test {

struct RunResult {
  int exitCode = -1;
  std::string output; // stdout and stderr together
};

/// Quotes `arg` for /bin/sh.
inline std::string shellQuote(const std::string &arg) {
  std::string quoted = "'";
  for (char c : arg)
    quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

inline RunResult kilnRun(const std::vector<std::string> &args) {
  std::string command = shellQuote(KILN_RUN_PATH);
  for (const std::string &arg : args)
    command += " " + shellQuote(arg);
  command += " 2>&1";
  RunResult result;
  FILE *pipe = popen(command.c_str(), "r");
  if (!pipe) {
    ADD_FAILURE() << "cannot run " << command;
    return result;
  }
  char chunk[4096];
  for (size_t n; (n = fread(chunk, 1, sizeof(chunk), pipe)) > 0;)
    result.output.append(chunk, n);
  int status = pclose(pipe);
  result.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

#define EXPECT_EXIT_CODE(result, code) EXPECT_EQ((result).exitCode, code) << (result).output

} // namespace kiln::test

#endif // KILN_TEST_UNIT_KILNRUNUTIL_H
