// ValidatePrefetchOptions and ValidateEngineOptions (engine.h): the one
// place the engine's option ranges are enforced, for the C++ API, the C ABI
// and the command line alike.
#include <cmath>
#include <cstdio>
#include <string>

#include "blobgraph/engine.h"

namespace blobgraph {
namespace {

std::string Number(double value) {
  char text[32];
  std::snprintf(text, sizeof(text), "%g", value);
  return text;
}

Status TooLarge(const char* field, uint64_t value, uint64_t max) {
  return Status::InvalidInput(std::string("engine options: ") + field + " is " +
                              std::to_string(value) + "; expected at most " + std::to_string(max));
}

Status CheckInterval(const char* field, std::chrono::milliseconds interval) {
  if (interval.count() >= 0 && interval <= kMaxEngineInterval) return Status::Ok();
  return Status::InvalidInput(std::string("engine options: ") + field + " is " +
                              std::to_string(interval.count()) + " ms; expected 0 to " +
                              std::to_string(kMaxEngineInterval.count()) + " ms");
}

}  // namespace

Status ValidatePrefetchOptions(const PrefetchOptions& options) {
  if (options.min_probability >= 0.0 && options.min_probability <= 1.0) return Status::Ok();
  return Status::InvalidInput("prefetch options: min_probability is " +
                              Number(options.min_probability) + "; expected a number from 0 to 1");
}

Status ValidateEngineOptions(const EngineOptions& options) {
  if (options.tracked_functions > kMaxTrackedFunctions) {
    return TooLarge("tracked_functions", options.tracked_functions, kMaxTrackedFunctions);
  }
  if (options.waste_window > kMaxWasteWindow) {
    return TooLarge("waste_window", options.waste_window, kMaxWasteWindow);
  }
  BLOBGRAPH_RETURN_IF_ERROR(CheckInterval("refresh_interval", options.refresh_interval));
  BLOBGRAPH_RETURN_IF_ERROR(CheckInterval("flush_interval", options.flush_interval));
  BLOBGRAPH_RETURN_IF_ERROR(ValidatePrefetchModel(options.prefetch_model, "engine options"));
  return ValidateProbabilityModel(options.model, "engine options");
}

Status ValidatePrefetchModel(const PrefetchModel& model, const std::string& what) {
  struct Field {
    const char* name;
    double value, max;
  };
  for (const Field& field : {Field{"prior_runs", model.prior_runs, 1e6},
                             Field{"callee_prior_runs", model.callee_prior_runs, 1e6},
                             Field{"default_list_precision", model.default_list_precision, 1},
                             Field{"precision_prior_edges", model.precision_prior_edges, 1e12}}) {
    if (std::isfinite(field.value) && field.value >= 0 && field.value <= field.max) continue;
    return Status::InvalidInput(what + ": " + field.name + " is " + Number(field.value) +
                                "; expected a number from 0 to " + Number(field.max));
  }
  return Status::Ok();
}

}  // namespace blobgraph
