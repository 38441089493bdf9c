// engram/networks/cnn.h — a small convolutional backbone for the attention blocks of
// attention/vision/: stages of [3x3 convolution (padding 1) + bias, optional group normalisation,
// ReLU, an optional registered block, 2x2 max pooling], then global average pooling (or the last
// maps flattened: `flatten_head`) and a linear classifier.
//   x [N x C*H*W] (core/ops_image.h) -> logits [N x classes]
// Any registered block (`engram list blocks`) can follow every stage's ReLU; none gives the plain
// backbone the blocks are compared against.
#pragma once

#include "attention/vision/block.h"
#include "core/layers.h"

#include <memory>
#include <string>
#include <vector>

namespace engram::networks {

struct CnnOptions {
  ImageShape input{1, 28, 28};
  std::vector<Index> channels{16, 32};  // one stage per entry
  Index classes = 10;
  std::string block;                    // empty: no block
  Options block_options;
  Index norm_groups = 0;                // > 0: group_norm with this many groups after each conv
                                        // (capped at the stage's channels; must divide them)
  bool flatten_head = false;            // the classifier reads the last pooled maps whole
                                        // (C x H x W features) instead of their channel means
};

template <class T>
class Cnn : public Module<T> {
 public:
  Cnn(const CnnOptions& o, Rng& rng);
  Var<T> logits(const Var<T>& x) const;
  // The first stage's block attention for x (empty Var without a block).
  Var<T> first_attention(const Var<T>& x) const;
  const std::vector<ImageShape>& stage_shapes() const { return shapes_; }  // after each stage's conv
  const attention::Block<T>* first_block() const { return blocks_.empty() ? nullptr : blocks_[0].get(); }

 private:
  Var<T> stage(Index s, const Var<T>& x, bool attention_only) const;
  CnnOptions o_;
  std::vector<ImageShape> in_shapes_, shapes_;
  std::vector<Var<T>> weights_, biases_, gains_, shifts_;
  std::vector<std::unique_ptr<attention::Block<T>>> blocks_;
  std::unique_ptr<Linear<T>> head_;
};

}  // namespace engram::networks
