// cosine: s(q, k) = beta * cos(q, k)   (content addressing of NTMs). Option `beta` (sharpness,
// default 1; a fixed constant here: NTM-style per-step key strengths are given by the memory
// layer, which scales the scores itself). Norms use a small eps so zero vectors are defined.
#include "attention/score.h"

namespace engram::attention {

template <class T>
class CosineScore : public Score<T> {
 public:
  CosineScore(const ScoreShape& shape, const Options& opt, Rng&) : shape_(shape) {
    beta_ = static_cast<T>(opt.number("beta", 1.0, 0.0));
    opt.finish("score 'cosine'");
    require_equal_dims("cosine score", shape);
  }
  // q: [m x d]  k: [n x d]  -> beta * (q/|q|)(k/|k|)^T: [m x n]
  Var<T> scores(const Var<T>& q, const Var<T>& k) const override {
    check_score_shapes("cosine score", shape_, q.rows(), q.cols(), k.rows(), k.cols());
    const T eps = T(1e-12);
    const Var<T> qn = div(q, sqrt(add_scalar(sum(mul(q, q), 1), eps)));  // [m x d] / [m x 1]
    const Var<T> kn = div(k, sqrt(add_scalar(sum(mul(k, k), 1), eps)));  // [n x d] / [n x 1]
    return scale(matmul_nt(qn, kn), beta_);
  }

 private:
  ScoreShape shape_;
  T beta_;
};

ENGRAM_REGISTER_SCORE("cosine", "beta * cos(q, k) (NTM content addressing); option beta", CosineScore);

}  // namespace engram::attention
