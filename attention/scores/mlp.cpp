// mlp: s(q, k) = MLP([q; k]) with `layers` hidden layers of width `hidden` (tanh), then a
// linear output. Options: hidden (32), layers (1..4, default 2).
#include "attention/score.h"

#include "core/init.h"

namespace engram::attention {

template <class T>
class MlpScore : public Score<T> {
 public:
  MlpScore(const ScoreShape& shape, const Options& opt, Rng& rng) : shape_(shape) {
    const Index h = opt.integer("hidden", 32, 1, 1 << 20);
    const auto layers = opt.integer("layers", 2, 1, 4);
    opt.finish("score 'mlp'");
    // first layer split into its query and key halves: [q; k] W1 = q W1q + k W1k
    w1q_ = this->add_parameter("W1_q", init::xavier_uniform<T>(shape.query_dim, h, rng));  // [dq x h]
    w1k_ = this->add_parameter("W1_k", init::xavier_uniform<T>(shape.key_dim, h, rng));    // [dk x h]
    b1_ = this->add_parameter("b1", Mat<T>::Zero(1, h));
    for (long long l = 1; l < layers; ++l) {
      hidden_w_.push_back(this->add_parameter("W" + std::to_string(l + 1), init::xavier_uniform<T>(h, h, rng)));
      hidden_b_.push_back(this->add_parameter("b" + std::to_string(l + 1), Mat<T>::Zero(1, h)));
    }
    out_ = this->add_parameter("w_out", init::xavier_uniform<T>(h, 1, rng));  // [h x 1]
  }
  // q: [m x dq]  k: [n x dk]  -> [m x n]
  Var<T> scores(const Var<T>& q, const Var<T>& k) const override {
    check_score_shapes("mlp score", shape_, q.rows(), q.cols(), k.rows(), k.cols());
    const Var<T> kh = add(matmul(k, w1k_), b1_);  // [n x h]
    const Var<T> qh = matmul(q, w1q_);            // [m x h]
    std::vector<Var<T>> rows;
    for (Index i = 0; i < q.rows(); ++i) {
      Var<T> h = tanh(add(kh, slice_rows(qh, i, 1)));  // [n x h]: pairs (q_i, k_j)
      for (size_t l = 0; l < hidden_w_.size(); ++l) h = tanh(add(matmul(h, hidden_w_[l]), hidden_b_[l]));
      rows.push_back(transpose(matmul(h, out_)));      // [1 x n]
    }
    return rows.size() == 1 ? rows[0] : concat(rows, 0);
  }

 private:
  ScoreShape shape_;
  Var<T> w1q_, w1k_, b1_, out_;
  std::vector<Var<T>> hidden_w_, hidden_b_;
};

ENGRAM_REGISTER_SCORE("mlp", "MLP([q; k]) with tanh hidden layers; options hidden, layers", MlpScore);

}  // namespace engram::attention
