// pseudo_inverse: the projection rule (Personnaz, Guyon & Dreyfus 1985; Kanter & Sompolinsky
// 1987). W = X^T (X X^T)^-1 X is the orthogonal projector onto the span of the patterns, so
// W x_mu = x_mu: every stored pattern is a fixed point (field = pattern) up to P = N - 1
// linearly independent patterns.
// Robust solve: instead of inverting the P x P Gram matrix X X^T (singular for repeated or
// linearly dependent patterns, ill-conditioned near P = N), W = Q Q^T where Q: [N x r] is an
// orthonormal basis of the row space of X from a column-pivoting Householder QR of X^T (rank r
// by Eigen's default threshold), in double. For independent patterns this is exactly
// X^T (X X^T)^-1 X; for dependent ones it is the Moore-Penrose projector X^+ X. O(N P^2 + N^2 r).
// Option zero_diagonal (default false): set W_ii = 0. The full projector has W_ii ~ P/N > 0,
// a self-coupling that stabilises many spurious states; removing it (Kanter & Sompolinsky)
// enlarges the basins, and stored patterns stay fixed points while W_ii < 1.
#include "memory/hopfield/rules.h"

#include <Eigen/QR>

namespace engram::hopfield {
namespace {

class PseudoInverseRule : public LearningRule {
 public:
  explicit PseudoInverseRule(bool zero_diagonal) : zero_diagonal_(zero_diagonal) {}

  // patterns: [P x N] -> [N x N]
  MatF weights(const States& patterns) const override {
    check_patterns(patterns, "learning rule 'pseudo_inverse'");
    const Index N = patterns.cols();
    MatD w = MatD::Zero(N, N);
    if (patterns.rows() > 0) {
      const Eigen::MatrixXd xt = patterns.transpose().cast<double>();  // [N x P]
      Eigen::ColPivHouseholderQR<Eigen::MatrixXd> qr(xt);
      const Index r = qr.rank();
      // the first r columns of Q span the column space of X^T (the patterns' span)
      const Eigen::MatrixXd q = qr.householderQ() * Eigen::MatrixXd::Identity(N, r);  // [N x r]
      w = q * q.transpose();
      w = 0.5 * (w + w.transpose()).eval();  // exactly symmetric (the GEMM need not be)
    }
    if (zero_diagonal_) w.diagonal().setZero();
    return w.cast<float>();
  }

 private:
  bool zero_diagonal_;
};

ENGRAM_REGISTER(learning_rules(), "pseudo_inverse", "projection rule W = X^T (X X^T)^-1 X (robust: QR projector); option zero_diagonal (false)",
    [](const Options& o) {
      const bool zero_diagonal = o.boolean("zero_diagonal", false);
      o.finish("learning rule 'pseudo_inverse'");
      return std::unique_ptr<LearningRule>(new PseudoInverseRule(zero_diagonal));
    });

}  // namespace
}  // namespace engram::hopfield
