// engram/networks/transformer_reader.h — the Transformer baseline of the memory comparison: the
// story's sentences as tokens, the question as a last token that attends over them.
//
//   (X, q) = StoryEncoder(story, query)            X [S x d] (temporal encoding added), q [1 x d]
//   Z_0 = [X; q + m]                               [S + 1 x d]; m: a learned question marker
//   Z_l = TransformerEncoderBlock_l(Z_{l-1})       l = 1..layers (networks' attention/transformer.h)
//   logits = Z_L[S] W + b                          the question token's output
// attention: one [1 x S] per layer, the question token's weights over the sentences, averaged
// over heads. state_size: the keys and values of every layer, 2 x layers x (S + 1) x d.
// CONTRACT: networks/story_reader.h; rng (training) drives the blocks' dropout.
#pragma once

#include "attention/transformer.h"
#include "networks/story_encoder.h"
#include "networks/story_reader.h"

#include <memory>
#include <algorithm>
#include <vector>

namespace engram::networks {

struct TransformerReaderOptions {
  StoryEncoderOptions encoder;
  Index answers = 0;
  Index layers = 2;
  Index heads = 2;     // must divide encoder.dim
  Index ff = 0;        // feed-forward width; 0 = 2 x dim
  double dropout = 0;
  bool pre_norm = true;
};

template <class T>
class TransformerReader : public StoryReader<T> {
 public:
  TransformerReader(const TransformerReaderOptions& o, Rng& rng);
  MemoryReadout<T> forward(std::span<const std::vector<int>> story, std::span<const int> query,
                           Rng* rng = nullptr) const override;
  Index state_size(Index sentences) const override {
    return 2 * o_.layers * (std::min(sentences, o_.encoder.memory_size) + 1) * o_.encoder.dim;
  }

 private:
  TransformerReaderOptions o_;
  StoryEncoder<T> encoder_;
  Var<T> marker_;
  std::vector<std::unique_ptr<attention::TransformerEncoderBlock<T>>> blocks_;
  Linear<T> out_;
};

}  // namespace engram::networks
