// concat: s(q, k) = w^T [q; k] = w_q . q + w_k . k   (a linear score on the concatenation).
// It cannot compare q with k (the score of k does not depend on q), so under softmax it ranks
// keys the same way for every query: a useful baseline that content-based retrieval must beat.
#include "attention/score.h"

#include "core/init.h"

namespace engram::attention {

template <class T>
class ConcatScore : public Score<T> {
 public:
  ConcatScore(const ScoreShape& shape, const Options& opt, Rng& rng) : shape_(shape) {
    opt.finish("score 'concat'");
    wq_ = this->add_parameter("w_q", init::xavier_uniform<T>(shape.query_dim, 1, rng));  // [dq x 1]
    wk_ = this->add_parameter("w_k", init::xavier_uniform<T>(shape.key_dim, 1, rng));    // [dk x 1]
  }
  // q: [m x dq]  k: [n x dk]  -> q w_q [m x 1] + (k w_k)^T [1 x n] = [m x n]
  Var<T> scores(const Var<T>& q, const Var<T>& k) const override {
    check_score_shapes("concat score", shape_, q.rows(), q.cols(), k.rows(), k.cols());
    return add(matmul(q, wq_), transpose(matmul(k, wk_)));
  }

 private:
  ScoreShape shape_;
  Var<T> wq_, wk_;
};

ENGRAM_REGISTER_SCORE("concat", "w^T [q; k] (linear in the concatenation: a baseline)", ConcatScore);

}  // namespace engram::attention
