// double: the double attention block (A^2-Nets, Chen et al. 2018). Within each image, with X its
// positions [HW x C]: features A = X W_a [HW x m]; gathering maps B = X W_b [HW x n], each of
// the n maps a softmax over the positions; G = B^T A [n x m], n global descriptors; distribution
// weights V = softmax over the n descriptors at every position of X W_v [HW x n]; out = X +
// (V G) W_z (m -> C, starting at zero: the block starts as the identity). Options `features` m
// and `descriptors` n (default C / 2 each, at least 1). attention(x): the gathering maps'
// average over the n descriptors, [N x H*W] (each map sums to 1 over the positions).
#include "attention/vision/block.h"

#include "core/layers.h"

#include <algorithm>

namespace engram::attention {

template <class T>
class DoubleAttention : public Block<T> {
 public:
  DoubleAttention(const BlockShape& shape, const Options& opt, Rng& rng)
      : shape_(shape),
        a_(shape.image.channels, opt.integer("features", half(shape), 1, 1 << 16), rng, false),
        b_(shape.image.channels, opt.integer("descriptors", half(shape), 1, 1 << 16), rng, false),
        v_(shape.image.channels, b_.out_features(), rng, false),
        z_(a_.out_features(), shape.image.channels, rng) {
    opt.finish("block 'double'");
    this->add_module("features", a_);
    this->add_module("gather", b_);
    this->add_module("distribute", v_);
    this->add_module("out", z_);
    z_.weight.mutable_value().setZero();
  }
  Var<T> attention(const Var<T>& x) const override {
    check_block_input("block 'double'", shape_, x.cols());
    return per_image(x, shape_.image, shape_.image.height * shape_.image.width,
                     [&](const Var<T>& X) { return mean(gather(X), 0); });
  }
  AttentionKind attention_kind() const override { return AttentionKind::spatial; }
  Var<T> forward(const Var<T>& x) const override {
    check_block_input("block 'double'", shape_, x.cols());
    return per_image(x, shape_.image, shape_.image.size(), [&](const Var<T>& X) {
      const Var<T> descriptors = matmul(gather(X), a_(X));                    // [n x m]
      return image_of(add(X, z_(matmul(softmax(v_(X)), descriptors))), shape_.image);
    });
  }

 private:
  static Index half(const BlockShape& shape) { return std::max<Index>(1, shape.image.channels / 2); }
  Var<T> gather(const Var<T>& X) const { return softmax(transpose(b_(X))); }  // [n x HW], rows sum to 1

  BlockShape shape_;
  Linear<T> a_, b_, v_, z_;
};

ENGRAM_REGISTER_BLOCK("double", "double attention (Chen et al. 2018): gather global descriptors by attention, distribute them back by attention; options features, descriptors", DoubleAttention);

}  // namespace engram::attention
