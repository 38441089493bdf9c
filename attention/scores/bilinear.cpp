// bilinear: s(q, k) = q W k^T, i.e. k^T W' q   (Luong et al. 2015 "general"). W: [dq x dk],
// initialised to the identity where the dims allow (so it starts as a dot score) plus noise.
#include "attention/score.h"

#include "core/init.h"

namespace engram::attention {

template <class T>
class BilinearScore : public Score<T> {
 public:
  BilinearScore(const ScoreShape& shape, const Options& opt, Rng& rng) : shape_(shape) {
    const double noise = opt.number("init_noise", 0.1, 0.0);
    opt.finish("score 'bilinear'");
    Mat<T> w = Mat<T>::Identity(shape.query_dim, shape.key_dim) +
               init::normal<T>(shape.query_dim, shape.key_dim, 0.0, noise, rng);
    w_ = this->add_parameter("W", std::move(w));
  }
  // q: [m x dq]  k: [n x dk]  -> (q W) k^T: [m x n]
  Var<T> scores(const Var<T>& q, const Var<T>& k) const override {
    check_score_shapes("bilinear score", shape_, q.rows(), q.cols(), k.rows(), k.cols());
    return matmul_nt(matmul(q, w_), k);
  }

 private:
  ScoreShape shape_;
  Var<T> w_;
};

ENGRAM_REGISTER_SCORE("bilinear", "q W k^T (Luong 'general'); option init_noise", BilinearScore);

}  // namespace engram::attention
