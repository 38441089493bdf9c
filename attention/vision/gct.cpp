// gct: gated channel transformation (Yang et al. 2020). Per image, channel c's embedding
// s_c = alpha_c sqrt(sum_hw x^2 + eps), normalised across channels s^_c = sqrt(C) s_c /
// sqrt(sum_c s_c^2 + eps), gate g_c = 1 + tanh(gamma_c s^_c + beta_c); out = g * x. alpha starts at
// 1, gamma and beta at 0 (the block starts as the identity, as the paper's). Option `epsilon`
// (default 1e-5). attention(x): g, [N x C].
#include "attention/vision/block.h"

#include <cmath>

namespace engram::attention {

template <class T>
class GatedChannelTransform : public Block<T> {
 public:
  GatedChannelTransform(const BlockShape& shape, const Options& opt, Rng&) : shape_(shape) {
    eps_ = T(opt.number("epsilon", 1e-5, 1e-12, 1));
    opt.finish("block 'gct'");
    const Index c = shape.image.channels;
    alpha_ = this->add_parameter("alpha", Mat<T>::Ones(1, c));
    gamma_ = this->add_parameter("gamma", Mat<T>::Zero(1, c));
    beta_ = this->add_parameter("beta", Mat<T>::Zero(1, c));
  }
  Var<T> attention(const Var<T>& x) const override {
    check_block_input("block 'gct'", shape_, x.cols());
    const T hw = T(shape_.image.height * shape_.image.width), c = T(shape_.image.channels);
    const Var<T> energy = scale(global_avg_pool(mul(x, x), shape_.image), hw);                  // sum_hw x^2, [N x C]
    const Var<T> s = mul(alpha_, sqrt(add_scalar(energy, eps_)));
    const Var<T> norm = sqrt(add_scalar(sum(mul(s, s), 1), eps_));                                // [N x 1]
    const Var<T> s_hat = scale(div(s, norm), std::sqrt(c));
    return add_scalar(tanh(add(mul(gamma_, s_hat), beta_)), T(1));
  }
  AttentionKind attention_kind() const override { return AttentionKind::channel; }
  Var<T> forward(const Var<T>& x) const override { return scale_channels(x, attention(x), shape_.image); }

 private:
  BlockShape shape_;
  T eps_;
  Var<T> alpha_, gamma_, beta_;
};

ENGRAM_REGISTER_BLOCK("gct", "gated channel transformation (Yang et al. 2020): channel gates 1 + tanh of normalised channel norms; option epsilon", GatedChannelTransform);

}  // namespace engram::attention
