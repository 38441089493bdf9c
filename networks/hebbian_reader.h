// engram/networks/hebbian_reader.h — the classical associative-memory reader of the memory
// comparison: the story written into a Hebbian outer-product matrix (fast weights, Ba et al.
// 2016; the correlation-matrix memory of the textbooks), read once by the question.
//
//   (X, q) = StoryEncoder(story, query)        X [S x d], q [1 x d]
//   k_s = X_s W_k,  v_s = X_s W_v               keys and values [S x d] (linear, no bias)
//   M   = sum_s lambda^(S-1-s) k_s^T v_s        [d x d]: each sentence adds its outer product,
//                                               older ones decayed by lambda in (0, 1)
//   r   = (q W_q) M                             [1 x d]: one read, no normalisation
//   logits = [r, q] W + b
// lambda = sigmoid(c) with c learned (or fixed at `decay`). attention: one [1 x S], each
// sentence's share of the read, (q W_q . k_s) lambda^(S-1-s) (unnormalised). state_size: M, d x d,
// whatever the story's length: the fixed capacity that the comparison measures.
#pragma once

#include "core/layers.h"
#include "networks/story_encoder.h"
#include "networks/story_reader.h"

namespace engram::networks {

struct HebbianReaderOptions {
  StoryEncoderOptions encoder;
  Index answers = 0;
  double decay = 0.9;       // lambda in (0, 1): the start of the learned one, or fixed
  bool learn_decay = true;
};

template <class T>
class HebbianReader : public StoryReader<T> {
 public:
  HebbianReader(const HebbianReaderOptions& o, Rng& rng);
  MemoryReadout<T> forward(std::span<const std::vector<int>> story, std::span<const int> query,
                           Rng* rng = nullptr) const override;
  Index state_size(Index) const override { return o_.encoder.dim * o_.encoder.dim; }
  // M of this story [d x d] (zero for an empty one).
  Mat<T> memory(std::span<const std::vector<int>> story, std::span<const int> query) const;

 private:
  struct Written {
    Var<T> keys, values, decay;  // [S x d], [S x d], [S x 1]
  };
  Written write(const EncodedStory<T>& e) const;
  HebbianReaderOptions o_;
  StoryEncoder<T> encoder_;
  Linear<T> wk_, wv_, wq_, out_;
  Var<T> decay_logit_;
};

}  // namespace engram::networks
