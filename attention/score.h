// engram/attention/score.h — score functions s(q, k), the first half of every attention.
//
// CONTRACT for a Score<T> (what a researcher implements to add one):
//   scores(Q, K):  Q: [m x query_dim] queries, K: [n x key_dim] keys  ->  S: [m x n],
//                  S_ij = s(q_i, k_j). Row i of S depends on q_i and K only.
//   - Differentiable in Q, K and the score's own parameters (registered with add_parameter);
//     the registry-driven test Jacobian-checks every registered score in double precision.
//   - May assume m, n >= 1 and the dims given at construction; must throw
//     std::invalid_argument naming the shapes otherwise (use `check_score_shapes`).
//   - Is const and thread-safe: many examples call it concurrently.
// Registering: one file, one line (see attention/scores/dot.cpp and docs/attention.md):
//   ENGRAM_REGISTER_SCORE("dot", "q . k", DotScore);
// where DotScore is a class template over T with a constructor (const ScoreShape&, const Options&, Rng&).
#pragma once

#include "core/component.h"
#include "core/module.h"
#include "core/ops.h"
#include "core/options.h"
#include "core/registry.h"
#include "core/rng.h"

#include <functional>
#include <memory>

namespace engram::attention {

struct ScoreShape {
  Index query_dim = 0;
  Index key_dim = 0;
};

template <class T>
class Score : public Module<T> {
 public:
  virtual Var<T> scores(const Var<T>& q, const Var<T>& k) const = 0;
};

template <class T>
using ScoreFactory = ComponentFactory<Score<T>, ScoreShape>;

template <class T>
Registry<ScoreFactory<T>>& scores();

// Throws std::invalid_argument unless q is [m x query_dim] and k is [n x key_dim], m, n >= 1.
void check_score_shapes(const char* name, const ScoreShape& shape, Index q_rows, Index q_cols, Index k_rows,
                        Index k_cols);

// Throws std::invalid_argument unless query_dim == key_dim (scores that compare q with k directly).
void require_equal_dims(const char* name, const ScoreShape& shape);

// Builds a registered score by name.
template <class T>
std::unique_ptr<Score<T>> make_score(const std::string& name, const ScoreShape& shape, const Options& opt, Rng& rng) {
  return scores<T>().get(name)(shape, opt, rng);
}

// Registers class template CLASS<T> for float and double under NAME at start-up.
#define ENGRAM_REGISTER_SCORE(NAME, DESCRIPTION, CLASS)                                      \
  [[maybe_unused]] static const bool engram_score_registered_##CLASS = ::engram::register_component<CLASS>( \
      ::engram::attention::scores<float>(), ::engram::attention::scores<double>(), NAME, DESCRIPTION)


}  // namespace engram::attention
