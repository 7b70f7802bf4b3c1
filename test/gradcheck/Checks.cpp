//===- Checks.cpp - the checks kiln-gradcheck runs on one session ---------===//
#include "Checks.h"
#include "Tolerances.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <vector>

using namespace kiln::gradcheck;

namespace {

/// How many mismatching elements a failing argument lists.
constexpr unsigned MaxListedMismatches = 5;

/// Uniform in [0, 1) from the top 53 bits of a Mersenne Twister: mt19937_64's output is fixed
/// by the C++ standard, unlike std::uniform_real_distribution's, so a seed gives the same
/// values with every standard library.
double unitDouble(std::mt19937_64 &engine) {
  return static_cast<double>(engine() >> 11) * 0x1.0p-53;
}

/// The comparison rule of the whole tool.
bool close(double a, double b, double rtol, double atol) {
  return std::fabs(a - b) <= atol + rtol * std::max(std::fabs(a), std::fabs(b));
}

double relativeError(double a, double b) {
  double scale = std::max(std::fabs(a), std::fabs(b));
  return scale == 0 ? 0 : std::fabs(a - b) / scale;
}

/// "[1, 3]": the coordinates of flat element `index` of a row-major buffer.
std::string coordinates(const kiln_buffer_info_t &info, uint64_t index) {
  std::vector<uint64_t> coords(info.rank);
  for (uint32_t d = info.rank; d-- > 0;) {
    uint64_t extent = static_cast<uint64_t>(info.shape[d]);
    coords[d] = index % extent;
    index /= extent;
  }
  std::string text = "[";
  for (uint32_t d = 0; d < info.rank; ++d)
    text += (d ? ", " : "") + std::to_string(coords[d]);
  return text + "]";
}

/// Largest errors of one comparison over many elements; NaN anywhere counts as a failure.
struct ErrorStats {
  double maxAbs = 0;
  double maxRel = 0;
  unsigned mismatches = 0;

  void add(double a, double b, bool ok) {
    maxAbs = std::max(maxAbs, std::fabs(a - b));
    maxRel = std::max(maxRel, relativeError(a, b));
    if (std::isnan(a) || std::isnan(b))
      maxAbs = maxRel = NAN;
    mismatches += ok ? 0 : 1;
  }
};

class Checker {
public:
  Checker(kiln_session_t *session, const GradientPlan &plan, const Options &options,
          Report &report)
      : session(session), artifact(kiln_session_artifact(session)), plan(plan),
        options(options), report(report) {}

  bool run(std::string &error) {
    fillArguments();
    std::vector<std::vector<uint8_t>> before = snapshot(plan.arguments);
    double lossOfF;
    if (!runEntry(plan.lossEntry, error))
      return false;
    lossOfF = load(plan.loss, 0);
    zeroGradients();
    if (!runEntry(plan.gradEntry, error))
      return false;
    if (plan.lossEntry != plan.gradEntry && plan.gradEntryWritesLoss)
      checkLoss(lossOfF, load(plan.loss, 0));
    std::vector<std::vector<double>> once = gradients();
    if (!runEntry(plan.gradEntry, error))
      return false;
    checkAccumulation(once, gradients());
    checkArgumentsUnchanged(before);
    for (size_t t = 0; t < plan.targets.size(); ++t)
      if (!checkFiniteDifferences(plan.targets[t], once[t], t, error))
        return false;
    return true;
  }

private:
  kiln_session_t *session;
  const kiln_artifact_t *artifact;
  const GradientPlan &plan;
  const Options &options;
  Report &report;

  kiln_buffer_info_t info(uint32_t buffer) const {
    return kiln_artifact_buffer_info(artifact, buffer);
  }
  double load(uint32_t buffer, uint64_t index) const {
    return kiln_element_load(info(buffer).dtype, kiln_session_buffer_data(session, buffer),
                             index);
  }
  void store(uint32_t buffer, uint64_t index, double value) {
    kiln_element_store(info(buffer).dtype, kiln_session_buffer_data(session, buffer), index,
                       value);
  }

  bool runEntry(const std::string &entry, std::string &error) {
    if (kiln_status_t status = kiln_session_run(session, entry.c_str())) {
      error = kiln_status_message(status);
      kiln_status_free(status);
      return false;
    }
    return true;
  }

