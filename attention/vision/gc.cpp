// gc: global context block (Cao et al. 2019). One context vector per image, pooled by attention
// over the positions, a = softmax_p(x_p . w_k) (a 1x1 convolution to one map), ctx = sum_p a_p x_p
// [N x C]; transformed by a bottleneck t = W2 relu(LayerNorm(W1 ctx)) (C -> C/r -> C) and added at
// every position: out = x + t. W2 starts at zero (the block starts as the identity, as the
// paper's). Option `reduction` r (default 4). attention(x): a, [N x H*W].
#include "attention/vision/block.h"

#include "core/init.h"
#include "core/layers.h"

#include <algorithm>

namespace engram::attention {

template <class T>
class GlobalContext : public Block<T> {
 public:
  GlobalContext(const BlockShape& shape, const Options& opt, Rng& rng)
      : shape_(shape),
        down_(shape.image.channels, std::max<Index>(1, shape.image.channels / opt.integer("reduction", 4, 1, 1 << 20)), rng),
        up_(down_.out_features(), shape.image.channels, rng) {
    opt.finish("block 'gc'");
    const Index c = shape.image.channels, hidden = down_.out_features();
    key_ = this->add_parameter("key.weight", init::xavier_uniform<T>(c, 1, rng).transpose());  // [1 x C]
    key_bias_ = this->add_parameter("key.bias", Mat<T>::Zero(1, 1));
    this->add_module("down", down_);
    gain_ = this->add_parameter("norm.gain", Mat<T>::Ones(1, hidden));
    shift_ = this->add_parameter("norm.bias", Mat<T>::Zero(1, hidden));
    this->add_module("up", up_);
    up_.weight.mutable_value().setZero();
  }
  Var<T> attention(const Var<T>& x) const override {
    check_block_input("block 'gc'", shape_, x.cols());
    return softmax(conv2d(x, shape_.image, key_, key_bias_, Conv2dOptions{1, 1, 1, 0, 1, 1}));  // [N x HW]
  }
  AttentionKind attention_kind() const override { return AttentionKind::spatial; }
  Var<T> forward(const Var<T>& x) const override {
    const Var<T> a = attention(x);
    const T hw = T(shape_.image.height * shape_.image.width);
    const Var<T> context = scale(global_avg_pool(scale_positions(x, a, shape_.image), shape_.image), hw);  // [N x C]
    const Var<T> t = up_(relu(layer_norm(down_(context), gain_, shift_)));
    return add_channels(x, t, shape_.image);
  }

 private:
  BlockShape shape_;
  Linear<T> down_, up_;
  Var<T> key_, key_bias_, gain_, shift_;
};

ENGRAM_REGISTER_BLOCK("gc", "global context block (Cao et al. 2019): attention-pooled context, bottleneck, added everywhere; option reduction", GlobalContext);

}  // namespace engram::attention
