// engram/attention/normalizer.h — normalizers turn scores into attention weights.
//
// CONTRACT for a Normalizer<T>:
//   normalize(S, ctx):  S: [m x n] scores  ->  W: [m x n] weights, each row >= 0 and summing to 1
//   over the unmasked positions (unless rows_sum_to_one() is false: then each row sums to at
//   most 1; Luong's predictive local attention is the one such normalizer).
//   - ctx.mask (optional, may be null): [m x n] or [1 x n], non-zero = masked. Masked positions
//     must get exactly 0 weight (use masked_scores, which applies masked_fill with -inf before a
//     softmax). A row with every position masked is an error (std::invalid_argument).
//   - ctx.rng: the stream for stochastic normalizers (sampling, dropout); ctx.training says
//     whether this is a training pass.
//   - ctx.position / ctx.query: what local attention needs (the aligned source position, or the
//     query state from which the predictive form infers the position).
//   - differentiable(): true when W is differentiable in S (and the normalizer's parameters);
//     the registry-driven test Jacobian-checks those. Hard attention returns false and gives no
//     gradient through the choice; the sampling normalizer puts log p(choice) into
//     ctx.log_prob so that a REINFORCE surrogate (reinforce_surrogate) can train the scores.
//   - rows_sum_to_one(): false only for a normalizer whose rows may sum to less than 1 (the
//     registry-driven test then checks 0 <= row sum <= 1 instead of == 1).
//   - Is const and thread-safe.
// Registering: one file, one line: ENGRAM_REGISTER_NORMALIZER("softmax", "...", SoftmaxNormalizer);
// CLASS<T> has a constructor (const NormalizerShape&, const Options&, Rng&).
#pragma once

#include "core/component.h"
#include "core/module.h"
#include "core/ops.h"
#include "core/options.h"
#include "core/registry.h"
#include "core/rng.h"

#include <functional>
#include <limits>
#include <memory>
#include <string>

namespace engram::attention {

struct NormalizerShape {
  Index query_dim = 0;  // for normalizers with parameters that read the query (predictive local)
};

template <class T>
struct NormalizeContext {
  const Mat<T>* mask = nullptr;
  Rng* rng = nullptr;
  bool training = false;
  Index position = -1;            // local attention with a given center (-1 = none given)
  const Var<T>* query = nullptr;  // [m x query_dim], for predictive local attention
  Var<T> log_prob;                // out: sampled normalizers set log p(sample), [m x 1]
};

template <class T>
class Normalizer : public Module<T> {
 public:
  virtual Var<T> normalize(const Var<T>& scores, NormalizeContext<T>& ctx) const = 0;
  virtual bool differentiable() const { return true; }
  virtual bool rows_sum_to_one() const { return true; }
};

// The masking step every normalizer shares. S: [m x n] (m, n >= 1), mask: null, [m x n] or
// [1 x n] (non-zero = masked) -> S with -inf at the masked positions (no gradient flows there),
// or S itself when mask is null. Throws std::invalid_argument naming `who` for an empty S, a
// mask of another shape, or a row whose every position is masked.
template <class T>
Var<T> masked_scores(const Var<T>& scores, const Mat<T>* mask, const std::string& who) {
  require(scores.rows() >= 1 && scores.cols() >= 1, who.c_str(),
          "needs scores [m x n] with m, n >= 1, got " + scores.shape());
  if (!mask) return scores;
  require((mask->rows() == scores.rows() || mask->rows() == 1) && mask->cols() == scores.cols(), who.c_str(),
          "mask " + shape_str(*mask) + " does not fit scores " + scores.shape() + " (needs [m x n] or [1 x n])");
  for (Index r = 0; r < mask->rows(); ++r)
    require((mask->row(r).array() == T(0)).any(), who.c_str(),
            "row " + std::to_string(r) + " of the mask " + shape_str(*mask) + " masks every position");
  return masked_fill(scores, *mask, -std::numeric_limits<T>::infinity());
}

template <class T>
using NormalizerFactory = ComponentFactory<Normalizer<T>, NormalizerShape>;

template <class T>
Registry<NormalizerFactory<T>>& normalizers();

template <class T>
std::unique_ptr<Normalizer<T>> make_normalizer(const std::string& name, const NormalizerShape& shape,
                                               const Options& opt, Rng& rng) {
  return normalizers<T>().get(name)(shape, opt, rng);
}

#define ENGRAM_REGISTER_NORMALIZER(NAME, DESCRIPTION, CLASS)                                      \
  [[maybe_unused]] static const bool engram_normalizer_registered_##CLASS = ::engram::register_component<CLASS>( \
      ::engram::attention::normalizers<float>(), ::engram::attention::normalizers<double>(), NAME, DESCRIPTION)


}  // namespace engram::attention
