#include "attention/normalizers/reinforce.h"

#include <cmath>

namespace engram::attention {

template <class T>
Var<T> reinforce_surrogate(const Var<T>& log_prob, const std::type_identity_t<Mat<T>>& reward,
                           const std::type_identity_t<Mat<T>>& baseline) {
  const Index m = log_prob.rows();
  const auto fits = [m](const Mat<T>& x) { return x.cols() == 1 && (x.rows() == m || x.rows() == 1); };
  require(log_prob.defined() && log_prob.cols() == 1 && m >= 1, "reinforce_surrogate",
          "log_prob must be [m x 1], got " + (log_prob.defined() ? log_prob.shape() : std::string("an undefined Var")));
  require(fits(reward) && fits(baseline), "reinforce_surrogate",
          "reward " + shape_str(reward) + " and baseline " + shape_str(baseline) + " must be [" + std::to_string(m) +
              " x 1] or [1 x 1] for log_prob " + log_prob.shape());
  // advantage: [m x 1] constant; L = -sum(advantage * log_prob): [1 x 1]
  const Mat<T> advantage = reward.replicate(m / reward.rows(), 1) - baseline.replicate(m / baseline.rows(), 1);
  return neg(sum(mul(log_prob, constant<T>(advantage))));
}

template Var<float> reinforce_surrogate(const Var<float>&, const Mat<float>&, const Mat<float>&);
template Var<double> reinforce_surrogate(const Var<double>&, const Mat<double>&, const Mat<double>&);

MovingAverageBaseline::MovingAverageBaseline(double decay) : decay_(decay) {
  require(decay >= 0 && decay < 1, "MovingAverageBaseline", "decay: must be in [0, 1), got " + num_str(decay));
}

namespace {
double read_decay(const Options& opt) {
  const double d = opt.number("decay", 0.9);
  if (!(d >= 0 && d < 1)) throw std::invalid_argument("decay: must be in [0, 1), got " + num_str(d));
  opt.finish("baseline 'moving_average'");
  return d;
}
}  // namespace

MovingAverageBaseline::MovingAverageBaseline(const Options& opt) : MovingAverageBaseline(read_decay(opt)) {}

void MovingAverageBaseline::update(double reward) {
  require(std::isfinite(reward), "MovingAverageBaseline::update", "reward must be finite, got " + num_str(reward));
  value_ = updates_ == 0 ? reward : decay_ * value_ + (1 - decay_) * reward;
  ++updates_;
}

void MovingAverageBaseline::restore(double value, std::uint64_t updates) {
  require(std::isfinite(value), "MovingAverageBaseline::restore", "value must be finite, got " + num_str(value));
  value_ = value;
  updates_ = updates;
}

}  // namespace engram::attention
