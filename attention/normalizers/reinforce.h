// engram/attention/normalizers/reinforce.h — training the scores of sampled hard attention with
// the score-function (REINFORCE) estimator (Williams 1992; Xu et al. 2015).
//
// The "sampled" normalizer draws a_i ~ p_i = softmax(S_i / temperature) for each row i and sets
// ctx.log_prob = log p_i(a_i) ([m x 1], differentiable in S). For a reward r_i of row i and a
// baseline b_i that does not depend on a_i,
//     d E[r_i] / dS = E[ (r_i - b_i) d log p_i(a_i) / dS ],
// so the gradient of the surrogate loss
//     L = reinforce_surrogate(log_prob, reward, baseline) = -sum_i (r_i - b_i) log p_i(a_i)
// is an unbiased estimate of -d E[sum_i r_i] / dS: add L to the task loss and minimize. A good
// baseline (e.g. E[r]) does not change the mean and lowers the variance
// (tests/attention/normalizers_test.cpp checks both on a problem with a known gradient).
//
//   NormalizeContext<T> ctx; ctx.rng = &rng; ctx.training = true;
//   auto res = attention(q, keys, values, ctx);
//   Mat<T> reward = ...;                                  // [m x 1], e.g. -per-row loss
//   Var<T> loss = task_loss + reinforce_surrogate(ctx.log_prob, reward,
//                                                 Mat<T>::Constant(1, 1, T(baseline.value())));
//   baseline.update(reward.mean());
#pragma once

#include "core/ops.h"
#include "core/options.h"

#include <cstdint>

namespace engram::attention {

// log_prob: [m x 1]; reward, baseline: [m x 1] or [1 x 1] (the same for every row), constants
// -> [1 x 1] = -sum_i (reward_i - baseline_i) * log_prob_i. Throws std::invalid_argument
// naming the shapes otherwise.
template <class T>
Var<T> reinforce_surrogate(const Var<T>& log_prob, const std::type_identity_t<Mat<T>>& reward,
                           const std::type_identity_t<Mat<T>>& baseline);

// Exponential moving average of past rewards, the usual REINFORCE baseline. Read value()
// BEFORE update() with the current step's reward, so that the baseline does not depend on the
// current sample. The first update sets the value to that reward (no bias toward the initial 0);
// later ones: value = decay * value + (1 - decay) * reward. Not thread-safe: one per trainer.
class MovingAverageBaseline {
 public:
  explicit MovingAverageBaseline(double decay);
  // Option decay in [0, 1), default 0.9; unknown options throw ("baseline 'moving_average'").
  explicit MovingAverageBaseline(const Options& opt = {});

  double value() const { return value_; }  // 0 before the first update
  void update(double reward);
  double decay() const { return decay_; }
  std::uint64_t updates() const { return updates_; }
  // For checkpoints and exact resume: the state is (value(), updates()).
  void restore(double value, std::uint64_t updates);

 private:
  double decay_ = 0.9;
  double value_ = 0;
  std::uint64_t updates_ = 0;
};

}  // namespace engram::attention
