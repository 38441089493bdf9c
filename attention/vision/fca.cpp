// fca: frequency channel attention (FcaNet, Qin et al. 2021). Squeeze-and-excitation with the
// global average pool replaced by 2-D DCT components: the channels split into `frequencies`
// equal parts (the last takes the rest), part k pooled by the DCT-II basis image of the k-th
// lowest frequency (u, v) in zig-zag order ((0, 0) is the average pool up to a constant);
// s = sigmoid(W2 relu(W1 pooled)), channel c scaled by s_c. Options `frequencies` (default 4, at
// most 16; fewer when C is smaller), `reduction` (default 4). attention(x): s, [N x C].
#include "attention/vision/block.h"

#include "core/layers.h"

#include <algorithm>

namespace engram::attention {

template <class T>
class FrequencyChannelAttention : public Block<T> {
 public:
  FrequencyChannelAttention(const BlockShape& shape, const Options& opt, Rng& rng)
      : shape_(shape),
        down_(shape.image.channels, std::max<Index>(1, shape.image.channels / opt.integer("reduction", 4, 1, 1 << 20)), rng),
        up_(down_.out_features(), shape.image.channels, rng) {
    const Index c = shape.image.channels;
    const Index f = std::min<Index>(c, opt.integer("frequencies", 4, 1, 16));
    opt.finish("block 'fca'");
    this->add_module("down", down_);
    this->add_module("up", up_);
    basis_ = dct_pooling_basis<T>(shape.image, f);
  }
  Var<T> attention(const Var<T>& x) const override {
    check_block_input("block 'fca'", shape_, x.cols());
    const T hw = T(shape_.image.height * shape_.image.width);
    const Var<T> pooled = scale(global_avg_pool(mul(x, constant<T>(basis_)), shape_.image), hw);  // [N x C]
    return sigmoid(up_(relu(down_(pooled))));
  }
  AttentionKind attention_kind() const override { return AttentionKind::channel; }
  Var<T> forward(const Var<T>& x) const override { return scale_channels(x, attention(x), shape_.image); }

 private:
  BlockShape shape_;
  Linear<T> down_, up_;
  Mat<T> basis_;
};

ENGRAM_REGISTER_BLOCK("fca", "frequency channel attention (Qin et al. 2021): SE pooled by 2-D DCT components; options frequencies, reduction", FrequencyChannelAttention);

}  // namespace engram::attention
