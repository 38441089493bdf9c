#include "networks/hopfield_reader.h"

#include "core/ops.h"

#include <cmath>
#include <string>

namespace engram::networks {

template <class T>
HopfieldReader<T>::HopfieldReader(const HopfieldReaderOptions& o, Rng& rng)
    : o_(o), encoder_(o.encoder, rng), out_(2 * o.encoder.dim, std::max<Index>(o.answers, 1), rng) {
  require_lazy(o.answers >= 1 && o.steps >= 1 && o.beta > 0 && std::isfinite(o.beta), "HopfieldReader", [&] {
    return "needs answers >= 1, steps >= 1 and a finite beta > 0, got " + std::to_string(o.answers) + ", " +
           std::to_string(o.steps) + " and " + std::to_string(o.beta);
  });
  this->add_module("encoder", encoder_);
  const Mat<T> b = Mat<T>::Constant(1, 1, T(std::log(o.beta)));
  log_beta_ = o.learn_beta ? this->add_parameter("log_beta", b) : constant<T>(b);
  this->add_module("out", out_);
}

template <class T>
Var<T> HopfieldReader<T>::beta_var() const { return exp(log_beta_); }

template <class T>
T HopfieldReader<T>::beta() const { return std::exp(log_beta_.value()(0, 0)); }

template <class T>
MemoryReadout<T> HopfieldReader<T>::forward(std::span<const std::vector<int>> story, std::span<const int> query,
                                            Rng*) const {
  const EncodedStory<T> e = encoder_.encode(story, query);
  MemoryReadout<T> r;
  r.slots = e.slots;
  Var<T> xi = e.query;
  if (e.slots.empty()) {
    xi = constant<T>(Mat<T>::Zero(1, o_.encoder.dim));
  } else {
    const Var<T> beta = beta_var();
    for (int k = 0; k < o_.steps; ++k) {
      const Var<T> p = softmax(mul(matmul_nt(xi, e.sentences), beta));  // [1 x S]
      r.attention.push_back(p);
      xi = matmul(p, e.sentences);
    }
  }
  r.logits = out_(concat<T>({xi, e.query}, 1));
  return r;
}

template <class T>
std::vector<T> HopfieldReader<T>::energies(std::span<const std::vector<int>> story, std::span<const int> query) const {
  NoGradGuard no_grad;
  const EncodedStory<T> e = encoder_.encode(story, query);
  std::vector<T> out;
  if (e.slots.empty()) return out;
  const Mat<T>& Y = e.sentences.value();
  const T beta = this->beta();
  Mat<T> xi = e.query.value();
  const auto energy = [&](const Mat<T>& x) {
    const Mat<T> s = beta * (x * Y.transpose());
    const T m = s.maxCoeff();
    return -(m + std::log((s.array() - m).exp().sum())) / beta + T(0.5) * x.squaredNorm();
  };
  out.push_back(energy(xi));
  for (int k = 0; k < o_.steps; ++k) {
    Mat<T> s = beta * (xi * Y.transpose());
    s = (s.array() - s.maxCoeff()).exp().matrix();
    s /= s.sum();
    xi = s * Y;
    out.push_back(energy(xi));
  }
  return out;
}

template class HopfieldReader<float>;
template class HopfieldReader<double>;

}  // namespace engram::networks
