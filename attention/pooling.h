// engram/attention/pooling.h — attention pooling: a learned query summarises a sequence, and
// hierarchical attention (words -> sentences -> document, after Yang et al. 2016).
//
// AttentionPooling<T>(dim, rng, score = "dot", score_options = {}):
//   u: [1 x dim] learned query (parameter "query", Xavier-uniform), score: attention::make_score
//   with ScoreShape{dim, dim} (child "score", so its parameters are the module's).
//   forward(X [n x dim], mask):
//     s = score(u, X)              [1 x n]
//     a = softmax(s)               [1 x n]   (masked positions: exactly 0)
//     out = a X                    [1 x dim]
//   CONTRACT: requires n >= 1, X's cols == dim, mask null or [1 x n] (non-zero = masked) leaving
//   at least one position; ensures output [1 x dim], weights [1 x n] summing to 1; differentiable
//   in X and all parameters. Bad shapes throw std::invalid_argument naming them. Const, thread-safe.
//
// HierarchicalAttention<T>(word_dim, sentence_dim, rng, score = "dot"):
//   input: sentences, a vector of k >= 1 matrices X_i: [n_i x word_dim], n_i >= 1.
//     U_i = tanh(X_i W + b)                     [n_i x sentence_dim]   (child "word_proj", shared)
//     (s_i, a_i) = word_pool(U_i)               s_i: [1 x sentence_dim], a_i: [1 x n_i]
//     S = [s_0; ...; s_{k-1}]                   [k x sentence_dim]
//     (doc, b) = sentence_pool(S)               doc: [1 x sentence_dim], b: [1 x k]
//   returns doc, the word weights a_i per sentence and the sentence weights b.
//   The word-level Linear runs once over all words of the document (one GEMM, then row slices).
//   Unlike Yang et al. there are no GRU encoders here: this is the attention part only; feed it
//   encoder states as the word vectors.
#pragma once

#include "attention/score.h"
#include "core/layers.h"
#include "core/module.h"
#include "core/options.h"

#include <memory>
#include <string>
#include <vector>

namespace engram::attention {

template <class T>
struct PoolingResult {
  Var<T> output;   // [1 x dim]
  Var<T> weights;  // [1 x n]
};

template <class T>
class AttentionPooling : public Module<T> {
 public:
  AttentionPooling(Index dim, Rng& rng, const std::string& score = "dot", const Options& score_options = {});

  PoolingResult<T> forward(const Var<T>& x, const Mat<T>* mask = nullptr) const;
  PoolingResult<T> operator()(const Var<T>& x, const Mat<T>* mask = nullptr) const { return forward(x, mask); }

  Index dim() const { return query.cols(); }
  const Score<T>& score() const { return *score_; }

  Var<T> query;  // [1 x dim]

 private:
  std::unique_ptr<Score<T>> score_;
};

template <class T>
struct HierarchicalResult {
  Var<T> document;                   // [1 x sentence_dim]
  std::vector<Var<T>> word_weights;  // k x [1 x n_i]
  Var<T> sentence_weights;           // [1 x k]
};

template <class T>
class HierarchicalAttention : public Module<T> {
 public:
  HierarchicalAttention(Index word_dim, Index sentence_dim, Rng& rng, const std::string& score = "dot",
                        const Options& score_options = {});

  HierarchicalResult<T> forward(const std::vector<Var<T>>& sentences) const;
  HierarchicalResult<T> operator()(const std::vector<Var<T>>& sentences) const { return forward(sentences); }

  Linear<T> word_proj;                  // word_dim -> sentence_dim
  AttentionPooling<T> word_pool;        // over the projected words of one sentence
  AttentionPooling<T> sentence_pool;    // over the sentence vectors
};

}  // namespace engram::attention
