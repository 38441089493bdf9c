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
 public:
  SimAM(const BlockShape& shape, const Options& opt, Rng&) : shape_(shape) {
    lambda_ = static_cast<T>(opt.number("lambda", 1e-4, 1e-12, 1e6));  // > 0: a constant channel has variance 0
    opt.finish("block 'simam'");
    require(shape.image.height * shape.image.width >= 2, "block 'simam'", "needs maps of at least 2 positions");
  }
  Var<T> attention(const Var<T>& x) const override {
    check_block_input("block 'simam'", shape_, x.cols());
    const Index n = x.rows(), c = shape_.image.channels, hw = shape_.image.height * shape_.image.width;
    const Var<T> xr = reshape(x, n * c, hw);
    const Var<T> d = pow(sub(xr, mean(xr, 1)), T(2));                                   // [N*C x HW]
    const Var<T> v = scale(sum(d, 1), T(1) / static_cast<T>(hw - 1));                  // [N*C x 1]
    const Var<T> e = add_scalar(div(d, scale(add_scalar(v, lambda_), T(4))), T(0.5));
    return reshape(sigmoid(e), n, c * hw);
  }
  AttentionKind attention_kind() const override { return AttentionKind::element; }
  Var<T> forward(const Var<T>& x) const override { return mul(x, attention(x)); }

 private:
  BlockShape shape_;
  T lambda_ = T(1e-4);
};

ENGRAM_REGISTER_BLOCK("simam", "SimAM (Yang et al. 2021): parameter-free, each neuron weighted by its energy against its channel; option lambda", SimAM);

}  // namespace engram::attention
