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
    // the banded [C x C] matrix is built as k x C^2 numbers: bounded
    require(c <= 1024, "block 'eca'", "supports at most 1024 channels, got " + std::to_string(c));
    w_ = this->add_parameter("weight", init::uniform<T>(1, k_, -0.5, 0.5, rng));
    // band(t, i * C + j) = 1 where channel i feeds output j through tap t = i - j + (k - 1) / 2
    band_ = Mat<T>::Zero(k_, c * c);
    const Index p = (k_ - 1) / 2;
    for (Index i = 0; i < c; ++i)
      for (Index j = 0; j < c; ++j)
        if (i - j + p >= 0 && i - j + p < k_) band_(i - j + p, i * c + j) = 1;
  }
  Var<T> attention(const Var<T>& x) const override {
    check_block_input("block 'eca'", shape_, x.cols());
    const Index c = shape_.image.channels;
    const Var<T> b = reshape(matmul(w_, constant<T>(band_)), c, c);  // [C x C], banded
    return sigmoid(matmul(global_avg_pool(x, shape_.image), b));
  }
  AttentionKind attention_kind() const override { return AttentionKind::channel; }
  Var<T> forward(const Var<T>& x) const override { return scale_channels(x, attention(x), shape_.image); }

 private:
  BlockShape shape_;
  Index k_ = 3;
  Var<T> w_;
  Mat<T> band_;
};

ENGRAM_REGISTER_BLOCK("eca", "efficient channel attention (Wang et al. 2020): a 1-D convolution across pooled channels; option kernel", EfficientChannelAttention);

}  // namespace engram::attention
