// residual: a residual attention module (Wang et al. 2017), one level. Trunk T = relu(conv3x3(x));
// mask M = sigmoid(conv1x1(up(relu(conv3x3(maxpool2x2(x)))))), where up is bilinear upsampling
// back to H x W (core/ops_image.h's sampler on a fixed grid, corners to corners); out =
// (1 + M) T, attention residual learning: the mask can only amplify the trunk's features, never
// erase them. The paper's deeper hourglass of residual units per level: not here. Needs maps
// of at least 2 x 2. attention(x): M, [N x C*H*W].
#include "attention/vision/block.h"

#include "core/init.h"

namespace engram::attention {

template <class T>
class ResidualAttention : public Block<T> {
 public:
  ResidualAttention(const BlockShape& shape, const Options& opt, Rng& rng) : shape_(shape) {
    opt.finish("block 'residual'");
    const Index c = shape.image.channels, h = shape.image.height, w = shape.image.width;
    require(h >= 2 && w >= 2, "block 'residual'", "needs maps of at least 2 x 2 (it pools 2 x 2), got " + std::to_string(h) + " x " + std::to_string(w));
    const auto conv = [&](const std::string& name, Index k) {
      weight_.push_back(this->add_parameter(name + ".weight", init::xavier_uniform<T>(c * k * k, c, rng).transpose()));
      bias_.push_back(this->add_parameter(name + ".bias", Mat<T>::Zero(1, c)));
    };
    conv("trunk", 3);
    conv("mask.down", 3);
    conv("mask.out", 1);
    pooled_ = pool2d_shape(shape.image, Pool2dOptions{2, 2, 0});
    // the grid reading the pooled maps at every full-size pixel: corners to corners
    up_ = Mat<T>(1, 2 * h * w);
    for (Index i = 0; i < h; ++i)
      for (Index j = 0; j < w; ++j) {
        up_(0, 2 * (i * w + j)) = T(-1) + T(2) * T(j) / T(w - 1);
        up_(0, 2 * (i * w + j) + 1) = T(-1) + T(2) * T(i) / T(h - 1);
      }
  }
  Var<T> attention(const Var<T>& x) const override {
    check_block_input("block 'residual'", shape_, x.cols());
    Conv2dOptions same;
    same.padding = 1;
    Conv2dOptions one;
    one.kernel_h = one.kernel_w = 1;
    const Var<T> down = relu(conv2d(max_pool2d(x, shape_.image, Pool2dOptions{2, 2, 0}), pooled_, weight_[1], bias_[1], same));
    const Var<T> grid = constant<T>(up_.replicate(x.rows(), 1));
    const Var<T> up = reshape(bilinear_sample(down, pooled_, grid), x.rows(), shape_.image.size());  // C x H*W per image
    return sigmoid(conv2d(up, shape_.image, weight_[2], bias_[2], one));
  }
  AttentionKind attention_kind() const override { return AttentionKind::element; }
  Var<T> forward(const Var<T>& x) const override {
    check_block_input("block 'residual'", shape_, x.cols());
    Conv2dOptions same;
    same.padding = 1;
    const Var<T> trunk = relu(conv2d(x, shape_.image, weight_[0], bias_[0], same));
    return mul(add_scalar(attention(x), T(1)), trunk);
  }

 private:
  BlockShape shape_;
  ImageShape pooled_;
  Mat<T> up_;
  std::vector<Var<T>> weight_, bias_;
};

ENGRAM_REGISTER_BLOCK("residual", "residual attention (Wang et al. 2017), one level: (1 + mask) x trunk, the mask from a pooled, upsampled branch", ResidualAttention);

}  // namespace engram::attention
