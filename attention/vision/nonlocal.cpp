// nonlocal: non-local block (Wang et al. 2018), embedded Gaussian: every position attends over all
// positions of its image. With X the image's positions [HW x C]: theta = X W_theta, phi = X W_phi,
// g = X W_g ([HW x C'], C' = C / r), f = softmax_rows(theta phi^T) [HW x HW], out = X + (f g) W_z.
// W_z starts at zero (the block starts as the identity, as the paper's zero-initialised last
// layer). Options: `reduction` r (default 2); `subsample` (default true): phi and g from the maps
// max-pooled 2x2 (the paper's subsampling trick, Sec. 3.3: a quarter of the pairs, f is
// [HW x HW/4]; maps smaller than 2 x 2 are not pooled). attention(x): the attention each position
// receives, averaged over the querying positions, [N x H*W] (a row of f sums to 1); subsampled,
// each pooled cell's share is spread evenly over its 2 x 2 positions, so a row still sums to 1.
#include "attention/vision/block.h"

#include "core/layers.h"

#include <algorithm>

namespace engram::attention {

template <class T>
class NonLocal : public Block<T> {
 public:
  NonLocal(const BlockShape& shape, const Options& opt, Rng& rng)
      : shape_(shape),
        subsample_(opt.boolean("subsample", true) && shape.image.height >= 2 && shape.image.width >= 2),
        keys_(subsample_ ? pool2d_shape(shape.image, kPool) : shape.image),
        theta_(shape.image.channels, inner(shape, opt), rng, false),
        phi_(shape.image.channels, inner(shape, opt), rng, false),
        g_(shape.image.channels, inner(shape, opt), rng, false),
        z_(inner(shape, opt), shape.image.channels, rng) {
    opt.finish("block 'nonlocal'");
    const Index hw = shape.image.height * shape.image.width, pairs = hw * keys_.height * keys_.width;
    require(pairs <= Index(4096) * 4096, "block 'nonlocal'",
            "attends over at most 4096 x 4096 pairs of positions (an HW x HW map per image, HW x HW/4 subsampled), got " +
                std::to_string(hw) + " x " + std::to_string(keys_.height * keys_.width));
    this->add_module("theta", theta_);
    this->add_module("phi", phi_);
    this->add_module("g", g_);
    this->add_module("z", z_);
    z_.weight.mutable_value().setZero();
    if (subsample_) {  // [HW/4 x HW]: 1/4 from each pooled cell to its 2 x 2 positions
      spread_ = Mat<T>::Zero(keys_.height * keys_.width, hw);
      for (Index i = 0; i < 2 * keys_.height; ++i)
        for (Index j = 0; j < 2 * keys_.width; ++j) spread_((i / 2) * keys_.width + j / 2, i * shape.image.width + j) = T(0.25);
    }
  }
  Var<T> attention(const Var<T>& x) const override {
    check_block_input("block 'nonlocal'", shape_, x.cols());
    return each_image(x, shape_.image.height * shape_.image.width, [&](const Var<T>& X, const Var<T>& P) {
      const Var<T> received = mean(weights(X, P), 0);  // [1 x key positions]
      return subsample_ ? matmul(received, constant<T>(spread_)) : received;
    });
  }
  AttentionKind attention_kind() const override { return AttentionKind::spatial; }
  Var<T> forward(const Var<T>& x) const override {
    check_block_input("block 'nonlocal'", shape_, x.cols());
    return each_image(x, shape_.image.size(), [&](const Var<T>& X, const Var<T>& P) {
      return image_of(add(X, z_(matmul(weights(X, P), g_(P)))), shape_.image);
    });
  }

 private:
  static constexpr Pool2dOptions kPool{2, 2, 0};
  static Index inner(const BlockShape& shape, const Options& opt) {
    return std::max<Index>(1, shape.image.channels / opt.integer("reduction", 2, 1, 1 << 20));
  }
  // f(X, P) for every image: X its positions [HW x C], P the positions keys and values come from
  // (X, or the pooled maps' [HW/4 x C]) -> the rows f returns ([1 x cols] each), stacked.
  template <class F>
  Var<T> each_image(const Var<T>& x, Index cols, F f) const {
    if (x.rows() == 0) return Var<T>(Mat<T>(0, cols));
    const Var<T> pooled = subsample_ ? max_pool2d(x, shape_.image, kPool) : x;
    std::vector<Var<T>> rows;
    for (Index i = 0; i < x.rows(); ++i) rows.push_back(f(positions_of(x, i, shape_.image), positions_of(pooled, i, keys_)));
    return concat(rows, 0);
  }
  // [HW x key positions], one fused op
  Var<T> weights(const Var<T>& X, const Var<T>& P) const { return dot_softmax(theta_(X), phi_(P)); }

  BlockShape shape_;
  bool subsample_;
  ImageShape keys_;  // the maps phi and g see
  Mat<T> spread_;
  Linear<T> theta_, phi_, g_, z_;
};

ENGRAM_REGISTER_BLOCK("nonlocal", "non-local block (Wang et al. 2018): self-attention over the positions of each image, added back; options reduction, subsample", NonLocal);

}  // namespace engram::attention
