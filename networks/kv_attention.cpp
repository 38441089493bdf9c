#include "networks/kv_attention.h"

#include <cmath>

namespace engram::networks {

KvAttention::KvAttention(const KvAttentionOptions& o, Rng& rng)
    : wq_(o.key_dim, o.hidden, rng, false), wk_(o.key_dim, o.hidden, rng, false),
      out_(o.hidden, o.classes, rng), values_(o.classes, o.hidden, rng, 1.0),
      inv_sqrt_h_(1.0f / std::sqrt(float(o.hidden))) {
  add_module("wq", wq_);
  add_module("wk", wk_);
  add_module("values", values_);
  add_module("out", out_);
}

Var<float> KvAttention::logits(const MatF& keys, const std::vector<int>& values, const MatF& query,
                               MatF* weights) const {
  require(keys.rows() == static_cast<Index>(values.size()), "KvAttention",
          "keys " + shape_str(keys) + " need one value id per row, got " + std::to_string(values.size()));
  Var<float> q = wq_(constant<float>(query));                  // [1 x h]
  Var<float> k = wk_(constant<float>(keys));                   // [N x h]
  Var<float> w = softmax(matmul_nt(q, k), inv_sqrt_h_);        // [1 x N]
  if (weights) *weights = w.value();
  return out_(matmul(w, values_(values)));                     // [1 x classes]
}

}  // namespace engram::networks
