// engram/memory/hopfield/modern.h — the modern continuous Hopfield memory (Ramsauer et al.
// 2020, "Hopfield Networks is All You Need"), in plain Eigen (no autodiff; the differentiable
// layers are in hopfield_layers.h).
//
// Row layout as in the rest of engram: stored patterns X: [P x d], one per row; a state (query)
// xi is a [1 x d] row and a batch of states is [B x d].
//
//   weights   p = softmax(beta xi X^T)                  [B x P]
//   update    xi_new = p X = softmax(beta xi X^T) X     [B x d]   (paper: X^T softmax(beta X xi))
//   energy    E(xi) = -lse(beta, X xi) + 1/2 xi.xi + beta^-1 log P + 1/2 M^2,
//             lse(beta, z) = beta^-1 log sum_mu exp(beta z_mu),  M = max_mu ||x_mu||
// The update is the CCCP step on E, so E never increases along it (up to float rounding), and
// E >= 0 with the constant terms. lse is computed stably (max subtracted). States and patterns
// are float (MatF); energies are evaluated in double from them.
//
// retrieve(xi0, max_steps, tol) applies the update to each row until ||xi_new - xi|| < tol
// (converged; that last update is applied and counted) or max_steps updates.
//
// Retrieval with (fixed, not learned) projections, the Hopfield-layer formula:
//   R: [S x d_r] state patterns, Y: [P x d_y] stored patterns,
//   W_q: [d_r x d_k], W_k: [d_y x d_k], W_v: [d_y x d_v]
//   Z = softmax(beta (R W_q)(Y W_k)^T) (Y W_v)          [S x d_v]
// Without projections this is the plain update with X = Y.
//
// Every public function checks shapes and throws std::invalid_argument naming the function
// and the shapes. Const methods are thread-safe.
#pragma once

#include "core/tensor.h"

#include <vector>

namespace engram::hopfield {

struct HopfieldProjections {
  MatF w_q;  // [d_r x d_k]
  MatF w_k;  // [d_y x d_k]
  MatF w_v;  // [d_y x d_v]
};

// Z = softmax(beta (R W_q)(Y W_k)^T)(Y W_v), or softmax(beta R Y^T) Y when proj is null.
// R: [S x d_r], Y: [P x d_y] -> [S x d_v]. beta > 0. If weights is non-null it receives the
// softmax: [S x P].
MatF hopfield_association(const MatF& R, const MatF& Y, double beta, const HopfieldProjections* proj = nullptr,
                          MatF* weights = nullptr);

struct ModernRetrieval {
  MatF states;                              // [B x d], the final states
  std::vector<int> steps;                   // B: updates applied
  std::vector<bool> converged;              // B: the last update moved less than tol
  std::vector<std::vector<double>> energy;  // B traces: E(xi0), then E after each update
};

class ModernHopfield {
 public:
  // patterns: [P x d], P >= 1, d >= 1, finite; beta > 0.
  ModernHopfield(MatF patterns, double beta);

  Index num_patterns() const { return x_.rows(); }
  Index dim() const { return x_.cols(); }
  double beta() const { return beta_; }
  const MatF& patterns() const { return x_; }
  double max_norm() const { return max_norm_; }  // M = max_mu ||x_mu||

  // xi: [B x d] -> softmax(beta xi X^T): [B x P]
  MatF weights(const MatF& xi) const;
  // xi: [B x d] -> one update of every row: [B x d]
  MatF update(const MatF& xi) const;
  // xi: [B x d] -> B energies
  std::vector<double> energy(const MatF& xi) const;
  // xi0: [B x d]; max_steps >= 1, tol >= 0.
  ModernRetrieval retrieve(const MatF& xi0, int max_steps = 100, double tol = 1e-5) const;
  // R: [S x d_r] through fixed projections against the stored patterns (Y = X) -> [S x d_v].
  MatF associate(const MatF& R, const HopfieldProjections& proj) const;

 private:
  void check_states(const MatF& xi, const char* where) const;
  MatF x_;   // [P x d]
  MatD xd_;  // [P x d], for the energy
  double beta_;
  double max_norm_;
};

// For metrics: per row of xi ([B x d]) the index of the stored pattern with the largest
// overlap x_mu . xi (the first one on ties). patterns: [P x d], P >= 1.
std::vector<Index> nearest_pattern(const MatF& patterns, const MatF& xi);

// Separation of each stored pattern (patterns: [P x d], P >= 2):
//   Delta_i = x_i . x_i - max_{j != i} x_i . x_j
// (the quantity in the paper's retrieval and storage theorems: a pattern with large
// beta Delta_i is retrieved in one update).
std::vector<double> separation(const MatF& patterns);

}  // namespace engram::hopfield
