#include "memory/hopfield/completion.h"

#include "memory/hopfield/modern.h"

#include <cmath>
#include <limits>
#include <string>

namespace engram::hopfield {

namespace {

void check_cues(const States& cues, Index N, const char* where) {
  require(cues.cols() >= 1 && cues.cols() < N, where,
          "cues must have 1 .. N - 1 = " + std::to_string(N - 1) + " columns (the key), got " + std::to_string(cues.cols()));
  require_binary(cues, where);
}

float sgn(double x) { return x >= 0 ? 1.0f : -1.0f; }

double phi(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

}  // namespace

States complete_classical(const MatF& W, const States& cues, int steps) {
  const char* where = "complete_classical";
  require(W.rows() == W.cols() && W.rows() >= 2, where,
          "W must be square [N x N] with N >= 2, got [" + std::to_string(W.rows()) + " x " + std::to_string(W.cols()) + "]");
  require(steps >= 1, where, "steps must be >= 1, got " + std::to_string(steps));
  const Index N = W.rows(), K = cues.cols(), V = N - K;
  check_cues(cues, N, where);
  MatF s = MatF::Zero(cues.rows(), N);
  s.leftCols(K) = cues;
  for (int t = 0; t < steps; ++t) {
    const MatF h = s * W.rightCols(V);  // [B x V]
    MatF next = h.unaryExpr([](float x) { return x >= 0 ? 1.0f : -1.0f; });
    const bool same = t > 0 && next == s.rightCols(V);
    s.rightCols(V) = next;
    if (same) break;
  }
  return s.rightCols(V);
}

States complete_dense(const States& patterns, const Interaction& f, const States& cues, int steps) {
  const char* where = "complete_dense";
  require(patterns.rows() >= 1 && patterns.cols() >= 2, where, "patterns must be [P x N] with P >= 1, N >= 2");
  require(steps >= 1, where, "steps must be >= 1, got " + std::to_string(steps));
  require_binary(patterns, where);
  const Index P = patterns.rows(), N = patterns.cols(), K = cues.cols(), V = N - K;
  check_cues(cues, N, where);
  const bool is_exp = f.kind() == Interaction::Kind::exp;
  MatD X = patterns.cast<double>();
  States out(cues.rows(), V);
  for (Index b = 0; b < cues.rows(); ++b) {
    Eigen::RowVectorXd s = Eigen::RowVectorXd::Zero(N);
    s.head(K) = cues.row(b).cast<double>();
    for (int t = 0; t < steps; ++t) {
      const Eigen::VectorXd m = X * s.transpose();  // [P]
      Eigen::RowVectorXd next(V);
      for (Index i = 0; i < V; ++i) {
        const Index u = K + i;
        double g = 0;
        if (is_exp) {
          // sum_mu x_mu,i e^{a_mu} (e - 1/e): scaled by e^{-max a}, a common positive factor
          double top = -std::numeric_limits<double>::infinity();
          for (Index mu = 0; mu < P; ++mu) top = std::max(top, m(mu) - X(mu, u) * s(u));
          for (Index mu = 0; mu < P; ++mu) g += X(mu, u) * std::exp(m(mu) - X(mu, u) * s(u) - top);
        } else {
          for (Index mu = 0; mu < P; ++mu) {
            const double a = m(mu) - X(mu, u) * s(u);
            g += X(mu, u) * (f(a + 1) - f(a - 1));
          }
        }
        next(i) = sgn(g);
      }
      const bool same = t > 0 && next == s.tail(V);
      s.tail(V) = next;
      if (same) break;
    }
    out.row(b) = s.tail(V).cast<float>();
  }
  return out;
}

States complete_modern(const States& patterns, double beta, const States& cues, int steps) {
  const char* where = "complete_modern";
  require(steps >= 1, where, "steps must be >= 1, got " + std::to_string(steps));
  const ModernHopfield memory(patterns, beta);  // checks patterns and beta
  const Index N = patterns.cols(), K = cues.cols(), V = N - K;
  check_cues(cues, N, where);
  MatF s = MatF::Zero(cues.rows(), N);
  s.leftCols(K) = cues;
  for (int t = 0; t < steps; ++t) {
    const MatF next = memory.update(s).rightCols(V);
    const bool same = t > 0 && (next - s.rightCols(V)).cwiseAbs().maxCoeff() < 1e-6f;
    s.rightCols(V) = next;
    if (same) break;
  }
  return sign(s.rightCols(V));
}

double hebbian_cue_bit_error(double K, double P) {
  require(K >= 1 && P >= 1, "hebbian_cue_bit_error", "needs K >= 1 and P >= 1");
  return P <= 1 ? 0.0 : phi(-std::sqrt(K / (P - 1)));
}

double dense_cue_bit_error(int n, double K, double P) {
  require(n >= 2 && K >= 1 && P >= 1, "dense_cue_bit_error", "needs n >= 2, K >= 1 and P >= 1");
  if (P <= 1) return 0.0;
  double dfact = 1;  // (2n - 3)!!
  for (int k = 2 * n - 3; k > 1; k -= 2) dfact *= k;
  return phi(-std::sqrt(std::pow(K, n - 1) / ((P - 1) * dfact)));
}

double modern_cue_bit_error(double beta, double K, double P) {
  require(beta > 0 && K >= 1 && P >= 1, "modern_cue_bit_error", "needs beta > 0, K >= 1 and P >= 1");
  if (P <= 1) return 0.0;
  const double log_r = std::log((1 + std::exp(-4 * beta)) / 2);
  return phi(-1.0 / std::sqrt((P - 1) * std::exp(K * log_r)));
}

double recall_probability(double bit_error, double V) { return std::pow(1 - bit_error, V); }

}  // namespace engram::hopfield
