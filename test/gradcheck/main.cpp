//===- main.cpp - kiln-gradcheck: compiled gradients against finite differences ===//
//
// Loads an artifact compiled from a function marked kiln.autodiff (entries F and F_grad),
// checks F_grad's gradients against central differences of F, and prints a summary line
// "N passed, N failed". Exit codes: 0 every check passed, 1 a check failed, 2 usage error,
// 3 the artifact cannot be checked. A test tool: it links only the runtime, never MLIR.
//
//===----------------------------------------------------------------------===//
#include "Checks.h"
#include "GradientPlan.h"
#include "Options.h"

#include "kiln/runtime.h"

#include <algorithm>
#include <cstdio>
#include <memory>

using namespace kiln::gradcheck;

namespace {

constexpr int ExitPassed = 0;
constexpr int ExitCheckFailed = 1;
constexpr int ExitUsageError = 2;
constexpr int ExitCannotCheck = 3;

int usageError(const std::string &message) {
  std::fprintf(stderr, "kiln-gradcheck: error: %s\n(run `kiln-gradcheck --help` for usage)\n",
               message.c_str());
  return ExitUsageError;
}

int cannotCheck(const std::string &message) {
  std::fprintf(stderr, "kiln-gradcheck: error: %s\n", message.c_str());
  return ExitCannotCheck;
}

/// Every --positive/--range name must be a buffer that gets random values: a typo would
/// otherwise silently leave an argument in [-1, 1].
bool checkRangeNames(const kiln_artifact_t *artifact, const GradientPlan &plan,
                     const Options &options, std::string &error) {
  for (const auto &[name, range] : options.ranges) {
    int64_t buffer = kiln_artifact_find_buffer(artifact, name.c_str());
    if (buffer < 0 || std::find(plan.arguments.begin(), plan.arguments.end(),
                                static_cast<uint32_t>(buffer)) == plan.arguments.end()) {
      std::string names;
      for (uint32_t argument : plan.arguments)
        names += std::string(names.empty() ? "" : ", ") +
                 kiln_artifact_buffer_info(artifact, argument).name;
      error = "'" + name + "' is not a float input or parameter of '" + plan.entry +
              "' (those are: " + names + ")";
      return false;
    }
  }
  return true;
}

/// The message of a failed runtime call; frees the status.
std::string takeMessage(kiln_status_t status) {
  std::string message = kiln_status_message(status);
  kiln_status_free(status);
  return message;
}

} // namespace

int main(int argc, char **argv) {
  Options options;
  std::string error;
  switch (parseOptions(argc, argv, options, error)) {
  case ParseResult::Help:
    std::fputs(helpText(), stdout);
    return ExitPassed;
  case ParseResult::Error:
    return usageError(error);
  case ParseResult::Ok:
    break;
  }

  kiln_artifact_t *loaded = nullptr;
  if (kiln_status_t status = kiln_artifact_load(options.artifactPath.c_str(), &loaded))
    return cannotCheck(takeMessage(status));
  std::unique_ptr<kiln_artifact_t, void (*)(kiln_artifact_t *)> artifact(
      loaded, kiln_artifact_release);
  GradientPlan plan;
  if (!buildPlan(artifact.get(), options.entry, plan, error))
    return cannotCheck(options.artifactPath + ": " + error);
  if (!checkRangeNames(artifact.get(), plan, options, error))
    return usageError(error);
  kiln_session_t *created = nullptr;
  if (kiln_status_t status = kiln_session_create(artifact.get(), &created))
    return cannotCheck(takeMessage(status));
  std::unique_ptr<kiln_session_t, void (*)(kiln_session_t *)> session(created,
                                                                      kiln_session_release);

  std::printf("kiln-gradcheck: %s: entry %s, gradient entry %s, loss '%s' (%s), %zu "
              "gradient(s), seed %llu\n",
              options.artifactPath.c_str(), plan.entry.c_str(), plan.gradEntry.c_str(),
              kiln_artifact_buffer_info(artifact.get(), plan.loss).name,
              kiln_dtype_name(plan.lossDtype), plan.targets.size(),
              static_cast<unsigned long long>(options.seed));
  if (plan.lossEntry != plan.entry)
    std::printf("note: no entry '%s' (kiln-autodiff consumed a private source function): "
                "%s's loss stands in for it, so the loss check is skipped\n",
                plan.entry.c_str(), plan.gradEntry.c_str());
  Report report;
  if (!runChecks(session.get(), plan, options, report, error))
    return cannotCheck(error);
  std::printf("%u passed, %u failed\n", report.passed, report.failed);
  return report.failed ? ExitCheckFailed : ExitPassed;
}
