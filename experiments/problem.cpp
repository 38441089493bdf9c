#include "experiments/problem.h"

#include "core/ops.h"

#include <algorithm>

namespace engram::experiments {

Registry<TaskFactory>& tasks() {
  static Registry<TaskFactory> r("task", "tasks", "data: read from files or generated (task.name)");
  return r;
}

Registry<ModelFactory>& models() {
  static Registry<ModelFactory> r("model", "models", "trainable models (model.name)");
  return r;
}

Var<float> Model::loss_sum(std::span<const std::uint64_t> ids, std::span<Rng> rngs) const {
  require(!ids.empty() && ids.size() == rngs.size(), "Model::loss_sum",
          std::to_string(ids.size()) + " ids need as many streams (and at least one), got " + std::to_string(rngs.size()));
  Var<float> total = loss(ids[0], rngs[0]);
  for (size_t i = 1; i < ids.size(); ++i) total = add(total, loss(ids[i], rngs[i]));
  return total;
}

Metrics classification_metrics(ThreadPool& pool, Index n,
                               const std::function<std::pair<Var<float>, int>(Index)>& example) {
  std::vector<double> losses(static_cast<size_t>(n));
  std::vector<int> correct(static_cast<size_t>(n));
  pool.parallel_for(n, [&](Index i) {
    NoGradGuard no_grad;  // per thread
    const auto [z, target] = example(i);
    losses[static_cast<size_t>(i)] = cross_entropy(z, {target}).item();
    Index arg;
    z.value().row(0).maxCoeff(&arg);
    correct[static_cast<size_t>(i)] = arg == target;
  });
  double l = 0, c = 0;
  for (size_t i = 0; i < losses.size(); ++i) l += losses[i], c += correct[i];
  return {{"loss", l / double(n)}, {"accuracy", c / double(n)}};
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
