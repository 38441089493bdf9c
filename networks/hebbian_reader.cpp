#include "networks/hebbian_reader.h"

#include "core/ops.h"

#include <cmath>
#include <string>

namespace engram::networks {

template <class T>
HebbianReader<T>::HebbianReader(const HebbianReaderOptions& o, Rng& rng)
    : o_(o),
      encoder_(o.encoder, rng),
      wk_(o.encoder.dim, o.encoder.dim, rng, false),
      wv_(o.encoder.dim, o.encoder.dim, rng, false),
      wq_(o.encoder.dim, o.encoder.dim, rng, false),
      out_(2 * o.encoder.dim, std::max<Index>(o.answers, 1), rng) {
  require_lazy(o.answers >= 1 && o.decay > 0 && o.decay < 1, "HebbianReader", [&] {
    return "needs answers >= 1 and decay in (0, 1), got " + std::to_string(o.answers) + " and " + std::to_string(o.decay);
  });
  this->add_module("encoder", encoder_);
  this->add_module("key", wk_);
  this->add_module("value", wv_);
  this->add_module("query", wq_);
  this->add_module("out", out_);
  const Mat<T> c = Mat<T>::Constant(1, 1, T(std::log(o.decay / (1 - o.decay))));
  decay_logit_ = o.learn_decay ? this->add_parameter("decay_logit", c) : constant<T>(c);
}

template <class T>
typename HebbianReader<T>::Written HebbianReader<T>::write(const EncodedStory<T>& e) const {
  const Index S = static_cast<Index>(e.slots.size());
  Mat<T> age(S, 1);
  for (Index i = 0; i < S; ++i) age(i, 0) = T(S - 1 - i);
  // lambda^age = exp(age log sigmoid(c))
  const Var<T> decay = exp(mul(constant<T>(age), log(sigmoid(decay_logit_))));
  return {wk_(e.sentences), wv_(e.sentences), decay};
}

template <class T>
MemoryReadout<T> HebbianReader<T>::forward(std::span<const std::vector<int>> story, std::span<const int> query,
                                           Rng*) const {
  const EncodedStory<T> e = encoder_.encode(story, query);
  MemoryReadout<T> r;
  r.slots = e.slots;
  const Var<T> qk = wq_(e.query);  // [1 x d]
  Var<T> read;
  if (e.slots.empty()) {
    read = constant<T>(Mat<T>::Zero(1, o_.encoder.dim));
  } else {
    const Written w = write(e);
    const Var<T> M = matmul(transpose(mul(w.keys, w.decay)), w.values);  // [d x d]
    read = matmul(qk, M);
    r.attention.push_back(mul(matmul_nt(qk, w.keys), transpose(w.decay)));
  }
  r.logits = out_(concat<T>({read, e.query}, 1));
  return r;
}

template <class T>
Mat<T> HebbianReader<T>::memory(std::span<const std::vector<int>> story, std::span<const int> query) const {
  NoGradGuard no_grad;
  const EncodedStory<T> e = encoder_.encode(story, query);
  if (e.slots.empty()) return Mat<T>::Zero(o_.encoder.dim, o_.encoder.dim);
  const Written w = write(e);
  return matmul(transpose(mul(w.keys, w.decay)), w.values).value();
}

template class HebbianReader<float>;
template class HebbianReader<double>;

}  // namespace engram::networks
