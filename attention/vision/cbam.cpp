// cbam: convolutional block attention module (Woo et al. 2018), channel then spatial:
//   channel: a = sigmoid(MLP(mean_hw(x)) + MLP(max_hw(x))), one MLP [C -> C/r -> C];  x' = a * x
//   spatial: m = sigmoid(conv_kxk([mean_c(x') | max_c(x')]))  (2 maps -> 1, padding (k-1)/2);
//            out = m * x' at every position of every channel
// Options `reduction` (default 4) and `kernel` (default 7, odd). attention(x): m, [N x H*W].
#include "attention/vision/block.h"

#include "core/init.h"
#include "core/layers.h"

#include <algorithm>

namespace engram::attention {

template <class T>
class ConvBlockAttention : public Block<T> {
 public:
  ConvBlockAttention(const BlockShape& shape, const Options& opt, Rng& rng)
      : shape_(shape),
        down_(shape.image.channels, std::max<Index>(1, shape.image.channels / opt.integer("reduction", 4, 1, 1 << 20)), rng),
        up_(down_.out_features(), shape.image.channels, rng) {
    const Index k = opt.integer("kernel", 7, 1, 63);
    opt.finish("block 'cbam'");
    require(k % 2 == 1, "block 'cbam'", "kernel: must be odd, got " + std::to_string(k));
    conv_.kernel_h = conv_.kernel_w = k;
    conv_.padding = (k - 1) / 2;
    this->add_module("down", down_);
    this->add_module("up", up_);
    w_ = this->add_parameter("spatial.weight", init::xavier_uniform<T>(2 * k * k, 1, rng).transpose());
    b_ = this->add_parameter("spatial.bias", Mat<T>::Zero(1, 1));
  }
  Var<T> attention(const Var<T>& x) const override { return spatial(channel(x)); }
  AttentionKind attention_kind() const override { return AttentionKind::spatial; }
  Var<T> forward(const Var<T>& x) const override {
    const Var<T> xc = channel(x);
    return scale_positions(xc, spatial(xc), shape_.image);
  }

 private:
  Var<T> channel(const Var<T>& x) const {
    check_block_input("block 'cbam'", shape_, x.cols());
    const auto mlp = [&](const Var<T>& v) { return up_(relu(down_(v))); };
    const Var<T> a = sigmoid(add(mlp(global_avg_pool(x, shape_.image)), mlp(global_max_pool(x, shape_.image))));
    return scale_channels(x, a, shape_.image);
  }
  Var<T> spatial(const Var<T>& xc) const {
    const ImageShape two{2, shape_.image.height, shape_.image.width};
    const Var<T> maps = concat<T>({channel_mean(xc, shape_.image), channel_max(xc, shape_.image)}, 1);  // [N x 2*HW]
    return sigmoid(conv2d(maps, two, w_, b_, conv_));                                                 // [N x HW]
  }

  BlockShape shape_;
  Linear<T> down_, up_;
  Conv2dOptions conv_;
  Var<T> w_, b_;
};

ENGRAM_REGISTER_BLOCK("cbam", "CBAM (Woo et al. 2018): channel attention, then spatial attention from a conv over pooled maps; options reduction, kernel", ConvBlockAttention);

}  // namespace engram::attention
