// additive: s(q, k) = v^T tanh(W k + U q)   (Bahdanau et al. 2015). Option `hidden` (default 32).
#include "attention/score.h"

#include "core/init.h"

namespace engram::attention {

template <class T>
class AdditiveScore : public Score<T> {
 public:
  AdditiveScore(const ScoreShape& shape, const Options& opt, Rng& rng) : shape_(shape) {
    const Index h = opt.integer("hidden", 32, 1, 1 << 20);
    opt.finish("score 'additive'");
    w_ = this->add_parameter("W", init::xavier_uniform<T>(shape.key_dim, h, rng));    // [dk x h]
    u_ = this->add_parameter("U", init::xavier_uniform<T>(shape.query_dim, h, rng));  // [dq x h]
    v_ = this->add_parameter("v", init::xavier_uniform<T>(h, 1, rng));                // [h x 1]
  }
  // q: [m x dq]  k: [n x dk]  -> [m x n]
  Var<T> scores(const Var<T>& q, const Var<T>& k) const override {
    check_score_shapes("additive score", shape_, q.rows(), q.cols(), k.rows(), k.cols());
    const Var<T> kw = matmul(k, w_);  // [n x h]
    const Var<T> qu = matmul(q, u_);  // [m x h]
    std::vector<Var<T>> rows;
    rows.reserve(static_cast<size_t>(q.rows()));
    for (Index i = 0; i < q.rows(); ++i)  // row i: v^T tanh(k_j W + q_i U) for every j -> [1 x n]
      rows.push_back(transpose(matmul(tanh(add(kw, slice_rows(qu, i, 1))), v_)));
    return rows.size() == 1 ? rows[0] : concat(rows, 0);
  }

 private:
  ScoreShape shape_;
  Var<T> w_, u_, v_;
};

ENGRAM_REGISTER_SCORE("additive", "v^T tanh(W k + U q) (Bahdanau); option hidden", AdditiveScore);

}  // namespace engram::attention
