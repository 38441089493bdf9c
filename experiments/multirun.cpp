// Multirun sweeps: comma-separated override values expanded into a cartesian product
// (experiments/config.h, expand_multirun).
#include "experiments/config.h"

#include <string>
#include <vector>

namespace engram::experiments {

// ---- multirun ------------------------------------------------------------------------------

std::vector<std::vector<std::string>> expand_multirun(const std::vector<std::string>& overrides) {
  // Each override as its list of alternatives (one for a plain override).
  std::vector<std::vector<std::string>> choices;
  for (const auto& o : overrides) {
    const size_t eq = o.find('=');
    if (eq == std::string::npos) {
      choices.push_back({o});
      continue;
    }
    const std::string head = o.substr(0, eq + 1);
    const std::string value = o.substr(eq + 1);
    std::vector<std::string> items;
    int depth = 0;
    char quote = 0;
    size_t start = 0;
    for (size_t i = 0; i < value.size(); ++i) {
      const char c = value[i];
      if (quote) {
        if (quote == '"' && c == '\\')
          ++i;
        else if (c == quote)
          quote = 0;
      } else if (c == '"' || c == '\'') {
        quote = c;
      } else if (c == '[' || c == '{') {
        ++depth;
      } else if ((c == ']' || c == '}') && depth > 0) {
        --depth;
      } else if (c == ',' && depth == 0) {
        items.push_back(value.substr(start, i - start));
        start = i + 1;
      }
    }
    if (items.empty()) {
      choices.push_back({o});
      continue;
    }
    items.push_back(value.substr(start));
    std::vector<std::string> alts;
    for (size_t k = 0; k < items.size(); ++k) {
      std::string item = items[k];
      const size_t b = item.find_first_not_of(" \t");
      item = b == std::string::npos ? std::string() : item.substr(b, item.find_last_not_of(" \t") - b + 1);
      if (item.empty())
        throw ConfigError("override '" + o + "': empty item " + std::to_string(k + 1) +
                          " in the sweep (items are separated by ',')");
      alts.push_back(head + item);
    }
    choices.push_back(std::move(alts));
  }
  // Cartesian product, the first override varying slowest. Its size is checked first: a few
  // sweeps of a few values multiply into millions of runs (3^16 override lists took 4 GB).
  constexpr size_t kMostRuns = 100000;
  size_t total = 1;
  for (const auto& alts : choices) {
    total = total > kMostRuns / alts.size() ? kMostRuns + 1 : total * alts.size();
    if (total > kMostRuns) break;
  }
  if (total > kMostRuns) {
    std::string sizes;
    for (const auto& alts : choices)
      if (alts.size() > 1) sizes += (sizes.empty() ? "" : " x ") + std::to_string(alts.size());
    throw ConfigError("the sweep's overrides multiply into more than " + std::to_string(kMostRuns) + " runs (" + sizes +
                      "): split it into smaller sweeps");
  }
  std::vector<std::vector<std::string>> runs{{}};
  for (const auto& alts : choices) {
    std::vector<std::vector<std::string>> next;
    next.reserve(runs.size() * alts.size());
    for (const auto& run : runs)
      for (const auto& a : alts) {
        next.push_back(run);
        next.back().push_back(a);
      }
    runs = std::move(next);
  }
  return runs;
}


}  // namespace engram::experiments
