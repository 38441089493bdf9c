// softmax: W = softmax(S / temperature) per row (Bahdanau et al. 2015; Luong et al. 2015).
// Option temperature (default 1, > 0): below 1 sharpens the weights, above 1 flattens them.
// Masked positions are filled with -inf before the softmax, so they get exactly 0 weight.
#include "attention/normalizer.h"

namespace engram::attention {

template <class T>
class SoftmaxNormalizer : public Normalizer<T> {
 public:
  SoftmaxNormalizer(const NormalizerShape&, const Options& opt, Rng&) {
    const double t = opt.number("temperature", 1.0);
    if (!(t > 0)) throw std::invalid_argument("temperature: must be > 0, got " + num_str(t));
    beta_ = T(1.0 / t);
    opt.finish("normalizer 'softmax'");
  }
  // S: [m x n] -> softmax(beta * masked S): [m x n]
  Var<T> normalize(const Var<T>& scores, NormalizeContext<T>& ctx) const override {
    return softmax(masked_scores(scores, ctx.mask, "softmax normalizer"), beta_);
  }

 private:
  T beta_;  // 1 / temperature
};

ENGRAM_REGISTER_NORMALIZER("softmax", "softmax(S / temperature) per row (option temperature, default 1)",
                           SoftmaxNormalizer);

}  // namespace engram::attention
