#include "memory/hopfield/rules.h"

namespace engram::hopfield {

LearningRule::~LearningRule() = default;

ScaledWeights LearningRule::scaled_weights(const States& patterns) const { return {weights(patterns), 1.0f}; }

Registry<RuleFactory>& learning_rules() {
  static Registry<RuleFactory> r("learning rule", "rules", "Hopfield learning rules (rule: hebbian)");
  return r;
}

std::unique_ptr<LearningRule> make_rule(const std::string& name, const Options& options) {
  return learning_rules().get(name)(options);
}

void check_patterns(const States& patterns, const std::string& rule) {
  require(patterns.cols() >= 1, rule.c_str(), "patterns must be [P x N] with N >= 1, got " + shape_str(patterns));
  require_binary(patterns, rule.c_str());
}

MatF hebbian_matrix(const States& patterns) {
  check_patterns(patterns, "hebbian_matrix");
  // X^T X: [N x P] [P x N]; entries are sums of P products of +-1, exact in float while P < 2^24.
  MatF c = patterns.transpose() * patterns;
  c.diagonal().setZero();  // (X^T X)_ii = P exactly; removing it is the "- P I"
  return c;
}

}  // namespace engram::hopfield
