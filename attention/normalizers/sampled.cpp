// sampled: stochastic hard attention (Xu et al. 2015, "hard" attention; Mnih et al. 2014).
// Each row of W is one-hot at a position drawn from p = softmax(S / temperature) with ctx.rng.
// The draw has no gradient (differentiable() is false): the scores are trained with REINFORCE,
// from ctx.log_prob = log p(drawn position) per row ([m x 1], differentiable in S) and
// reinforce_surrogate (attention/normalizers/reinforce.h). The values still get their
// gradient through out = W V.
//   - Training (ctx.training true): ctx.rng is required (std::invalid_argument otherwise).
//   - Evaluation (ctx.training false): deterministic, the arg-max of p (first on ties), no rng
//     needed; ctx.log_prob is still set, to log p(arg-max).
// Option temperature (default 1, > 0). Masked positions have p = 0 and are never drawn.
#include "attention/normalizer.h"

namespace engram::attention {

template <class T>
class SampledNormalizer : public Normalizer<T> {
 public:
  SampledNormalizer(const NormalizerShape&, const Options& opt, Rng&) {
    const double t = opt.number("temperature", 1.0);
    if (!(t > 0)) throw std::invalid_argument("temperature: must be > 0, got " + num_str(t));
    beta_ = T(1.0 / t);
    opt.finish("normalizer 'sampled'");
  }

  // S: [m x n] -> one-hot rows [m x n] (a constant); sets ctx.log_prob: [m x 1]
  Var<T> normalize(const Var<T>& scores, NormalizeContext<T>& ctx) const override {
    const char* who = "sampled normalizer";
    const Var<T> masked = masked_scores(scores, ctx.mask, who);
    require(!ctx.training || ctx.rng, who, "ctx.rng is required when training (each row draws a position)");
    Mat<T> p;
    {
      NoGradGuard no_grad;
      p = softmax(masked, beta_).value();  // [m x n], exactly 0 where masked
    }
    Mat<T> chosen = Mat<T>::Zero(p.rows(), p.cols());
    for (Index r = 0; r < p.rows(); ++r) chosen(r, ctx.training ? draw(p, r, *ctx.rng) : arg_max(p, r)) = T(1);

    // log p(a) = beta s_a - log sum_j exp(beta s_j) = beta (s_a - logsumexp_beta(S)), per row.
    // s_a is picked by zeroing every other entry (no -inf * 0 even if S holds infinities).
    const Var<T> s_a = sum(masked_fill(scores, Mat<T>((chosen.array() == T(0)).template cast<T>()), T(0)), 1);
    ctx.log_prob = scale(sub(s_a, logsumexp(masked, beta_)), beta_);  // [m x 1]
    return constant<T>(std::move(chosen));
  }
  bool differentiable() const override { return false; }

 private:
  static Index arg_max(const Mat<T>& p, Index r) {
    Index a = 0;
    p.row(r).maxCoeff(&a);
    return a;
  }
  // Inverse-CDF draw from row r of p; a rounding shortfall of the cumulative sum falls to the
  // last position with p > 0, so a masked (p = 0) position is never drawn.
  static Index draw(const Mat<T>& p, Index r, Rng& rng) {
    const double u = rng.uniform();
    double cum = 0;
    Index last = 0;
    for (Index c = 0; c < p.cols(); ++c) {
      if (!(p(r, c) > T(0))) continue;
      cum += static_cast<double>(p(r, c));
      last = c;
      if (u < cum) return c;
    }
    return last;
  }

  T beta_;  // 1 / temperature
};

ENGRAM_REGISTER_NORMALIZER("sampled",
                           "hard attention: one position drawn from softmax(S / temperature); train S with REINFORCE",
                           SampledNormalizer);

}  // namespace engram::attention
