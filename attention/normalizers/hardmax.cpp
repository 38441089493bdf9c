// hardmax: a one-hot row at the arg-max of each row of S over the unmasked positions (ties go
// to the first). Deterministic hard attention: W is a constant, so no gradient reaches the
// scores (differentiable() is false), while out = W V still gives the values their gradient.
// To train the scores through a hard choice, use the "sampled" normalizer with REINFORCE.
// No options.
#include "attention/normalizer.h"

namespace engram::attention {

template <class T>
class HardmaxNormalizer : public Normalizer<T> {
 public:
  HardmaxNormalizer(const NormalizerShape&, const Options& opt, Rng&) { opt.finish("normalizer 'hardmax'"); }
  // S: [m x n] -> one-hot rows [m x n] (a constant: no graph back to S)
  Var<T> normalize(const Var<T>& scores, NormalizeContext<T>& ctx) const override {
    Mat<T> s;
    {
      NoGradGuard no_grad;  // only the values are read
      s = masked_scores(scores, ctx.mask, "hardmax normalizer").value();
    }
    Mat<T> w = Mat<T>::Zero(s.rows(), s.cols());
    for (Index r = 0; r < s.rows(); ++r) {
      Index arg = 0;
      s.row(r).maxCoeff(&arg);  // first maximum; masked entries are -inf, and some entry is not
      w(r, arg) = T(1);
    }
    return constant<T>(std::move(w));
  }
  bool differentiable() const override { return false; }
};

ENGRAM_REGISTER_NORMALIZER("hardmax", "one-hot at the arg-max of each row (no gradient to the scores)",
                           HardmaxNormalizer);

}  // namespace engram::attention
