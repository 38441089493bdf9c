// engram/memory/hopfield/rules.h — learning rules: stored +-1 patterns -> symmetric weights.
//
// CONTRACT for a LearningRule (what a researcher implements to add one):
//   weights(X):  X: [P x N] patterns, one +-1 pattern per row (P >= 0, N >= 1)
//                ->  W: [N x N], the weights of a binary Hopfield network (binary.h) storing X.
//   - Must reject non-binary X with std::invalid_argument (use check_patterns, which names the
//     rule, the row and the column). P = 0 is allowed and gives the empty memory.
//   - W is symmetric for every rule registered here; the diagonal is rule-specific (stated per
//     rule). Symmetric W with W_ii >= 0 is what makes asynchronous dynamics descend the energy.
//   - scaled_weights(X) may return W as `scale * matrix` with `matrix` integer-valued (scale > 0),
//     so that fields W s are exact float sums of integers and their signs exact (see
//     ScaledWeights). The default returns {weights(X), 1}.
//   - Is const and thread-safe; holds only its options.
// Registering: one file under memory/hopfield/rules/, one static:
//   static const bool registered = learning_rules().add("hebbian", "...", [](const Options& o) {
//     o.finish("learning rule 'hebbian'");   // consume options, then reject leftovers
//     return std::unique_ptr<LearningRule>(new HebbianRule);
//   });
// Registered: "hebbian", "storkey", "pseudo_inverse" (rules/*.cpp).
#pragma once

#include "core/options.h"
#include "core/registry.h"
#include "memory/hopfield/patterns.h"

#include <functional>
#include <memory>
#include <string>

namespace engram::hopfield {

// Weights W = scale * matrix. When `matrix` holds integers (|entries| * N < 2^24) every field
// W s = scale * (matrix s) is computed exactly by any float summation order, so the sign of a
// field (and with it every update) does not depend on rounding, on the GEMM kernel or on the
// batch layout; a scale > 0 does not change a sign.
struct ScaledWeights {
  MatF matrix;         // [N x N]
  float scale = 1.0f;  // > 0
  MatF dense() const { return scale * matrix; }
};

class LearningRule {
 public:
  virtual ~LearningRule();
  // patterns: [P x N] +-1  ->  [N x N]
  virtual MatF weights(const States& patterns) const = 0;
  // The same weights as scale * matrix (see ScaledWeights); default {weights(X), 1}.
  virtual ScaledWeights scaled_weights(const States& patterns) const;
};

using RuleFactory = std::function<std::unique_ptr<LearningRule>(const Options&)>;

// The registry of learning rules (kind "learning rule").
Registry<RuleFactory>& learning_rules();

// Builds a registered rule by name; unknown names and unknown options throw
// std::invalid_argument naming them.
std::unique_ptr<LearningRule> make_rule(const std::string& name, const Options& options = {});

// Throws std::invalid_argument unless `patterns` is [P x N] with N >= 1 and every entry +-1;
// `rule` names the caller in the message ("learning rule 'storkey'").
void check_patterns(const States& patterns, const std::string& rule);

// The integer Hebbian matrix X^T X - P I ([N x N], integer-valued floats, zero diagonal):
// sum over patterns of x x^T without self-coupling. The Hebbian rule is this times 1/N; the
// diluted rule (topology.h) masks it. Exact while P < 2^24. O(P N^2) (one GEMM).
MatF hebbian_matrix(const States& patterns);

}  // namespace engram::hopfield
