// eca: efficient channel attention (Wang et al. 2020). s = sigmoid(conv1d_k(mean_hw(x))) across
// channels, zero padded, no bias: each channel's weight from its k neighbours' pooled values.
// The kernel size k from the channel count, k = the odd number nearest above |log2(C) + 1| / 2
// (gamma 2, b 1), or option `kernel` (odd). attention(x): s, [N x C].
#include "attention/vision/block.h"

#include "core/init.h"

#include <cmath>

namespace engram::attention {

template <class T>
class EfficientChannelAttention : public Block<T> {
 public:
  EfficientChannelAttention(const BlockShape& shape, const Options& opt, Rng& rng) : shape_(shape) {
    const Index c = shape.image.channels;
    Index t = static_cast<Index>(std::abs((std::log2(static_cast<double>(c)) + 1) / 2));
    if (t % 2 == 0) ++t;
    k_ = opt.integer("kernel", t, 1, 1 << 10);
    opt.finish("block 'eca'");
    require(k_ % 2 == 1, "block 'eca'", "kernel: must be odd, got " + std::to_string(k_));
    w_ = this->add_parameter("weight", init::uniform<T>(1, k_, -0.5, 0.5, rng));
  }
  Var<T> attention(const Var<T>& x) const override {
    check_block_input("block 'eca'", shape_, x.cols());
    return sigmoid(conv1d_channels(global_avg_pool(x, shape_.image), w_));
  }
  AttentionKind attention_kind() const override { return AttentionKind::channel; }
  Var<T> forward(const Var<T>& x) const override { return scale_channels(x, attention(x), shape_.image); }

 private:
  BlockShape shape_;
  Index k_ = 3;
  Var<T> w_;
};

ENGRAM_REGISTER_BLOCK("eca", "efficient channel attention (Wang et al. 2020): a 1-D convolution across pooled channels; option kernel", EfficientChannelAttention);

}  // namespace engram::attention
