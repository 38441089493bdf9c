// The priority sort task and its registration as `priority_sort`.
#include "experiments/tasks/algorithmic/priority_sort.h"

#include <algorithm>
#include <numeric>

namespace engram::experiments::algorithmic {

BitSequenceExample priority_sort_episode(const MatF& vectors, const std::vector<float>& priorities, int outputs) {
  const Index N = vectors.rows(), bits = vectors.cols(), M = outputs, T = N + 1 + M;
  require(static_cast<Index>(priorities.size()) == N && M >= 1 && M <= N, "priority_sort_episode",
          "needs one priority per vector and 1 <= outputs <= vectors, got " + std::to_string(N) + " vectors, " +
              std::to_string(priorities.size()) + " priorities, " + std::to_string(outputs) + " outputs");
  BitSequenceExample e;
  e.input = MatF::Zero(T, bits + 2);
  e.target = MatF::Zero(T, bits);
  e.mask = MatF::Zero(T, 1);
  e.input.topLeftCorner(N, bits) = vectors;
  for (Index k = 0; k < N; ++k) e.input(k, bits) = priorities[static_cast<size_t>(k)];
  e.input(N, bits + 1) = 1;                        // delimiter
  std::vector<int> order(static_cast<size_t>(N));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](int a, int b) { return priorities[static_cast<size_t>(a)] > priorities[static_cast<size_t>(b)]; });
  for (Index k = 0; k < M; ++k) e.target.row(N + 1 + k) = vectors.row(order[static_cast<size_t>(k)]);
  e.mask.bottomRows(M).setOnes();
  e.length = static_cast<int>(N);
  return e;
}

PrioritySortTask::PrioritySortTask(const PrioritySortOptions& o, const Rng& rng)
    : GeneratedBitSequenceTask("priority_sort", rng), o_(o) {
  require(o.bits >= 1 && o.outputs >= 1 && o.outputs <= o.inputs && o.val_size >= 1 && o.eval_size >= 1,
          "priority_sort", "needs bits >= 1, 1 <= outputs <= inputs, val_size, eval_size >= 1");
  const auto gen = [this](int n) {
    return [this, n](Rng& r) {
      MatF vectors = random_bits(n, o_.bits, r);
      std::vector<float> priorities(static_cast<size_t>(n));
      for (float& p : priorities) p = static_cast<float>(r.uniform(-1, 1));
      return priority_sort_episode(vectors, priorities, o_.outputs);
    };
  };
  set_train_generator(gen(o_.inputs));
  add_split("val", o_.val_size, gen(o_.inputs));
  for (int n : o_.eval_inputs) {
    require(n >= o_.outputs, "priority_sort", "eval inputs must be >= outputs, got " + std::to_string(n));
    add_split("inputs" + std::to_string(n), o_.eval_size, gen(n));
  }
}

namespace {

ENGRAM_REGISTER(tasks(), "priority_sort", "emit the highest-priority vectors sorted by priority (Graves et al. 2014; generated)",
    [](Section& cfg, const Rng& rng) -> std::unique_ptr<Task> {
      PrioritySortOptions o;
      o.bits = static_cast<int>(cfg.integer("bits", o.bits, 1, 4096));
      o.inputs = static_cast<int>(cfg.integer("inputs", o.inputs, 1, 100000));
      o.outputs = static_cast<int>(cfg.integer("outputs", std::min(o.outputs, o.inputs), 1, 100000));
      if (o.outputs > o.inputs)
        cfg.fail("outputs", "must be <= " + cfg.path() + ".inputs (" + std::to_string(o.inputs) + "), got " +
                                std::to_string(o.outputs));
      o.eval_inputs = read_int_list(cfg, "eval_inputs", o.eval_inputs, o.outputs, 100000);
      o.val_size = static_cast<int>(cfg.integer("val_size", o.val_size, 1, 10000000));
      o.eval_size = static_cast<int>(cfg.integer("eval_size", o.val_size, 1, 10000000));
      cfg.finish();
      return std::make_unique<PrioritySortTask>(o, rng);
    });

}  // namespace

}  // namespace engram::experiments::algorithmic
