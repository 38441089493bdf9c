#include "experiments/problem.h"

#include <algorithm>

namespace engram::experiments {

Registry<TaskFactory>& tasks() {
  static Registry<TaskFactory> r("task");
  return r;
}

Registry<ModelFactory>& models() {
  static Registry<ModelFactory> r("model");
  return r;
}

Options to_options(Section& cfg, const std::vector<std::string>& skip) {
  Options o;
  for (const auto& key : cfg.keys()) {
    if (std::find(skip.begin(), skip.end(), key) != skip.end()) continue;
    o.set(key, cfg.string(key));
  }
  return o;
}

}  // namespace engram::experiments
