#include "attention/attention.h"

namespace engram::attention {

template <class T>
Attention<T>::Attention(std::unique_ptr<Score<T>> score, std::unique_ptr<Normalizer<T>> normalizer)
    : score_(std::move(score)), normalizer_(std::move(normalizer)) {
  require(score_ && normalizer_, "Attention", "needs a score and a normalizer");
  this->add_module("score", *score_);
  this->add_module("normalizer", *normalizer_);
}

template <class T>
Attention<T>::Attention(const std::string& score, const ScoreShape& shape, const Options& score_options,
                        const std::string& normalizer, const Options& normalizer_options, Rng& rng)
    : Attention(make_score<T>(score, shape, score_options, rng),
                make_normalizer<T>(normalizer, NormalizerShape{shape.query_dim}, normalizer_options, rng)) {}

template <class T>
AttentionResult<T> Attention<T>::operator()(const Var<T>& q, const Var<T>& keys, const Var<T>& values,
                                            NormalizeContext<T>& ctx) const {
  require_lazy(keys.rows() == values.rows(), "Attention", [&] {
    return "keys " + keys.shape() + " and values " + values.shape() + " need the same number of rows";
  });
  const Var<T> s = score_->scores(q, keys);          // [m x n]
  if (!ctx.query) ctx.query = &q;
  Var<T> w = normalizer_->normalize(s, ctx);         // [m x n]
  return {matmul(w, values), w};                     // [m x dv]
}

template class Attention<float>;
template class Attention<double>;

}  // namespace engram::attention
