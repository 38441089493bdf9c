#include "experiments/tasks/pointer/pointer_task.h"

#include <algorithm>
#include <numeric>

namespace engram::experiments::pointer {

Metrics PointerTask::score(const std::vector<PointerExample>& examples, const std::vector<std::vector<int>>& outputs,
                           const std::vector<std::vector<int>>&) const {
  require(examples.size() == outputs.size() && !examples.empty(), "PointerTask::score",
          "needs one output per example, got " + std::to_string(outputs.size()) + " for " +
              std::to_string(examples.size()));
  double exact = 0, tokens = 0, right = 0;
  for (size_t i = 0; i < examples.size(); ++i) {
    const std::vector<int>& y = examples[i].target;
    const std::vector<int>& o = outputs[i];
    exact += o == y;
    tokens += static_cast<double>(y.size());
    for (size_t t = 0; t < y.size() && t < o.size(); ++t) right += o[t] == y[t];
  }
  const double n = static_cast<double>(examples.size());
  return {{"error", 1 - exact / n}, {"sequence_accuracy", exact / n}, {"token_accuracy", right / tokens}};
}

std::vector<int> ascending_order(const std::vector<double>& values) {
  std::vector<int> order(values.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](int a, int b) { return values[static_cast<size_t>(a)] < values[static_cast<size_t>(b)]; });
  return order;
}

}  // namespace engram::experiments::pointer
