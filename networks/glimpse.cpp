#include "networks/glimpse.h"

#include "attention/normalizers/reinforce.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace engram::networks {

namespace {

template <class T>
Var<T> stop_gradient(const Var<T>& x) { return constant<T>(x.value()); }

}  // namespace

template <class T>
GlimpseNetwork<T>::GlimpseNetwork(const GlimpseOptions& o, Rng& rng) : o_(o) {
  require(o.input.height >= 2 && o.input.width >= 2 && o.input.channels >= 1, "GlimpseNetwork",
          "the image must be at least 2 x 2 pixels");
  require(o.glimpse >= 1 && o.scales >= 1 && o.scales <= 8 && o.glimpses >= 1, "GlimpseNetwork",
          "glimpse, glimpses must be >= 1 and scales in [1, 8]");
  require(o.glimpse_hidden >= 1 && o.hidden >= 1 && o.classes >= 2, "GlimpseNetwork", "sizes must be >= 1, classes >= 2");
  require(o.location_std > 0 && std::isfinite(o.location_std), "GlimpseNetwork", "location_std must be > 0");
  const Index retina_size = o.scales * o.input.channels * o.glimpse * o.glimpse;
  rho_ = std::make_unique<Linear<T>>(retina_size, o.glimpse_hidden, rng);
  loc_in_ = std::make_unique<Linear<T>>(2, o.glimpse_hidden, rng);
  g_from_rho_ = std::make_unique<Linear<T>>(o.glimpse_hidden, o.hidden, rng);
  g_from_loc_ = std::make_unique<Linear<T>>(o.glimpse_hidden, o.hidden, rng, false);
  core_ = std::make_unique<LstmCell<T>>(o.hidden, o.hidden, rng);
  where_ = std::make_unique<Linear<T>>(o.hidden, 2, rng);
  critic_ = std::make_unique<Linear<T>>(o.hidden, 1, rng);
  classify_ = std::make_unique<Linear<T>>(o.hidden, o.classes, rng);
  this->add_module("retina", *rho_);
  this->add_module("location_in", *loc_in_);
  this->add_module("glimpse_rho", *g_from_rho_);
  this->add_module("glimpse_location", *g_from_loc_);
  this->add_module("core", *core_);
  this->add_module("location", *where_);
  this->add_module("baseline", *critic_);
  this->add_module("classifier", *classify_);
}

template <class T>
Mat<T> GlimpseNetwork<T>::scale_grid(const Mat<T>& loc, Index s) const {
  const Index side = o_.glimpse << s;
  const T half = T(side - 1) / 2, sx = T(2) / T(o_.input.width - 1), sy = T(2) / T(o_.input.height - 1);
  Mat<T> grid(loc.rows(), 2 * side * side);
  for (Index r = 0; r < loc.rows(); ++r)
    for (Index i = 0; i < side; ++i)
      for (Index j = 0; j < side; ++j) {
        grid(r, 2 * (i * side + j)) = loc(r, 0) + (T(j) - half) * sx;
        grid(r, 2 * (i * side + j) + 1) = loc(r, 1) + (T(i) - half) * sy;
      }
  return grid;
}

template <class T>
Mat<T> GlimpseNetwork<T>::retina(const Mat<T>& x, const Mat<T>& loc) const {
  require_lazy(x.cols() == o_.input.size() && loc.cols() == 2 && loc.rows() == x.rows(), "GlimpseNetwork::retina", [&] {
    return "x " + shape_str(x.rows(), x.cols()) + " and locations " + shape_str(loc.rows(), loc.cols()) + " must be [n x " +
           std::to_string(o_.input.size()) + "] and [n x 2]";
  });
  NoGradGuard no_grad;
  const Index C = o_.input.channels, g = o_.glimpse;
  Mat<T> out(x.rows(), o_.scales * C * g * g);
  const Var<T> image = constant<T>(x);
  for (Index s = 0; s < o_.scales; ++s) {
    const Index side = g << s;
    Var<T> patch = bilinear_sample(image, o_.input, constant<T>(scale_grid(loc, s)));
    if (s > 0) patch = avg_pool2d(patch, ImageShape{C, side, side}, Pool2dOptions{Index(1) << s, Index(1) << s, 0});
    out.middleCols(s * C * g * g, C * g * g) = patch.value();
  }
  return out;
}

template <class T>
Mat<T> GlimpseNetwork<T>::footprint(const Mat<T>& loc) const {
  require(loc.rows() == 1 && loc.cols() == 2, "GlimpseNetwork::footprint", "takes one location [1 x 2], got " + shape_str(loc.rows(), loc.cols()));
  Mat<T> sum = Mat<T>::Zero(1, o_.input.height * o_.input.width);
  const ImageShape plane{1, o_.input.height, o_.input.width};
  for (Index s = 0; s < o_.scales; ++s) sum += bilinear_footprint<T>(scale_grid(loc, s), plane) / T(Index(1) << (2 * s));
  return Eigen::Map<const Mat<T>>(sum.data(), o_.input.height, o_.input.width);
}