  void verdict(bool ok, const std::string &line) {
    std::printf("%s %s\n", ok ? "PASS" : "FAIL", line.c_str());
    (ok ? report.passed : report.failed)++;
  }

  /// Tolerances for an argument: the less precise of its dtype and the loss's, then the
  /// user's overrides.
  Tolerances tolerancesFor(kiln_abi_dtype_t dtype) const {
    bool f64 = dtype == KILN_DTYPE_F64 && plan.lossDtype == KILN_DTYPE_F64;
    Tolerances tolerances = defaultTolerances(f64 ? KILN_DTYPE_F64 : KILN_DTYPE_F32);
    tolerances.eps = options.eps.value_or(tolerances.eps);
    tolerances.rtol = options.rtol.value_or(tolerances.rtol);
    tolerances.atol = options.atol.value_or(tolerances.atol);
    return tolerances;
  }

  void fillArguments() {
    std::mt19937_64 engine(options.seed);
    for (uint32_t buffer : plan.arguments) {
      auto range = options.ranges.find(info(buffer).name);
      double low = range == options.ranges.end() ? -1.0 : range->second.first;
      double high = range == options.ranges.end() ? 1.0 : range->second.second;
      uint64_t count = info(buffer).byte_size / kiln_dtype_size(info(buffer).dtype);
      for (uint64_t i = 0; i < count; ++i)
        store(buffer, i, low + (high - low) * unitDouble(engine));
    }
  }

  std::vector<std::vector<uint8_t>> snapshot(const std::vector<uint32_t> &buffers) const {
    std::vector<std::vector<uint8_t>> bytes;
    for (uint32_t buffer : buffers) {
      const auto *data = static_cast<const uint8_t *>(kiln_session_buffer_data(session, buffer));
      bytes.emplace_back(data, data + info(buffer).byte_size);
    }
    return bytes;
  }

  void zeroGradients() {
    for (const GradientTarget &target : plan.targets)
      std::memset(kiln_session_buffer_data(session, target.gradient), 0,
                  info(target.gradient).byte_size);
  }

  std::vector<std::vector<double>> gradients() const {
    std::vector<std::vector<double>> values;
    for (const GradientTarget &target : plan.targets) {
      values.emplace_back(target.elements);
      for (uint64_t i = 0; i < target.elements; ++i)
        values.back()[i] = load(target.gradient, i);
    }
    return values;
  }

  void checkLoss(double lossOfF, double lossOfGrad) {
    Tolerances tolerances = tolerancesFor(plan.lossDtype);
    bool ok = close(lossOfGrad, lossOfF, tolerances.accumulationRtol, tolerances.atol);
    char line[256];
    std::snprintf(line, sizeof line, "loss: %s gives %.17g, %s gives %.17g%s",
                  plan.gradEntry.c_str(), lossOfGrad, plan.entry.c_str(), lossOfF,
                  std::isfinite(lossOfF) ? ""
                                         : " (not finite: give the arguments a domain with "
                                           "--positive or --range)");
    verdict(ok && std::isfinite(lossOfF), line);
  }

  /// After a second F_grad without zeroing, each X@grad must hold twice the first gradient.
  void checkAccumulation(const std::vector<std::vector<double>> &once,
                         const std::vector<std::vector<double>> &twice) {
    ErrorStats stats;
    std::string worst;
    for (size_t t = 0; t < plan.targets.size(); ++t) {
      Tolerances tolerances = tolerancesFor(plan.targets[t].dtype);
      for (uint64_t i = 0; i < once[t].size(); ++i) {
        double expected = 2 * once[t][i];
        bool ok = close(twice[t][i], expected, tolerances.accumulationRtol, tolerances.atol);
        if (!ok && worst.empty()) {
          char text[256];
          std::snprintf(text, sizeof text, "; %s%s%s: %.17g after one run, %.17g after two",
                        plan.targets[t].name.c_str(), gradientSuffix(),
                        coordinates(info(plan.targets[t].gradient), i).c_str(), once[t][i],
                        twice[t][i]);
          worst = text;
        }
        stats.add(twice[t][i], expected, ok);
      }
    }
    char line[512];
    std::snprintf(line, sizeof line,
                  "accumulation: a second %s run doubles the %zu gradient buffer(s): %u "
                  "element(s) differ, max rel err %.3g%s",
                  plan.gradEntry.c_str(), plan.targets.size(), stats.mismatches, stats.maxRel,
                  worst.c_str());
    verdict(stats.mismatches == 0, line);
  }

