// nonlocal: non-local block (Wang et al. 2018), embedded Gaussian: every position attends over all
// positions of its image. With X the image's positions [HW x C]: theta = X W_theta, phi = X W_phi,
// g = X W_g ([HW x C'], C' = C / r), f = softmax_rows(theta phi^T) [HW x HW], out = X + (f g) W_z.
// W_z starts at zero (the block starts as the identity, as the paper's zero-initialised last
// layer). Option `reduction` r (default 2). attention(x): the attention each position receives,
// averaged over the querying positions, [N x H*W] (a row of f sums to 1).
#include "attention/vision/block.h"

#include "core/layers.h"

#include <algorithm>

namespace engram::attention {

template <class T>
class NonLocal : public Block<T> {
 public:
  NonLocal(const BlockShape& shape, const Options& opt, Rng& rng)
      : shape_(shape),
        theta_(shape.image.channels, inner(shape, opt), rng, false),
        phi_(shape.image.channels, inner(shape, opt), rng, false),
        g_(shape.image.channels, inner(shape, opt), rng, false),
        z_(inner(shape, opt), shape.image.channels, rng) {
    opt.finish("block 'nonlocal'");
    require(shape.image.height * shape.image.width <= 4096, "block 'nonlocal'",
            "attends over at most 4096 positions (an HW x HW map per image), got " +
                std::to_string(shape.image.height * shape.image.width));
    this->add_module("theta", theta_);
    this->add_module("phi", phi_);
    this->add_module("g", g_);
    this->add_module("z", z_);
    z_.weight.mutable_value().setZero();
  }
  Var<T> attention(const Var<T>& x) const override {
    check_block_input("block 'nonlocal'", shape_, x.cols());
    return per_image(x, shape_.image, shape_.image.height * shape_.image.width, [&](const Var<T>& X) { return mean(weights(X), 0); });
  }
  AttentionKind attention_kind() const override { return AttentionKind::spatial; }
  Var<T> forward(const Var<T>& x) const override {
    check_block_input("block 'nonlocal'", shape_, x.cols());
    return per_image(x, shape_.image, shape_.image.size(),
                     [&](const Var<T>& X) { return image_of(add(X, z_(matmul(weights(X), g_(X)))), shape_.image); });
  }

 private:
  static Index inner(const BlockShape& shape, const Options& opt) {
    return std::max<Index>(1, shape.image.channels / opt.integer("reduction", 2, 1, 1 << 20));
  }
  Var<T> weights(const Var<T>& X) const { return softmax(matmul_nt(theta_(X), phi_(X))); }  // [HW x HW]

  BlockShape shape_;
  Linear<T> theta_, phi_, g_, z_;
};

ENGRAM_REGISTER_BLOCK("nonlocal", "non-local block (Wang et al. 2018): self-attention over the positions of each image, added back; option reduction", NonLocal);

}  // namespace engram::attention
