// engram/attention/attention.h — attention = score + normalizer + weighted read.
//
//   q: [m x dq] queries, keys: [n x dk], values: [n x dv]
//   S = score(q, keys)            [m x n]
//   W = normalizer(S, ctx)        [m x n]
//   out = W values                [m x dv]
// Plain attention is key-value attention with values = keys. Every call returns the weights
// with the output, for inspection and for saving heat maps.
#pragma once

#include "attention/normalizer.h"
#include "attention/score.h"

namespace engram::attention {

template <class T>
struct AttentionResult {
  Var<T> output;   // [m x dv]
  Var<T> weights;  // [m x n]
};

template <class T>
class Attention : public Module<T> {
 public:
  Attention(std::unique_ptr<Score<T>> score, std::unique_ptr<Normalizer<T>> normalizer);
  // By name from the registries, e.g. ("additive", {8, 8}, {{"hidden", "16"}}, "softmax", {}).
  Attention(const std::string& score, const ScoreShape& shape, const Options& score_options,
            const std::string& normalizer, const Options& normalizer_options, Rng& rng);

  AttentionResult<T> operator()(const Var<T>& q, const Var<T>& keys, const Var<T>& values,
                                NormalizeContext<T>& ctx) const;
  AttentionResult<T> operator()(const Var<T>& q, const Var<T>& keys, const Var<T>& values) const {
    NormalizeContext<T> ctx;
    return (*this)(q, keys, values, ctx);
  }

  const Score<T>& score() const { return *score_; }
  const Normalizer<T>& normalizer() const { return *normalizer_; }

 private:
  std::unique_ptr<Score<T>> score_;
  std::unique_ptr<Normalizer<T>> normalizer_;
};

}  // namespace engram::attention
