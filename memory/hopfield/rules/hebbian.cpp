// hebbian: W = 1/N sum_mu x_mu x_mu^T with zero diagonal (Hopfield 1982). Symmetric, W_ii = 0.
// Capacity about 0.138 N random patterns (Amit, Gutfreund & Sompolinsky 1985). No options.
// scaled_weights returns the integer matrix X^T X - P I with scale 1/N, which is what
// BinaryHopfield::store keeps, so the dense network's updates are exact and agree bit for bit
// with the bit-packed retrieval (packed.h).
#include "memory/hopfield/rules.h"

namespace engram::hopfield {
namespace {

class HebbianRule : public LearningRule {
 public:
  // patterns: [P x N] -> [N x N]
  MatF weights(const States& patterns) const override { return scaled_weights(patterns).dense(); }
  ScaledWeights scaled_weights(const States& patterns) const override {
    check_patterns(patterns, "learning rule 'hebbian'");
    return {hebbian_matrix(patterns), 1.0f / float(patterns.cols())};
  }
};

ENGRAM_REGISTER(learning_rules(), "hebbian", "W = 1/N sum x x^T, zero diagonal (Hopfield 1982); no options", [](const Options& o) {
      o.finish("learning rule 'hebbian'");
      return std::unique_ptr<LearningRule>(new HebbianRule);
    });

}  // namespace
}  // namespace engram::hopfield
