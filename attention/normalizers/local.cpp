// local: local attention of Luong, Pham & Manning 2015 ("Effective Approaches to Attention-based
// Neural Machine Translation", section 3.2), both forms, chosen by option mode:
//
//   window (local-m): a given center p = ctx.position (required, 0 <= p < n). Positions outside
//     [p - D, p + D] are masked (on top of ctx.mask), then W = softmax(S) per row; rows sum to 1.
//     The same center serves every query row.
//   predictive (local-p, the default: it needs only the query, which Attention passes in
//     ctx.query): for each query row q_t ([1 x query_dim]) the center is predicted,
//         p_t = n * sigmoid(v_p^T tanh(W_p^T q_t))              in (0, n), n = number of keys,
//     and the weights are
//         W_t(s) = softmax(S_t)(s) * exp(-(s - p_t)^2 / (2 sigma^2)),   sigma = D / 2,  s = 0..n-1.
//     As in the paper (eq. 10), the Gaussian multiplies the alignment weights and is NOT
//     renormalized, so each row sums to less than 1: this is the one normalizer whose
//     rows_sum_to_one() is false. One difference from the paper: its alignment softmax runs over
//     the window [p_t - D, p_t + D] only; here it runs over all n positions (the Gaussian already
//     makes far positions negligible), which keeps W smooth in p_t. W is differentiable in S, in
//     the query and in W_p [query_dim x hidden], v_p [hidden x 1] through p_t.
//
// Options: mode (window | predictive, default predictive); width D (integer; >= 0 for window,
// >= 1 for predictive, where sigma = D / 2 must be > 0; default 10 as in the paper); hidden
// (predictive only, >= 1, default 16).
#include "attention/normalizer.h"

#include "core/init.h"

#include <algorithm>

namespace engram::attention {

template <class T>
class LocalNormalizer : public Normalizer<T> {
 public:
  LocalNormalizer(const NormalizerShape& shape, const Options& opt, Rng& rng) : query_dim_(shape.query_dim) {
    predictive_ = opt.choice("mode", "predictive", {"window", "predictive"}) == "predictive";
    width_ = static_cast<Index>(opt.integer("width", 10));
    if (width_ < (predictive_ ? 1 : 0))
      throw std::invalid_argument(std::string("width: must be ") +
                                  (predictive_ ? ">= 1 with mode predictive (sigma = width / 2)" : ">= 0") + ", got " +
                                  std::to_string(width_));
    if (predictive_) {
      const auto hidden = static_cast<Index>(opt.integer("hidden", 16));
      if (hidden < 1) throw std::invalid_argument("hidden: must be >= 1, got " + std::to_string(hidden));
      opt.finish("normalizer 'local'");
      require(query_dim_ >= 1, "local normalizer",
              "mode predictive needs NormalizerShape.query_dim >= 1, got " + std::to_string(query_dim_));
      w_p_ = this->add_parameter("w_p", init::xavier_uniform<T>(query_dim_, hidden, rng));  // [query_dim x hidden]
      v_p_ = this->add_parameter("v_p", init::xavier_uniform<T>(hidden, 1, rng));           // [hidden x 1]
    } else {
      if (opt.has("hidden")) throw std::invalid_argument("hidden: only used with mode: predictive");
      opt.finish("normalizer 'local'");
    }
  }

  Var<T> normalize(const Var<T>& scores, NormalizeContext<T>& ctx) const override {
    return predictive_ ? predictive(scores, ctx) : window(scores, ctx);
  }
  bool rows_sum_to_one() const override { return !predictive_; }

 private:
  // S: [m x n] -> softmax over [p - D, p + D] (and the unmasked positions): [m x n]
  Var<T> window(const Var<T>& scores, NormalizeContext<T>& ctx) const {
    const char* who = "local normalizer (mode window)";
    const Var<T> masked = masked_scores(scores, ctx.mask, who);
    const Index n = scores.cols();
    require(ctx.position >= 0 && ctx.position < n, who,
            "ctx.position (the window center) is required and must be in [0, " + std::to_string(n) + "), got " +
                std::to_string(ctx.position));
    const Index lo = std::max<Index>(0, ctx.position - width_), hi = std::min<Index>(n - 1, ctx.position + width_);
    Mat<T> outside = Mat<T>::Ones(1, n);  // [1 x n], 1 = outside the window
    outside.middleCols(lo, hi - lo + 1).setZero();
    if (ctx.mask)
      for (Index r = 0; r < ctx.mask->rows(); ++r)
        require(((ctx.mask->row(r).array() == T(0)) && (outside.row(0).array() == T(0))).any(), who,
                "row " + std::to_string(r) + " of the mask masks every position of the window [" + std::to_string(lo) +
                    ", " + std::to_string(hi) + "]");
    return softmax(masked_fill(masked, outside, -std::numeric_limits<T>::infinity()));
  }

  // S: [m x n], ctx.query: [m x query_dim] -> softmax(S) * Gaussian around p_t: [m x n]
  Var<T> predictive(const Var<T>& scores, NormalizeContext<T>& ctx) const {
    const char* who = "local normalizer (mode predictive)";
    const Var<T> masked = masked_scores(scores, ctx.mask, who);
    const Index m = scores.rows(), n = scores.cols();
    require(ctx.query && ctx.query->defined(), who, "ctx.query is required (the queries from which p_t is predicted)");
    const Var<T>& q = *ctx.query;
    require(q.rows() == m && q.cols() == query_dim_, who,
            "ctx.query " + q.shape() + " does not fit scores " + scores.shape() + ": needs [" + std::to_string(m) +
                " x " + std::to_string(query_dim_) + "]");
    // p: n * sigmoid(tanh(q W_p) v_p): [m x query_dim][query_dim x hidden][hidden x 1] -> [m x 1]
    const Var<T> p = scale(sigmoid(matmul(tanh(matmul(q, w_p_)), v_p_)), T(n));
    Mat<T> positions(1, n);  // [1 x n]: 0, 1, ..., n-1
    for (Index s = 0; s < n; ++s) positions(0, s) = T(s);
    const Var<T> d = sub(constant<T>(std::move(positions)), p);  // [1 x n] - [m x 1] -> [m x n]
    const T sigma = T(width_) / T(2);
    const Var<T> gaussian = exp(scale(mul(d, d), T(-1) / (T(2) * sigma * sigma)));  // [m x n]
    return mul(softmax(masked), gaussian);  // not renormalized (Luong eq. 10)
  }

  Index query_dim_;
  bool predictive_ = true;
  Index width_ = 10;
  Var<T> w_p_, v_p_;
};

ENGRAM_REGISTER_NORMALIZER("local",
                           "Luong local attention: mode window (center ctx.position, width D) or predictive "
                           "(center from the query; rows sum to < 1)",
                           LocalNormalizer);

}  // namespace engram::attention
