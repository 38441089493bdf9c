// engram/networks/kv_attention.h — a key-value retrieval reader: attend over stored keys with
// a projected query, read the attended values, classify.
//   keys: [N x key_dim]  values: N ids  query: [1 x key_dim]
//   w = softmax((q Wq)(K Wk)^T / sqrt(h))   [1 x N]
//   logits = (w E[values]) Wo + b           [1 x classes]
#pragma once

#include "core/layers.h"

namespace engram::networks {

struct KvAttentionOptions {
  Index key_dim = 16;
  Index classes = 10;
  Index hidden = 32;
};

class KvAttention : public Module<float> {
 public:
  KvAttention(const KvAttentionOptions& o, Rng& rng);
  // Returns the logits; `weights`, when non-null, receives the attention weights [1 x N].
  Var<float> logits(const MatF& keys, const std::vector<int>& values, const MatF& query,
                    MatF* weights = nullptr) const;

 private:
  Linear<float> wq_, wk_, out_;
  Embedding<float> values_;
  float inv_sqrt_h_;
};

}  // namespace engram::networks
