// coord: coordinate attention (Hou, Zhou & Feng 2021). Each map pooled along its width and along
// its height, z_h = mean_w x [N x C*H], z_w = mean_h x [N x C*W]; both through one shared 1x1
// convolution C -> C/r and a ReLU (the paper's batch normalisation and h-swish: not here), then
// each through its own 1x1 convolution C/r -> C and a sigmoid: a_h [N x C*H], a_w [N x C*W];
// out(c, h, w) = x(c, h, w) a_h(c, h) a_w(c, w). Option `reduction` r (default 4; at least 1
// hidden map). attention(x): a_h a_w at every element, [N x C*H*W].
#include "attention/vision/block.h"

#include "core/init.h"

#include <algorithm>

namespace engram::attention {

template <class T>
class CoordinateAttention : public Block<T> {
 public:
  CoordinateAttention(const BlockShape& shape, const Options& opt, Rng& rng) : shape_(shape) {
    const Index c = shape.image.channels;
    hidden_ = std::max<Index>(1, c / opt.integer("reduction", 4, 1, 1 << 20));
    opt.finish("block 'coord'");
    const auto conv = [&](const std::string& name, Index in, Index out) {
      weights_.push_back(this->add_parameter(name + ".weight", init::xavier_uniform<T>(in, out, rng).transpose()));
      biases_.push_back(this->add_parameter(name + ".bias", Mat<T>::Zero(1, out)));
    };
    conv("shared", c, hidden_);
    conv("height", hidden_, c);
    conv("width", hidden_, c);
  }
  Var<T> attention(const Var<T>& x) const override {
    const auto [a_h, a_w] = gates(x);
    const Index n = x.rows();
    return scale_columns(scale_rows(constant<T>(Mat<T>::Ones(n, shape_.image.size())), a_h, shape_.image), a_w, shape_.image);
  }
  AttentionKind attention_kind() const override { return AttentionKind::element; }
  Var<T> forward(const Var<T>& x) const override {
    const auto [a_h, a_w] = gates(x);
    return scale_columns(scale_rows(x, a_h, shape_.image), a_w, shape_.image);
  }

 private:
  // 1x1 convolution k of a strip of maps (C' x len x 1)
  Var<T> conv1x1(size_t k, const Var<T>& z, Index channels, Index length) const {
    return conv2d(z, ImageShape{channels, length, 1}, weights_[k], biases_[k], Conv2dOptions{1, 1, 1, 0, 1, 1});
  }
  std::pair<Var<T>, Var<T>> gates(const Var<T>& x) const {
    check_block_input("block 'coord'", shape_, x.cols());
    const Index c = shape_.image.channels, h = shape_.image.height, w = shape_.image.width;
    const Var<T> zh = relu(conv1x1(0, mean_over_width(x, shape_.image), c, h));   // [N x C'*H]
    const Var<T> zw = relu(conv1x1(0, mean_over_height(x, shape_.image), c, w));  // [N x C'*W]
    return {sigmoid(conv1x1(1, zh, hidden_, h)), sigmoid(conv1x1(2, zw, hidden_, w))};
  }

  BlockShape shape_;
  Index hidden_ = 1;
  std::vector<Var<T>> weights_, biases_;
};

ENGRAM_REGISTER_BLOCK("coord", "coordinate attention (Hou et al. 2021): gates along rows and along columns from directional pooling; option reduction", CoordinateAttention);

}  // namespace engram::attention
