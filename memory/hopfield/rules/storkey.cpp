// storkey: the incremental rule of Storkey (1997), local and with capacity above Hebbian's.
// Patterns are learned in row order; for pattern x, with W the weights before x,
//   h_ij = sum_{k != i, j} W_ik x_k                           (local field at i without i, j)
//   W_ij += 1/N (x_i x_j - x_i h_ji - h_ij x_j)                 for i != j;  W_ii stays 0.
// O(N^2) per pattern: with f = W x and W_ii = 0, h_ij = f_i - W_ij x_j, and since x_i^2 = 1
//   dW_ij = 1/N (x_i x_j - x_i f_j - f_i x_j + W_ij + W_ji),
// one outer-product update instead of the naive O(N^3) triple loop. Accumulated in double.
// The update is symmetric in i, j, so W stays symmetric. No options.
#include "memory/hopfield/rules.h"

namespace engram::hopfield {
namespace {

class StorkeyRule : public LearningRule {
 public:
  // patterns: [P x N] -> [N x N]
  MatF weights(const States& patterns) const override {
    check_patterns(patterns, "learning rule 'storkey'");
    const Index N = patterns.cols();
    const double inv_n = 1.0 / double(N);
    MatD w = MatD::Zero(N, N);
    for (Index mu = 0; mu < patterns.rows(); ++mu) {
      const Eigen::RowVectorXd x = patterns.row(mu).cast<double>();  // [1 x N]
      const Eigen::RowVectorXd f = x * w.transpose();                // [1 x N], f_i = (W x)_i
      // [N x N] = x^T x - (x^T f + f^T x) + (W + W^T), all from the weights before this pattern;
      // grouped so that every term, and hence W, is exactly symmetric in floating point
      const MatD xf = x.transpose() * f;  // [N x N]
      const MatD dw = x.transpose() * x - (xf + xf.transpose()) + (w + w.transpose());
      w += inv_n * dw;
      w.diagonal().setZero();
    }
    return w.cast<float>();
  }
};

ENGRAM_REGISTER(learning_rules(), "storkey", "incremental local rule (Storkey 1997), zero diagonal; no options", [](const Options& o) {
      o.finish("learning rule 'storkey'");
      return std::unique_ptr<LearningRule>(new StorkeyRule);
    });

}  // namespace
}  // namespace engram::hopfield
