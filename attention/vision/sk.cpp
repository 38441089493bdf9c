// sk: selective kernel (Li et al. 2019), two branches. U1 = relu(conv3x3(x)), U2 = relu(conv3x3
// dilation 2 (a 5x5 receptive field)(x)), both C -> C, padding keeping the size; s = mean_hw(U1 +
// U2) [N x C]; z = relu(s W_z) (C -> max(C / r, `min_hidden`)); per channel a softmax over the two
// branches of z W_1, z W_2: a1 = sigmoid(z W_1 - z W_2), a2 = 1 - a1; out = a1 U1 + a2 U2 (the
// paper's batch normalisation in the branches: not here). Options `reduction` r (default 4),
// `min_hidden` (default 8), `groups` of the convolutions (default 1, must divide C).
// attention(x): a1, the weight of the 3x3 branch, [N x C].
#include "attention/vision/block.h"

#include "core/init.h"
#include "core/layers.h"

#include <algorithm>

namespace engram::attention {

template <class T>
class SelectiveKernel : public Block<T> {
 public:
  SelectiveKernel(const BlockShape& shape, const Options& opt, Rng& rng)
      : shape_(shape),
        squeeze_(shape.image.channels, hidden(shape, opt), rng),
        select_(squeeze_.out_features(), 2 * shape.image.channels, rng) {
    const Index c = shape.image.channels, groups = opt.integer("groups", 1, 1, 1 << 20);
    opt.finish("block 'sk'");
    require(c % groups == 0, "block 'sk'", "groups (" + std::to_string(groups) + ") must divide the " + std::to_string(c) + " channels");
    for (Index b = 0; b < 2; ++b) {
      Conv2dOptions o;
      o.groups = groups;
      o.dilation = b + 1;
      o.padding = b + 1;  // keeps H x W for a 3x3 kernel at dilation 1 and 2
      conv_.push_back(o);
      const Index fan = (c / groups) * 9;
      weight_.push_back(this->add_parameter("branch" + std::to_string(b) + ".weight", init::xavier_uniform<T>(fan, c, rng).transpose()));
      bias_.push_back(this->add_parameter("branch" + std::to_string(b) + ".bias", Mat<T>::Zero(1, c)));
    }
    this->add_module("squeeze", squeeze_);
    this->add_module("select", select_);
  }
  Var<T> attention(const Var<T>& x) const override { return weights(branches(x)); }
  AttentionKind attention_kind() const override { return AttentionKind::channel; }
  Var<T> forward(const Var<T>& x) const override {
    const auto u = branches(x);
    const Var<T> a1 = weights(u);
    return add(scale_channels(u.first, a1, shape_.image), scale_channels(u.second, rsub_scalar(a1, T(1)), shape_.image));
  }

 private:
  static Index hidden(const BlockShape& shape, const Options& opt) {
    return std::max<Index>(opt.integer("min_hidden", 8, 1, 1 << 20), shape.image.channels / opt.integer("reduction", 4, 1, 1 << 20));
  }
  std::pair<Var<T>, Var<T>> branches(const Var<T>& x) const {
    check_block_input("block 'sk'", shape_, x.cols());
    return {relu(conv2d(x, shape_.image, weight_[0], bias_[0], conv_[0])), relu(conv2d(x, shape_.image, weight_[1], bias_[1], conv_[1]))};
  }
  Var<T> weights(const std::pair<Var<T>, Var<T>>& u) const {  // a1 [N x C]
    const Index c = shape_.image.channels;
    const Var<T> logits = select_(relu(squeeze_(global_avg_pool(add(u.first, u.second), shape_.image))));  // [N x 2C]
    return sigmoid(sub(slice_cols(logits, 0, c), slice_cols(logits, c, c)));
  }

  BlockShape shape_;
  Linear<T> squeeze_, select_;
  std::vector<Conv2dOptions> conv_;
  std::vector<Var<T>> weight_, bias_;
};

ENGRAM_REGISTER_BLOCK("sk", "selective kernel (Li et al. 2019): 3x3 and dilated 3x3 branches mixed per channel by attention; options reduction, min_hidden, groups", SelectiveKernel);

}  // namespace engram::attention
