// se: squeeze-and-excitation (Hu, Shen & Sun 2018). s = sigmoid(W2 relu(W1 mean_hw(x))), channel c
// of each map scaled by s_c. Option `reduction` r (default 4): W1 is [C x C/r] (at least 1 unit).
// attention(x): s, [N x C].
#include "attention/vision/block.h"

#include "core/layers.h"

#include <algorithm>

namespace engram::attention {

template <class T>
class SqueezeExcitation : public Block<T> {
 public:
  SqueezeExcitation(const BlockShape& shape, const Options& opt, Rng& rng)
      : shape_(shape), down_(shape.image.channels, hidden(shape, opt), rng), up_(hidden(shape, opt), shape.image.channels, rng) {
    opt.finish("block 'se'");
    this->add_module("down", down_);
    this->add_module("up", up_);
  }
  Var<T> attention(const Var<T>& x) const override {
    check_block_input("block 'se'", shape_, x.cols());
    return sigmoid(up_(relu(down_(global_avg_pool(x, shape_.image)))));
  }
  AttentionKind attention_kind() const override { return AttentionKind::channel; }
  Var<T> forward(const Var<T>& x) const override { return scale_channels(x, attention(x), shape_.image); }

 private:
  static Index hidden(const BlockShape& shape, const Options& opt) {
    const Index r = opt.integer("reduction", 4, 1, 1 << 20);
    return std::max<Index>(1, shape.image.channels / r);
  }
  BlockShape shape_;
  Linear<T> down_, up_;
};

ENGRAM_REGISTER_BLOCK("se", "squeeze-and-excitation (Hu et al. 2018): channel weights from pooled maps; option reduction", SqueezeExcitation);

}  // namespace engram::attention
