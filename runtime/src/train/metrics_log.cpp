//===- metrics_log.cpp - --log FILE: one record per logged step and evaluation ===//
#include "metrics_log.h"

#include "../internal.h"

#include <cerrno>
#include <cmath>
#include <cstring>

using namespace kiln::runtime;

namespace {

bool endsWith(const std::string &text, const std::string &suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

/// A number as JSON and CSV both accept it; JSON has no NaN or infinity, so those are null
/// (and an empty CSV field).
std::string number(double value, bool json) {
  if (!std::isfinite(value))
    return json ? "null" : "";
  char text[32];
  std::snprintf(text, sizeof(text), "%.6g", value);
  return text;
}

} // namespace

kiln_status_t kiln::train::MetricsLog::open(const std::string &path, bool append,
                                            std::unique_ptr<MetricsLog> &out) {
  bool json = endsWith(path, ".jsonl") || endsWith(path, ".json");
  if (!json && !endsWith(path, ".csv"))
    return makeStatus(KILN_STATUS_INVALID_ARGUMENT,
                      path + ": a log file ends in .csv, .jsonl or .json");
  FILE *file = std::fopen(path.c_str(), append ? "a" : "w");
  if (!file)
    return makeStatus(KILN_STATUS_IO_ERROR,
                      path + ": cannot open log file: " + std::strerror(errno));
  out.reset(new MetricsLog(path, file, json));
  if (!json && std::ftell(file) == 0)
    std::fputs("kind,epoch,step,lr,loss,top1,top5,images_per_s\n", file);
  return nullptr;
}

kiln::train::MetricsLog::~MetricsLog() { std::fclose(file); }

kiln_status_t kiln::train::MetricsLog::write(const LogRecord &r) {
  if (json)
    std::fprintf(file,
                 "{\"kind\": \"%s\", \"epoch\": %llu, \"step\": %llu, \"lr\": %s, \"loss\": %s, "
                 "\"top1\": %s, \"top5\": %s, \"images_per_s\": %s}\n",
                 r.kind, static_cast<unsigned long long>(r.epoch),
                 static_cast<unsigned long long>(r.step), number(r.lr, true).c_str(),
                 number(r.loss, true).c_str(), number(r.top1, true).c_str(),
                 number(r.top5, true).c_str(), number(r.imagesPerSecond, true).c_str());
  else
    std::fprintf(file, "%s,%llu,%llu,%s,%s,%s,%s,%s\n", r.kind,
                 static_cast<unsigned long long>(r.epoch),
                 static_cast<unsigned long long>(r.step), number(r.lr, false).c_str(),
                 number(r.loss, false).c_str(), number(r.top1, false).c_str(),
                 number(r.top5, false).c_str(), number(r.imagesPerSecond, false).c_str());
  if (std::fflush(file) != 0 || std::ferror(file))
    return makeStatus(KILN_STATUS_IO_ERROR,
                      path + ": cannot write log file: " + std::strerror(errno));
  return nullptr;
}
