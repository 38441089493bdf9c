#include "attention/pooling.h"

#include "core/init.h"

#include <limits>

namespace engram::attention {

template <class T>
AttentionPooling<T>::AttentionPooling(Index dim, Rng& rng, const std::string& score, const Options& score_options) {
  require_lazy(dim > 0, "AttentionPooling", [&] { return "dim must be > 0, got " + std::to_string(dim); });
  query = this->add_parameter("query", init::xavier_uniform<T>(1, dim, rng));  // [1 x dim]
  score_ = make_score<T>(score, ScoreShape{dim, dim}, score_options, rng);
  this->add_module("score", *score_);
}

template <class T>
PoolingResult<T> AttentionPooling<T>::forward(const Var<T>& x, const Mat<T>* mask) const {
  const char* where = "AttentionPooling";
  const Index n = x.rows();
  require_lazy(n >= 1 && x.cols() == dim(), where, [&] {
    return "sequence " + x.shape() + " does not fit [n x " + std::to_string(dim()) + "], n >= 1";
  });
  Var<T> s = score_->scores(query, x);                    // [1 x dim], [n x dim] -> [1 x n]
  if (mask) {
    require_lazy(mask->rows() == 1 && mask->cols() == n, where, [&] {
      return "mask " + shape_str(*mask) + " must be [1 x " + std::to_string(n) + "]";
    });
    require_lazy((mask->array() == T(0)).any(), where, [&] {
      return "mask " + shape_str(*mask) + " masks every position";
    });
    s = masked_fill(s, *mask, -std::numeric_limits<T>::infinity());  // [1 x n]
  }
  const Var<T> a = softmax(s);                            // [1 x n]
  return {matmul(a, x), a};                               // [1 x n][n x dim] -> [1 x dim]
}

template <class T>
HierarchicalAttention<T>::HierarchicalAttention(Index word_dim, Index sentence_dim, Rng& rng, const std::string& score,
                                                const Options& score_options)
    : word_proj(word_dim, sentence_dim, rng),
      word_pool(sentence_dim, rng, score, score_options),
      sentence_pool(sentence_dim, rng, score, score_options) {
  this->add_module("word_proj", word_proj);
  this->add_module("word_pool", word_pool);
  this->add_module("sentence_pool", sentence_pool);
}

template <class T>
HierarchicalResult<T> HierarchicalAttention<T>::forward(const std::vector<Var<T>>& sentences) const {
  const char* where = "HierarchicalAttention";
  require(!sentences.empty(), where, "needs at least one sentence");
  const Index word_dim = word_proj.in_features();
  for (size_t i = 0; i < sentences.size(); ++i)
    require_lazy(sentences[i].rows() >= 1 && sentences[i].cols() == word_dim, where, [&] {
      return "sentence " + std::to_string(i) + " is " + sentences[i].shape() + ", expected [n_words >= 1 x " +
          std::to_string(word_dim) + "]";
    });
  // All words of the document through the projection at once.
  const Var<T> words = sentences.size() == 1 ? sentences[0] : concat(sentences, 0);  // [N x word_dim]
  const Var<T> u = tanh(word_proj(words));                // [N x word_dim] -> [N x sentence_dim]

  HierarchicalResult<T> r;
  r.word_weights.reserve(sentences.size());
  std::vector<Var<T>> sentence_vectors;
  sentence_vectors.reserve(sentences.size());
  Index at = 0;
  for (const auto& s : sentences) {
    const Var<T> ui = sentences.size() == 1 ? u : slice_rows(u, at, s.rows());  // [n_i x sentence_dim]
    at += s.rows();
    PoolingResult<T> p = word_pool(ui);                   // [1 x sentence_dim], weights [1 x n_i]
    sentence_vectors.push_back(p.output);
    r.word_weights.push_back(p.weights);
  }
  const Var<T> S = sentence_vectors.size() == 1 ? sentence_vectors[0] : concat(sentence_vectors, 0);  // [k x sentence_dim]
  PoolingResult<T> doc = sentence_pool(S);                // [1 x sentence_dim], weights [1 x k]
  r.document = doc.output;
  r.sentence_weights = doc.weights;
  return r;
}

template class AttentionPooling<float>;
template class AttentionPooling<double>;
template class HierarchicalAttention<float>;
template class HierarchicalAttention<double>;

}  // namespace engram::attention
