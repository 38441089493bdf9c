// simam: the parameter-free attention of Yang et al. (2021): every neuron weighted by how much it
// stands out from its channel, the inverse of its minimal energy
//   e = (x - mu)^2 / (4 (sigma^2 + lambda)) + 1/2,   sigma^2 = sum (x - mu)^2 / (H W - 1)
// per channel of each map; out = sigmoid(e) * x. Option `lambda` (default 1e-4, at least 1e-12).
// Needs H W >= 2.
// attention(x): sigmoid(e), [N x C*H*W].
#include "attention/vision/block.h"

namespace engram::attention {

template <class T>
class SimAM : public Block<T> {
  using Row = Eigen::Map<Eigen::Array<T, 1, Eigen::Dynamic>>;  // a channel's H W values
  using ConstRow = Eigen::Map<const Eigen::Array<T, 1, Eigen::Dynamic>>;

 public:
  SimAM(const BlockShape& shape, const Options& opt, Rng&) : shape_(shape) {
    lambda_ = static_cast<T>(opt.number("lambda", 1e-4, 1e-12, 1e6));  // > 0: a constant channel has variance 0
    opt.finish("block 'simam'");
    require(shape.image.height * shape.image.width >= 2, "block 'simam'", "needs maps of at least 2 positions");
  }
  // One fused node over each channel's row of H W values x (m of them): mu = mean(x), d = (x - mu)^2,
  // v = sum(d) / (m - 1), s = 4 (v + lambda), a = sigmoid(d / s + 1/2). Backward, from ga:
  //   ge = ga a (1 - a);  gd = ge / s + 4 gs / (m - 1) with gs = -sum(ge d) / s^2;
  //   gx = h - mean(h), h = 2 (x - mu) gd  (mu's share: every x_i moves the mean)
  Var<T> attention(const Var<T>& x) const override {
    check_block_input("block 'simam'", shape_, x.cols());
    const Index rows = x.rows() * shape_.image.channels, m = shape_.image.height * shape_.image.width;
    Mat<T> a(x.rows(), x.cols());
    std::vector<T> scale(static_cast<size_t>(rows));  // s of every channel row
    for (Index r = 0; r < rows; ++r) {
      const auto xr = ConstRow(x.value().data() + r * m, m);
      const T mu = xr.mean();
      const T s = T(4) * ((xr - mu).square().sum() / T(m - 1) + lambda_);
      Row(a.data() + r * m, m) = T(1) / (T(1) + (-((xr - mu).square() / s + T(0.5))).exp());
      scale[static_cast<size_t>(r)] = s;
    }
    return Var<T>::make(std::move(a), {x},
        [m, scale = std::move(scale)](const Node<T>& self, const Mat<T>& g, GradSpan<T> gin) {
          if (!gin[0]) return;
          for (size_t r = 0; r < scale.size(); ++r) {
            const Index at = static_cast<Index>(r) * m;
            const auto xr = ConstRow(self.inputs[0]->value.data() + at, m);
            const auto ar = ConstRow(self.value.data() + at, m);
            const auto gr = ConstRow(g.data() + at, m);
            const T s = scale[r];
            const auto c = (xr - xr.mean()).eval();
            const auto ge = (gr * ar * (T(1) - ar)).eval();
            const T gs = -(ge * c.square()).sum() / (s * s);
            const auto h = (T(2) * c * (ge / s + T(4) * gs / T(m - 1))).eval();  // 2 (x - mu) gd
            Row(gin[0]->data() + at, m) += h - h.mean();
          }
        }, "simam");
  }
  AttentionKind attention_kind() const override { return AttentionKind::element; }
  Var<T> forward(const Var<T>& x) const override { return mul(x, attention(x)); }

 private:
  BlockShape shape_;
  T lambda_ = T(1e-4);
};

ENGRAM_REGISTER_BLOCK("simam", "SimAM (Yang et al. 2021): parameter-free, each neuron weighted by its energy against its channel; option lambda", SimAM);

}  // namespace engram::attention
