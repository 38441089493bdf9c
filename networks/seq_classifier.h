// engram/networks/seq_classifier.h — token sequence -> class, from registered parts:
//   tokens (n ids) -> Embedding [n x d] -> encoder [n x d] -> pooler [1 x d] -> Linear -> [1 x classes]
#pragma once

#include "attention/sequence.h"
#include "core/layers.h"

namespace engram::networks {

class SequenceClassifier : public Module<float> {
 public:
  SequenceClassifier(Index vocab, Index d_model, Index classes,
                     std::unique_ptr<attention::SequenceEncoder<float>> encoder,
                     std::unique_ptr<attention::SequencePooler<float>> pooler, Rng& rng);
  // pool_weights / encoder_weights, when non-null, receive the pooling weights [1 x n] and the
  // encoder's attention weights (every layer and head, [n x n] each).
  Var<float> logits(const std::vector<int>& tokens, bool training, Rng* rng, MatF* pool_weights = nullptr,
                    std::vector<MatF>* encoder_weights = nullptr) const;

 private:
  Embedding<float> embed_;
  std::unique_ptr<attention::SequenceEncoder<float>> encoder_;
  std::unique_ptr<attention::SequencePooler<float>> pooler_;
  Linear<float> out_;
};

}  // namespace engram::networks
