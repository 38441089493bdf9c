// engram/networks/kv_attention.h — a key-value retrieval reader: attend over stored keys with
// a projected query, read the attended values, classify. The score and normalizer are any
// registered ones (attention/), so the same model compares attention mechanisms.
//   keys: [N x key_dim]  values: N ids  query: [1 x key_dim]
//   S = score(q Wq, K Wk)        [1 x N]     (ScoreShape {hidden, hidden})
//   w = normalizer(S)            [1 x N]
//   logits = (w E[values]) Wo + b            [1 x classes]
#pragma once

#include "attention/attention.h"
#include "core/layers.h"

namespace engram::networks {

struct KvAttentionOptions {
  Index key_dim = 16;
  Index classes = 10;
  Index hidden = 32;
};

class KvAttention : public Module<float> {
 public:
  // score: built for ScoreShape {hidden, hidden}; normalizer: any registered one.
  KvAttention(const KvAttentionOptions& o, std::unique_ptr<attention::Score<float>> score,
              std::unique_ptr<attention::Normalizer<float>> normalizer, Rng& rng);
  // Returns the logits; `weights`, when non-null, receives the attention weights [1 x N].
  Var<float> logits(const MatF& keys, const std::vector<int>& values, const MatF& query,
                    MatF* weights = nullptr) const;

 private:
  Linear<float> wq_, wk_, out_;
  Embedding<float> values_;
  attention::Attention<float> attention_;
};

}  // namespace engram::networks
