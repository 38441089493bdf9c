#include "networks/seq_classifier.h"

#include <cmath>

namespace engram::networks {

SequenceClassifier::SequenceClassifier(Index vocab, Index d_model, Index classes,
                                       std::unique_ptr<attention::SequenceEncoder<float>> encoder,
                                       std::unique_ptr<attention::SequencePooler<float>> pooler, Rng& rng)
    : embed_(vocab, d_model, rng, 1.0 / std::sqrt(double(d_model))), encoder_(std::move(encoder)),
      pooler_(std::move(pooler)), out_(d_model, classes, rng) {
  add_module("embed", embed_);
  add_module("encoder", *encoder_);
  add_module("pooler", *pooler_);
  add_module("out", out_);
}

Var<float> SequenceClassifier::logits(const std::vector<int>& tokens, bool training, Rng* rng, MatF* pool_weights,
                                      std::vector<MatF>* encoder_weights) const {
  attention::SequenceContext<float> ctx;
  ctx.training = training;
  ctx.rng = rng;
  const Var<float> h = encoder_->encode(embed_(tokens), ctx);   // [n x d]
  const auto pooled = pooler_->pool(h, nullptr);                // [1 x d], weights [1 x n]
  if (pool_weights) *pool_weights = pooled.weights.value();
  if (encoder_weights)
    for (const auto& w : ctx.weights) encoder_weights->push_back(w.value());
  return out_(pooled.output);                                   // [1 x classes]
}

}  // namespace engram::networks
