#include "networks/attention_model_decoder.h"

#include "core/init.h"

#include <cmath>
#include <limits>
#include <string>

namespace engram::networks {

namespace {

Index checked_embed(Index embed, Index heads, double clip) {
  require_lazy(embed >= 1 && heads >= 1 && embed % heads == 0, "AttentionModelDecoder", [&] {
    return "heads (" + std::to_string(heads) + ") must divide embed (" + std::to_string(embed) + "), both >= 1";
  });
  require_lazy(clip > 0 && std::isfinite(clip), "AttentionModelDecoder", [&] {
    return "the tanh clipping C must be > 0 and finite, got " + std::to_string(clip);
  });
  return embed;
}

}  // namespace

template <class T>
AttentionModelDecoder<T>::AttentionModelDecoder(Index embed, Index heads, double clip, Rng& rng)
    : embed_(checked_embed(embed, heads, clip)), heads_(heads), clip_(clip),
      graph_(embed, embed, rng, false), first_(embed, embed, rng, false), last_(embed, embed, rng, false),
      key_(embed, embed, rng, false), value_(embed, embed, rng, false), out_(embed, embed, rng, false),
      logit_(embed, embed, rng, false) {
  this->add_module("w_graph", graph_);
  this->add_module("w_first", first_);
  this->add_module("w_last", last_);
  this->add_module("w_k", key_);
  this->add_module("w_v", value_);
  this->add_module("w_o", out_);
  this->add_module("w_l", logit_);
  const double r = 1.0 / std::sqrt(static_cast<double>(embed));
  v_first_ = this->add_parameter("v_first", init::uniform<T>(1, embed, -r, r, rng));
  v_last_ = this->add_parameter("v_last", init::uniform<T>(1, embed, -r, r, rng));
}

template <class T>
AttentionModelKeys<T> AttentionModelDecoder<T>::prepare(const Var<T>& nodes) const {
  require_lazy(nodes.rows() >= 1 && nodes.cols() == embed_, "AttentionModelDecoder", [&] {
    return "nodes " + nodes.shape() + " must be [P x " + std::to_string(embed_) + "], P >= 1";
  });
  AttentionModelKeys<T> k;
  const Var<T> keys = key_(nodes), values = value_(nodes);
  const Index d = embed_ / heads_;
  for (Index m = 0; m < heads_; ++m) {
    k.glimpse_keys.push_back(heads_ == 1 ? keys : slice_cols(keys, m * d, d));
    k.glimpse_values.push_back(heads_ == 1 ? values : slice_cols(values, m * d, d));
  }
  k.logit_keys = logit_(nodes);
  k.graph_query = graph_(mean(nodes, 0));
  return k;
}

template <class T>
Var<T> AttentionModelDecoder<T>::logits(const AttentionModelKeys<T>& k, const Var<T>& first, const Var<T>& last,
                                        const Mat<T>* mask) const {
  const Index positions = k.logit_keys.rows();
  require_lazy(!mask || (mask->rows() == 1 && mask->cols() == positions), "AttentionModelDecoder", [&] {
    return "mask [" + std::to_string(mask->rows()) + " x " + std::to_string(mask->cols()) + "] must be [1 x " +
        std::to_string(positions) + "]";
  });
  require_lazy(!mask || (mask->array() == T(0)).any(), "AttentionModelDecoder",
               [] { return std::string("the mask leaves no position to point at"); });
  constexpr T neg_inf = -std::numeric_limits<T>::infinity();
  const Var<T> q = add(add(k.graph_query, first_(first.defined() ? first : v_first_)),
                       last_(last.defined() ? last : v_last_));  // [1 x E]
  const Index d = embed_ / heads_;
  const T glimpse_scale = T(1) / std::sqrt(static_cast<T>(d));
  std::vector<Var<T>> heads;
  heads.reserve(static_cast<size_t>(heads_));
  for (Index m = 0; m < heads_; ++m) {
    Var<T> u = matmul_nt(heads_ == 1 ? q : slice_cols(q, m * d, d), k.glimpse_keys[static_cast<size_t>(m)]);
    if (mask) u = masked_fill(u, *mask, neg_inf);
    heads.push_back(matmul(softmax(u, glimpse_scale), k.glimpse_values[static_cast<size_t>(m)]));  // [1 x d]
  }
  const Var<T> glimpse = out_(heads_ == 1 ? heads[0] : concat(heads, 1));  // [1 x E]
  const T logit_scale = T(1) / std::sqrt(static_cast<T>(embed_));
  Var<T> logits = scale(tanh(scale(matmul_nt(glimpse, k.logit_keys), logit_scale)), static_cast<T>(clip_));
  return mask ? masked_fill(logits, *mask, neg_inf) : logits;
}

template class AttentionModelDecoder<float>;
template class AttentionModelDecoder<double>;

}  // namespace engram::networks
