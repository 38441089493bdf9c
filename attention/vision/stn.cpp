// stn: spatial transformer (Jaderberg et al. 2015), affine. A localisation network reads the
// channel mean of the maps ([N x H*W]: where things are) through a hidden layer (ReLU) to six
// numbers theta = [a b c; d e f] per image; output pixel (u, v) (in [-1, 1]^2, the pixel centres)
// reads the input at (a u + b v + c, d u + e v + f) by bilinear sampling (core/ops_image.h:
// zeros outside). The last layer starts at zero weights and the identity's bias (the block
// starts as the identity). Option `hidden` (default 32). attention(x): where the grid reads,
// each input pixel's total sampling weight, [N x H*W] (bilinear_footprint; not differentiable).
#include "attention/vision/block.h"

#include "core/layers.h"

namespace engram::attention {

template <class T>
class SpatialTransformer : public Block<T> {
 public:
  SpatialTransformer(const BlockShape& shape, const Options& opt, Rng& rng)
      : shape_(shape),
        hidden_(shape.image.height * shape.image.width, opt.integer("hidden", 32, 1, 1 << 16), rng),
        theta_(hidden_.out_features(), 6, rng) {
    opt.finish("block 'stn'");
    this->add_module("loc", hidden_);
    this->add_module("theta", theta_);
    theta_.weight.mutable_value().setZero();
    theta_.bias.mutable_value() << 1, 0, 0, 0, 1, 0;
    // grid = theta base: base [6 x 2P], column 2p = (u, v, 1, 0, 0, 0), 2p + 1 = (0, 0, 0, u, v, 1)
    const Index h = shape.image.height, w = shape.image.width;
    base_ = Mat<T>::Zero(6, 2 * h * w);
    for (Index i = 0; i < h; ++i)
      for (Index j = 0; j < w; ++j) {
        const Index p = i * w + j;
        const T u = w > 1 ? T(-1) + T(2) * T(j) / T(w - 1) : T(0), v = h > 1 ? T(-1) + T(2) * T(i) / T(h - 1) : T(0);
        base_(0, 2 * p) = base_(3, 2 * p + 1) = u;
        base_(1, 2 * p) = base_(4, 2 * p + 1) = v;
        base_(2, 2 * p) = base_(5, 2 * p + 1) = 1;
      }
  }
  Var<T> attention(const Var<T>& x) const override {
    return Var<T>(bilinear_footprint(grid(x).value(), shape_.image));
  }
  AttentionKind attention_kind() const override { return AttentionKind::spatial; }
  Var<T> forward(const Var<T>& x) const override { return bilinear_sample(x, shape_.image, grid(x)); }

 private:
  Var<T> grid(const Var<T>& x) const {  // [N x 2 H*W]
    check_block_input("block 'stn'", shape_, x.cols());
    return matmul(theta_(relu(hidden_(channel_mean(x, shape_.image)))), constant<T>(base_));
  }

  BlockShape shape_;
  Linear<T> hidden_, theta_;
  Mat<T> base_;
};

ENGRAM_REGISTER_BLOCK("stn", "spatial transformer (Jaderberg et al. 2015): an affine warp from a localisation net, by bilinear sampling; option hidden", SpatialTransformer);

}  // namespace engram::attention