  void checkArgumentsUnchanged(const std::vector<std::vector<uint8_t>> &before) {
    std::vector<std::vector<uint8_t>> after = snapshot(plan.arguments);
    std::string changed;
    for (size_t i = 0; i < before.size(); ++i)
      if (before[i] != after[i])
        changed += std::string(changed.empty() ? "" : ", ") + info(plan.arguments[i]).name;
    verdict(changed.empty(), "arguments: " + plan.gradEntry + " leaves its " +
                                 std::to_string(plan.arguments.size()) +
                                 " input(s) and parameter(s) unchanged" +
                                 (changed.empty() ? "" : " (it wrote to " + changed + ")"));
  }

  /// The element indices of a target to check: all, or a seeded sample in ascending order.
  std::vector<uint64_t> sample(const GradientTarget &target, size_t targetNumber) const {
    std::vector<uint64_t> indices(target.elements);
    for (uint64_t i = 0; i < target.elements; ++i)
      indices[i] = i;
    if (options.maxElements == 0 || target.elements <= options.maxElements)
      return indices;
    std::mt19937_64 engine(options.seed * 0x9e3779b97f4a7c15ull + targetNumber + 1);
    for (uint64_t i = 0; i < options.maxElements; ++i)
      std::swap(indices[i], indices[i + engine() % (target.elements - i)]);
    indices.resize(options.maxElements);
    std::sort(indices.begin(), indices.end());
    return indices;
  }

  /// F at the current arguments (F_grad stands in for a missing F: the gradients it adds are
  /// not read again).
  bool lossAt(double &loss, std::string &error) {
    if (!runEntry(plan.lossEntry, error))
      return false;
    loss = load(plan.loss, 0);
    return true;
  }

  bool checkFiniteDifferences(const GradientTarget &target, const std::vector<double> &analytic,
                              size_t targetNumber, std::string &error) {
    Tolerances tolerances = tolerancesFor(target.dtype);
    std::vector<uint64_t> indices = sample(target, targetNumber);
    ErrorStats stats;
    std::vector<std::string> listed;
    for (uint64_t index : indices) {
      double x = load(target.argument, index);
      // The step actually taken: x +- h rounded to the argument's dtype (float32 rounds it).
      store(target.argument, index, x + tolerances.eps);
      double xPlus = load(target.argument, index);
      double fPlus, fMinus;
      if (!lossAt(fPlus, error))
        return false;
      store(target.argument, index, x - tolerances.eps);
      double xMinus = load(target.argument, index);
      if (!lossAt(fMinus, error))
        return false;
      store(target.argument, index, x);
      double numeric = (fPlus - fMinus) / (xPlus - xMinus);
      bool ok = close(analytic[index], numeric, tolerances.rtol, tolerances.atol);
      stats.add(analytic[index], numeric, ok);
      if (!ok && listed.size() < MaxListedMismatches) {
        char text[256];
        std::snprintf(text, sizeof text, "    %s%s: analytic %.10g, numeric %.10g",
                      target.name.c_str(), coordinates(info(target.argument), index).c_str(),
                      analytic[index], numeric);
        listed.push_back(text);
      }
    }
    char line[512];
    std::snprintf(line, sizeof line,
                  "%s: %zu/%llu elements, max abs err %.3g, max rel err %.3g (eps %g, rtol %g, "
                  "atol %g)%s",
                  target.name.c_str(), indices.size(),
                  static_cast<unsigned long long>(target.elements), stats.maxAbs, stats.maxRel,
                  tolerances.eps, tolerances.rtol, tolerances.atol,
                  stats.mismatches ? (", " + std::to_string(stats.mismatches) +
                                      " outside the tolerance:").c_str()
                                   : "");
    verdict(stats.mismatches == 0, line);
    for (const std::string &text : listed)
      std::printf("%s\n", text.c_str());
    return true;
  }
};

} // namespace

bool kiln::gradcheck::runChecks(kiln_session_t *session, const GradientPlan &plan,
                                const Options &options, Report &report, std::string &error) {
  return Checker(session, plan, options, report).run(error);
}
