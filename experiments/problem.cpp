#include "experiments/problem.h"

#include "core/ops.h"

#include <algorithm>
#include <cmath>

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

Metrics classification_metrics(ThreadPool& pool, Index n, Index batch,
                               const std::function<std::pair<Var<float>, std::vector<int>>(Index, Index)>& examples) {
  require(batch >= 1, "classification_metrics", "batch must be >= 1");
  std::vector<double> losses(static_cast<size_t>(n));
  std::vector<int> correct(static_cast<size_t>(n));
  pool.parallel_for((n + batch - 1) / batch, [&](Index chunk) {
    NoGradGuard no_grad;  // per thread
    const Index first = chunk * batch, count = std::min(batch, n - first);
    const auto [z, targets] = examples(first, count);
    require(z.rows() == count && static_cast<Index>(targets.size()) == count, "classification_metrics",
            "expected logits and targets of " + std::to_string(count) + " examples, got " + z.shape());
    for (Index r = 0; r < count; ++r) {
      const auto row = z.value().row(r).cast<double>();
      const double m = row.maxCoeff(), lse = m + std::log((row.array() - m).exp().sum());
      const int t = targets[static_cast<size_t>(r)];
      require(t >= 0 && t < z.cols(), "classification_metrics", "target " + std::to_string(t) + " out of range");
      losses[static_cast<size_t>(first + r)] = lse - row(t);
      Index arg;
      row.maxCoeff(&arg);
      correct[static_cast<size_t>(first + r)] = arg == t;
    }
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