template <class T>
typename GlimpseNetwork<T>::Episode GlimpseNetwork<T>::run(const Var<T>& x, Rng* rng, const std::vector<Mat<T>>* given) const {
  require_lazy(x.rows() >= 1 && x.cols() == o_.input.size(), "GlimpseNetwork::run", [&] {
    return "x " + x.shape() + " must be [n x " + std::to_string(o_.input.size()) + "] with n >= 1";
  });
  if (given) {
    bool ok = static_cast<Index>(given->size()) == o_.glimpses;
    for (size_t t = 0; ok && t < given->size(); ++t) ok = (*given)[t].rows() == x.rows() && (*given)[t].cols() == 2;
    require(ok, "GlimpseNetwork::run", "given locations must be " + std::to_string(o_.glimpses) + " matrices of [" +
                                           std::to_string(x.rows()) + " x 2]");
  }
  const Index n = x.rows();
  const T sigma = T(o_.location_std);
  const T log_norm = -std::log(T(2) * std::numbers::pi_v<T> * sigma * sigma);  // two coordinates
  Episode e;
  Var<T> h = constant<T>(Mat<T>::Zero(n, o_.hidden)), c = h;
  std::vector<Var<T>> log_probs, baselines;
  for (Index t = 0; t < o_.glimpses; ++t) {
    // the decision: where to look, from what the core holds now (its input cut from the graph)
    const Var<T> seen = stop_gradient(h);
    const Var<T> mu = tanh((*where_)(seen));
    baselines.push_back((*critic_)(seen));
    Mat<T> drawn = given ? (*given)[static_cast<size_t>(t)] : mu.value();
    if (rng && !given)
      for (Index i = 0; i < drawn.size(); ++i) drawn.data()[i] += sigma * T(rng->normal());
    const Var<T> diff = sub(constant<T>(drawn), mu);
    log_probs.push_back(add_scalar(scale(sum(mul(diff, diff), 1), T(-0.5) / (sigma * sigma)), log_norm));
    const Mat<T> loc = drawn.cwiseMax(T(-1)).cwiseMin(T(1));
    e.samples.push_back(drawn);
    e.locations.push_back(loc);
    // the glimpse and the core
    const Var<T> rho = relu((*rho_)(constant<T>(retina(x.value(), loc))));
    const Var<T> where = relu((*loc_in_)(constant<T>(loc)));
    const Var<T> g = relu(add((*g_from_rho_)(rho), (*g_from_loc_)(where)));
    std::tie(h, c) = (*core_)(g, h, c);
  }
  e.logits = (*classify_)(h);
  e.log_prob = concat<T>(log_probs, 1);
  e.baseline = concat<T>(baselines, 1);
  return e;
}

template <class T>
Var<T> reinforce_loss(const typename GlimpseNetwork<T>::Episode& e, const std::vector<int>& labels, Mat<T>* reward) {
  const Index n = e.logits.rows(), steps = e.log_prob.cols();
  require(static_cast<Index>(labels.size()) == n, "reinforce_loss",
          std::to_string(labels.size()) + " labels for " + std::to_string(n) + " images");
  Mat<T> r(n, 1);
  for (Index i = 0; i < n; ++i) {
    Index best = 0;
    e.logits.value().row(i).maxCoeff(&best);
    r(i, 0) = best == labels[static_cast<size_t>(i)] ? T(1) : T(0);
  }
  const Mat<T> rewards = r.replicate(1, steps);
  const Var<T> critic = scale(mse(e.baseline, rewards), T(steps));  // mean over images of the sum over steps
  // the attention library's REINFORCE surrogate over every (image, step) decision, per image
  const auto column = [&](const Mat<T>& m) { return Mat<T>(Eigen::Map<const Mat<T>>(m.data(), m.size(), 1)); };
  const Var<T> policy = scale(attention::reinforce_surrogate(reshape(e.log_prob, n * steps, 1), column(rewards),
                                                             column(e.baseline.value())),
                              T(1) / T(n));
  if (reward) *reward = r;
  return add(add(cross_entropy(e.logits, labels), critic), policy);
}

template class GlimpseNetwork<float>;
template class GlimpseNetwork<double>;
template Var<float> reinforce_loss<float>(const GlimpseNetwork<float>::Episode&, const std::vector<int>&, Mat<float>*);
template Var<double> reinforce_loss<double>(const GlimpseNetwork<double>::Episode&, const std::vector<int>&, Mat<double>*);

}  // namespace engram::networks
