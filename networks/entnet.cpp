#include "networks/entnet.h"

#include "core/init.h"
#include "core/ops.h"

#include <string>

namespace engram::networks {

template <class T>
EntNet<T>::EntNet(const EntNetOptions& o, Rng& rng)
    : o_(o),
      encoder_(o.encoder, rng),
      u_(o.encoder.dim, o.encoder.dim, rng, false),
      v_(o.encoder.dim, o.encoder.dim, rng, false),
      w_(o.encoder.dim, o.encoder.dim, rng, false),
      hout_(o.encoder.dim, o.encoder.dim, rng, false),
      r_(o.encoder.dim, std::max<Index>(o.answers, 1), rng, false) {
  require_lazy(o.answers >= 1 && o.blocks >= 1, "EntNet", [&] {
    return "needs answers >= 1 and blocks >= 1, got " + std::to_string(o.answers) + " and " + std::to_string(o.blocks);
  });
  this->add_module("encoder", encoder_);
  keys_ = this->add_parameter("keys", init::normal<T>(o.blocks, o.encoder.dim, 0.0, o.encoder.init_stddev, rng));
  slope_ = this->add_parameter("prelu_slope", Mat<T>::Constant(1, 1, T(o.prelu_init)));
  this->add_module("U", u_);
  this->add_module("V", v_);
  this->add_module("W", w_);
  this->add_module("Hout", hout_);
  this->add_module("R", r_);
}

template <class T>
Var<T> EntNet<T>::phi(const Var<T>& x) const {
  return sub(relu(x), mul(slope_, relu(neg(x))));  // max(x, 0) + a min(x, 0)
}

template <class T>
Var<T> EntNet<T>::read(const Var<T>& sentences) const {
  Var<T> h = keys_;
  const Var<T> key_part = v_(keys_);  // w_j V, the same at every sentence
  for (Index t = 0; t < sentences.rows(); ++t) {
    const Var<T> s = slice_rows(sentences, t, 1);                      // [1 x d]
    const Var<T> gate = sigmoid(matmul_nt(add(h, keys_), s));          // [M x 1]
    const Var<T> candidate = phi(add(add(u_(h), key_part), w_(s)));    // [M x d]
    h = add(h, mul(gate, candidate));
    h = div(h, sqrt(add_scalar(sum(mul(h, h), 1), T(1e-12))));        // each block to unit length
  }
  return h;
}

template <class T>
MemoryReadout<T> EntNet<T>::forward(std::span<const std::vector<int>> story, std::span<const int> query, Rng*) const {
  const EncodedStory<T> e = encoder_.encode(story, query);
  const Var<T> h = read(e.sentences);
  const Var<T> p = softmax(matmul_nt(e.query, h));  // [1 x M]
  MemoryReadout<T> r;
  r.logits = r_(phi(add(e.query, hout_(matmul(p, h)))));
  return r;
}

template <class T>
Mat<T> EntNet<T>::blocks(std::span<const std::vector<int>> story, std::span<const int> query) const {
  NoGradGuard no_grad;
  return read(encoder_.encode(story, query).sentences).value();
}

template <class T>
Mat<T> EntNet<T>::question_attention(std::span<const std::vector<int>> story, std::span<const int> query) const {
  NoGradGuard no_grad;
  const EncodedStory<T> e = encoder_.encode(story, query);
  return softmax(matmul_nt(e.query, read(e.sentences))).value();
}

template class EntNet<float>;
template class EntNet<double>;

}  // namespace engram::networks
