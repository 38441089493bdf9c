#include "networks/kv_attention.h"

namespace engram::networks {

KvAttention::KvAttention(const KvAttentionOptions& o, std::unique_ptr<attention::Score<float>> score,
                         std::unique_ptr<attention::Normalizer<float>> normalizer, Rng& rng)
    : wq_(o.key_dim, o.hidden, rng, false), wk_(o.key_dim, o.hidden, rng, false),
      out_(o.hidden, o.classes, rng), values_(o.classes, o.hidden, rng, 1.0),
      attention_(std::move(score), std::move(normalizer)) {
  add_module("wq", wq_);
  add_module("wk", wk_);
  add_module("values", values_);
  add_module("attention", attention_);
  add_module("out", out_);
}

Var<float> KvAttention::logits(const MatF& keys, const std::vector<int>& values, const MatF& query,
                               MatF* weights) const {
  require_lazy(keys.rows() == static_cast<Index>(values.size()), "KvAttention", [&] {
    return "keys " + shape_str(keys) + " need one value id per row, got " + std::to_string(values.size());
  });
  const Var<float> q = wq_(constant<float>(query));          // [1 x h]
  const Var<float> k = wk_(constant<float>(keys));           // [N x h]
  const auto read = attention_(q, k, values_(values));       // output [1 x h], weights [1 x N]
  if (weights) *weights = read.weights.value();
  return out_(read.output);                                   // [1 x classes]
}

}  // namespace engram::networks
