// dot: s(q, k) = q . k   (Luong et al. 2015). No parameters; query_dim must equal key_dim.
#include "attention/score.h"

namespace engram::attention {

template <class T>
class DotScore : public Score<T> {
 public:
  DotScore(const ScoreShape& shape, const Options& opt, Rng&) : shape_(shape) {
    require_equal_dims("dot score", shape);
    opt.finish("score 'dot'");
  }
  // q: [m x d]  k: [n x d]  -> [m x n]
  Var<T> scores(const Var<T>& q, const Var<T>& k) const override {
    check_score_shapes("dot score", shape_, q.rows(), q.cols(), k.rows(), k.cols());
    return matmul_nt(q, k);
  }

 private:
  ScoreShape shape_;
};

ENGRAM_REGISTER_SCORE("dot", "q . k (Luong); needs query_dim == key_dim", DotScore);

}  // namespace engram::attention
