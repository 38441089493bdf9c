// scaled_dot: s(q, k) = q . k / sqrt(d)   (Vaswani et al. 2017). No parameters.
#include "attention/score.h"

#include <cmath>

namespace engram::attention {

template <class T>
class ScaledDotScore : public Score<T> {
 public:
  ScaledDotScore(const ScoreShape& shape, const Options& opt, Rng&)
      : shape_(shape), inv_sqrt_d_(T(1) / std::sqrt(T(shape.key_dim))) {
    require_equal_dims("scaled_dot score", shape);
    opt.finish("score 'scaled_dot'");
  }
  // q: [m x d]  k: [n x d]  -> [m x n]
  Var<T> scores(const Var<T>& q, const Var<T>& k) const override {
    check_score_shapes("scaled_dot score", shape_, q.rows(), q.cols(), k.rows(), k.cols());
    return scale(matmul_nt(q, k), inv_sqrt_d_);
  }

 private:
  ScoreShape shape_;
  T inv_sqrt_d_;
};

ENGRAM_REGISTER_SCORE("scaled_dot", "q . k / sqrt(d) (Vaswani); needs query_dim == key_dim", ScaledDotScore);

}  // namespace engram::attention
