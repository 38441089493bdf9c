#include "memory/hopfield/modern.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

namespace engram::hopfield {

namespace {

// In place: each row of s becomes softmax(beta * s_row), the row max subtracted first.
void softmax_rows(MatF& s, float beta) {
  for (Index r = 0; r < s.rows(); ++r) {
    auto row = s.row(r);
    const float mx = row.maxCoeff();
    row = ((row.array() - mx) * beta).exp().matrix();
    row /= row.sum();
  }
}

bool all_finite(const MatF& m) { return m.allFinite(); }

}  // namespace

MatF hopfield_association(const MatF& R, const MatF& Y, double beta, const HopfieldProjections* proj,
                          MatF* weights) {
  const char* where = "hopfield_association";
  require(beta > 0 && std::isfinite(beta), where, "beta must be > 0, got " + num_str(beta));
  require(R.rows() >= 1 && Y.rows() >= 1, where,
          "needs at least one state and one stored pattern, got R " + shape_str(R) + ", Y " + shape_str(Y));
  MatF A;
  MatF Z;
  if (proj) {
    const MatF& wq = proj->w_q;
    const MatF& wk = proj->w_k;
    const MatF& wv = proj->w_v;
    require(wq.rows() == R.cols() && wk.rows() == Y.cols() && wv.rows() == Y.cols() && wq.cols() == wk.cols() &&
                wq.cols() >= 1 && wv.cols() >= 1,
            where,
            "R " + shape_str(R) + ", Y " + shape_str(Y) + ", W_q " + shape_str(wq) + ", W_k " + shape_str(wk) +
                ", W_v " + shape_str(wv) + " do not fit [S x d_r], [P x d_y], [d_r x d_k], [d_y x d_k], [d_y x d_v]");
    const MatF q = R * wq;                // [S x d_r][d_r x d_k] -> [S x d_k]
    const MatF k = Y * wk;                // [P x d_y][d_y x d_k] -> [P x d_k]
    A = q * k.transpose();                // [S x P]
    softmax_rows(A, float(beta));
    Z = A * (Y * wv);                     // [S x P]([P x d_y][d_y x d_v]) -> [S x d_v]
  } else {
    require(R.cols() == Y.cols(), where,
            "R " + shape_str(R) + " and Y " + shape_str(Y) + " must have the same width without projections");
    A = R * Y.transpose();                // [S x d][d x P] -> [S x P]
    softmax_rows(A, float(beta));
    Z = A * Y;                            // [S x P][P x d] -> [S x d]
  }
  if (weights) *weights = std::move(A);
  return Z;
}

ModernHopfield::ModernHopfield(MatF patterns, double beta) : x_(std::move(patterns)), beta_(beta) {
  const char* where = "ModernHopfield";
  require(x_.rows() >= 1 && x_.cols() >= 1, where, "patterns " + shape_str(x_) + " must be [P x d], P, d >= 1");
  require(all_finite(x_), where, "patterns " + shape_str(x_) + " contain a non-finite value");
  require(beta > 0 && std::isfinite(beta), where, "beta must be > 0, got " + num_str(beta));
  xd_ = x_.cast<double>();
  max_norm_ = xd_.rowwise().norm().maxCoeff();
}

void ModernHopfield::check_states(const MatF& xi, const char* where) const {
  require(xi.cols() == dim(), where, "states " + shape_str(xi) + " must be [B x " + std::to_string(dim()) + "]");
}

MatF ModernHopfield::weights(const MatF& xi) const {
  check_states(xi, "ModernHopfield::weights");
  MatF A = xi * x_.transpose();  // [B x d][d x P] -> [B x P]
  softmax_rows(A, float(beta_));
  return A;
}

MatF ModernHopfield::update(const MatF& xi) const {
  check_states(xi, "ModernHopfield::update");
  return weights(xi) * x_;  // [B x P][P x d] -> [B x d]
}

std::vector<double> ModernHopfield::energy(const MatF& xi) const {
  check_states(xi, "ModernHopfield::energy");
  const double constant = std::log(double(num_patterns())) / beta_ + 0.5 * max_norm_ * max_norm_;
  std::vector<double> e(static_cast<size_t>(xi.rows()));
  for (Index b = 0; b < xi.rows(); ++b) {
    const Eigen::RowVectorXd s = xi.row(b).cast<double>();     // [1 x d]
    const Eigen::RowVectorXd z = beta_ * (s * xd_.transpose());  // beta X xi: [1 x P]
    const double c = z.maxCoeff();
    const double lse = (c + std::log((z.array() - c).exp().sum())) / beta_;
    e[b] = -lse + 0.5 * s.squaredNorm() + constant;
  }
  return e;
}

ModernRetrieval ModernHopfield::retrieve(const MatF& xi0, int max_steps, double tol) const {
  const char* where = "ModernHopfield::retrieve";
  check_states(xi0, where);
  require(max_steps >= 1, where, "max_steps must be >= 1, got " + std::to_string(max_steps));
  require(tol >= 0, where, "tol must be >= 0, got " + num_str(tol));
  ModernRetrieval r;
  r.states = xi0;
  for (Index b = 0; b < xi0.rows(); ++b) {
    MatF xi = xi0.row(b);  // [1 x d]
    std::vector<double> trace = energy(xi);
    int steps = 0;
    bool converged = false;
    while (steps < max_steps) {
      MatF next = update(xi);  // [1 x d]
      ++steps;
      trace.push_back(energy(next)[0]);
      const double moved = double((next - xi).norm());
      xi = std::move(next);
      if (moved < tol) {
        converged = true;
        break;
      }
    }
    r.states.row(b) = xi;
    r.steps.push_back(steps);
    r.converged.push_back(converged);
    r.energy.push_back(std::move(trace));
  }
  return r;
}

MatF ModernHopfield::associate(const MatF& R, const HopfieldProjections& proj) const {
  return hopfield_association(R, x_, beta_, &proj);
}

std::vector<Index> nearest_pattern(const MatF& patterns, const MatF& xi) {
  require(patterns.rows() >= 1 && xi.cols() == patterns.cols(), "nearest_pattern",
          "patterns " + shape_str(patterns) + " and states " + shape_str(xi) + " must be [P >= 1 x d] and [B x d]");
  const MatF o = xi * patterns.transpose();  // [B x d][d x P] -> [B x P]
  std::vector<Index> best(static_cast<size_t>(xi.rows()), 0);
  for (Index b = 0; b < o.rows(); ++b)
    for (Index mu = 1; mu < o.cols(); ++mu)
      if (o(b, mu) > o(b, best[b])) best[b] = mu;
  return best;
}

std::vector<double> separation(const MatF& patterns) {
  require(patterns.rows() >= 2, "separation", "needs at least two patterns, got " + shape_str(patterns));
  const MatD x = patterns.cast<double>();
  const MatD g = x * x.transpose();  // [P x P] overlaps
  std::vector<double> delta(static_cast<size_t>(g.rows()));
  for (Index i = 0; i < g.rows(); ++i) {
    double mx = -std::numeric_limits<double>::infinity();
    for (Index j = 0; j < g.cols(); ++j)
      if (j != i) mx = std::max(mx, g(i, j));
    delta[i] = g(i, i) - mx;
  }
  return delta;
}

}  // namespace engram::hopfield
