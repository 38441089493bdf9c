// sum, mean, max (with arg-max routing), softmax, log_softmax, logsumexp
#include "core/ops_detail.h"
#include "core/thin_gemm.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <type_traits>

namespace engram {

namespace {
void check_axis(int axis, const char* op) {
  require_lazy(axis == 0 || axis == 1, op, [&] {
    return "axis must be 0 (over rows) or 1 (over cols), got " +
        std::to_string(axis);
  });
}

// softmax(beta x) of one row into z (x and z may be the same row: every step is coefficient-wise
// or a reduction done before the write). One row at a time (contiguous: row-major), each pass
// vectorized: the whole-matrix form with broadcasts and a select ran about 7x slower at 1024 x
// 1024 (bench_attention's softmax share). Five passes over a row, two of them writing: the
// largest and the smallest of beta x (read only), exp(beta x - max) written once, its sum, the
// scaling by its reciprocal (one division per row: a division per element was a quarter of the
// softmax's time).
template <class X, class Z, class T>
void softmax_row(const X& x, Z z, T beta) {
  constexpr T neg_inf = -std::numeric_limits<T>::infinity();
  const auto bx = beta * x.array();
  const T hi = bx.maxCoeff();
  // Eigen's vectorized exp clamps its argument, so exp(-inf) would be ~1e-308, not 0: masked
  // (-inf) entries are zeroed explicitly to give them exactly zero weight.
  if (bx.minCoeff() == neg_inf) z.array() = (bx == neg_inf).select(T(0), (bx - hi).exp());
  else z.array() = (bx - hi).exp();
  z.array() *= T(1) / z.sum();
}

// Row-wise softmax of beta * X, stable.
template <class T>
Mat<T> softmax_rows(const Mat<T>& X, T beta) {
  Mat<T> Z(X.rows(), X.cols());
  if (X.cols() > 0)
    for (Index r = 0; r < X.rows(); ++r) softmax_row(X.row(r), Z.row(r), beta);
  return Z;
}

// Query rows per block of dot_softmax: a block of scores of about 128 KB, well inside L2.
Index dot_softmax_block(Index n, size_t bytes) {
  return std::max<Index>(1, static_cast<Index>((size_t{128} << 10) / (bytes * static_cast<size_t>(std::max<Index>(n, 1)))));
}
}  // namespace

template <class T>
Var<T> sum(const Var<T>& x) {
  Mat<T> out(1, 1);
  out(0, 0) = x.value().sum();
  return Var<T>::make(std::move(out), {x},
      [](const Node<T>&, const Mat<T>& g, GradSpan<T> gin) {
        if (gin[0]) gin[0]->array() += g(0, 0);
      }, "sum");
}

template <class T>
Var<T> sum(const Var<T>& x, int axis) {
  check_axis(axis, "sum");
  Mat<T> out = axis == 0 ? Mat<T>(x.value().colwise().sum()) : Mat<T>(x.value().rowwise().sum());
  return Var<T>::make(std::move(out), {x},
      [axis](const Node<T>&, const Mat<T>& g, GradSpan<T> gin) {
        if (!gin[0]) return;
        if (axis == 0) gin[0]->rowwise() += g.row(0);   // g: [1 x c]
        else gin[0]->colwise() += g.col(0);             // g: [r x 1]
      }, "sum_axis");
}

template <class T>
Var<T> mean(const Var<T>& x) {
  require_lazy(x.size() > 0, "mean", [&] { return "empty input " + x.shape(); });
  return scale(sum(x), T(1) / T(x.size()));
}

template <class T>
Var<T> mean(const Var<T>& x, int axis) {
  check_axis(axis, "mean");
  const Index n = axis == 0 ? x.rows() : x.cols();
  require_lazy(n > 0, "mean", [&] { return "empty input " + x.shape(); });
  return scale(sum(x, axis), T(1) / T(n));
}

template <class T>
Var<T> max(const Var<T>& x, int axis) {
  check_axis(axis, "max");
  // as numpy: no maximum over an empty axis; an empty result along the other one is fine
  require_lazy((axis == 0 ? x.rows() : x.cols()) > 0, "max", [&] {
    return "no maximum over an empty axis " + std::to_string(axis) + " of " + x.shape();
  });
  const Mat<T>& X = x.value();
  const Index n = axis == 0 ? X.cols() : X.rows();
  std::vector<Index> arg(static_cast<size_t>(n));
  Mat<T> out = axis == 0 ? Mat<T>(1, n) : Mat<T>(n, 1);
  for (Index i = 0; i < n; ++i) {
    Index a;
    if (axis == 0) out(0, i) = X.col(i).maxCoeff(&a);
    else out(i, 0) = X.row(i).maxCoeff(&a);
    arg[static_cast<size_t>(i)] = a;
  }
  return Var<T>::make(std::move(out), {x},
      [axis, arg = std::move(arg)](const Node<T>&, const Mat<T>& g, GradSpan<T> gin) {
        if (!gin[0]) return;
        for (size_t i = 0; i < arg.size(); ++i) {
          const Index ii = static_cast<Index>(i);
          if (axis == 0) (*gin[0])(arg[i], ii) += g(0, ii);
          else (*gin[0])(ii, arg[i]) += g(ii, 0);
        }
      }, "max");
}

template <class T>
Var<T> softmax(const Var<T>& x, T beta) {
  // y = softmax(beta x) per row; dx = beta * y * (g - rowsum(g * y))
  return Var<T>::make(softmax_rows(x.value(), beta), {x},
      [beta](const Node<T>& self, const Mat<T>& g, GradSpan<T> gin) {
        if (!gin[0]) return;
        const Mat<T>& Y = self.value;
        const auto dot = (g.array() * Y.array()).rowwise().sum().eval();   // [r x 1]
        gin[0]->array() += beta * Y.array() * (g.array().colwise() - dot);
      }, "softmax");
}

template <class T>
Var<T> log_softmax(const Var<T>& x, T beta) {
  Mat<T> Z = beta * x.value();
  if (Z.cols() == 0) return Var<T>::make(std::move(Z), {x}, [](const Node<T>&, const Mat<T>&, GradSpan<T>) {}, "log_softmax");
  const auto m = Z.rowwise().maxCoeff().eval();
  Z.colwise() -= m;
  const auto lse = Z.array().exp().rowwise().sum().log().eval();
  Z.array().colwise() -= lse;
  // y = log softmax(beta x); dx = beta * (g - softmax * rowsum(g))
  return Var<T>::make(std::move(Z), {x},
      [beta](const Node<T>& self, const Mat<T>& g, GradSpan<T> gin) {
        if (!gin[0]) return;
        const auto gs = g.rowwise().sum().eval();
        gin[0]->array() += beta * (g.array() - self.value.array().exp().colwise() * gs.array());
      }, "log_softmax");
}

template <class T>
Var<T> logsumexp(const Var<T>& x, T beta) {
  require_lazy(beta > T(0), "logsumexp", [&] { return "beta must be > 0, got " + std::to_string(beta); });
  const Mat<T>& X = x.value();
  if (X.cols() == 0)  // the log of an empty sum, as numpy's logaddexp.reduce: -inf, no gradient to give
    return Var<T>::make(Mat<T>::Constant(X.rows(), 1, -std::numeric_limits<T>::infinity()), {x},
                        [](const Node<T>&, const Mat<T>&, GradSpan<T>) {}, "logsumexp");
  const auto m = X.rowwise().maxCoeff().eval();
  Mat<T> out = m + ((beta * (X.colwise() - m)).array().exp().rowwise().sum().log() / beta).matrix();
  // d/dx_j (1/beta) log sum exp(beta x) = softmax(beta x)_j
  return Var<T>::make(std::move(out), {x},
      [beta](const Node<T>& self, const Mat<T>& g, GradSpan<T> gin) {
        if (!gin[0]) return;
        gin[0]->array() += softmax_rows(self.inputs[0]->value, beta).array().colwise() * g.col(0).array();
      }, "logsumexp");
}

template <class T>
Var<T> sparsemax(const Var<T>& x) {
  const Mat<T>& X = x.value();
  Mat<T> out = Mat<T>::Zero(X.rows(), X.cols());
  std::vector<T> z(static_cast<size_t>(X.cols()));
  for (Index r = 0; r < X.rows(); ++r) {
    for (Index c = 0; c < X.cols(); ++c) z[static_cast<size_t>(c)] = X(r, c);
    std::sort(z.begin(), z.end(), std::greater<T>());
    require_lazy(X.cols() > 0 && std::isfinite(z[0]), "sparsemax", [&] {
      return "row " + std::to_string(r) + " has no finite entry";
    });
    // support size k: the largest k with 1 + k z_(k) > sum_{j<=k} z_(j)
    T cum = 0, tau_sum = 0;
    Index k = 0;
    for (Index j = 0; j < X.cols(); ++j) {
      const T zj = z[static_cast<size_t>(j)];
      if (!std::isfinite(zj)) break;
      cum += zj;
      if (T(1) + T(j + 1) * zj > cum) {
        k = j + 1;
        tau_sum = cum;
      }
    }
    const T tau = (tau_sum - T(1)) / T(k);
    for (Index c = 0; c < X.cols(); ++c) out(r, c) = std::max(X(r, c) - tau, T(0));
  }
  // on the support S: dx_i = g_i - mean_{j in S} g_j; elsewhere 0
  return Var<T>::make(std::move(out), {x},
      [](const Node<T>& self, const Mat<T>& g, GradSpan<T> gin) {
        if (!gin[0]) return;
        const Mat<T>& P = self.value;
        for (Index r = 0; r < P.rows(); ++r) {
          T sum = 0;
          Index n = 0;
          for (Index c = 0; c < P.cols(); ++c)
            if (P(r, c) > T(0)) sum += g(r, c), ++n;
          const T mean = n ? sum / T(n) : T(0);
          for (Index c = 0; c < P.cols(); ++c)
            if (P(r, c) > T(0)) (*gin[0])(r, c) += g(r, c) - mean;
        }
      }, "sparsemax");
}

template <class T>
Var<T> masked_fill(const Var<T>& x, const std::type_identity_t<Mat<T>>& mask, T value) {
  const bool ok = (mask.rows() == x.rows() || mask.rows() == 1) && (mask.cols() == x.cols() || mask.cols() == 1);
  require_lazy(ok, "masked_fill", [&] { return "mask " + shape_str(mask) + " does not broadcast to " + x.shape(); });
  const Mat<T> m = detail::expand(mask, x.rows(), x.cols());
  Mat<T> out = (m.array() != T(0)).select(Mat<T>::Constant(x.rows(), x.cols(), value), x.value());
  return Var<T>::make(std::move(out), {x},
      [m](const Node<T>&, const Mat<T>& g, GradSpan<T> gin) {
        if (gin[0]) gin[0]->array() += (m.array() != T(0)).select(T(0), g.array());
      }, "masked_fill");
}

template <class T>
Var<T> dot_softmax(const Var<T>& q, const Var<T>& k, T beta, const std::type_identity_t<Mat<T>>* mask) {
  require_lazy(q.cols() == k.cols(), "dot_softmax", [&] {
    return "q " + q.shape() + " and k " + k.shape() + ": column counts differ";
  });
  const Index m = q.rows(), n = k.rows();
  if (mask) {
    const bool ok = (mask->rows() == m || mask->rows() == 1) && (mask->cols() == n || mask->cols() == 1);
    require_lazy(ok, "dot_softmax", [&] { return "mask " + shape_str(*mask) + " does not broadcast to " + shape_str(m, n); });
  }
  constexpr T neg_inf = -std::numeric_limits<T>::infinity();
  const Mat<T>& Q = q.value();
  const Mat<T>& K = k.value();
  Mat<T> W(m, n);
  const Index block = dot_softmax_block(n, sizeof(T));
  if (n > 0)
    for (Index r0 = 0; r0 < m; r0 += block) {
      const Index b = std::min(block, m - r0);
      auto Wb = W.middleRows(r0, b);
      Wb.noalias() = Q.middleRows(r0, b) * K.transpose();  // the block's scores, in cache
      for (Index i = 0; i < b; ++i) {
        if (mask) {
          const auto mr = mask->row(mask->rows() == 1 ? 0 : r0 + i).array();
          if (mask->cols() == 1) {
            if (mr(0) != T(0)) Wb.row(i).setConstant(neg_inf);
          } else {
            Wb.row(i).array() = (mr != T(0)).select(neg_inf, Wb.row(i).array());
          }
        }
        softmax_row(Wb.row(i), Wb.row(i), beta);
      }
    }
  return Var<T>::make(std::move(W), {q, k},
      [beta, block](const Node<T>& self, const Mat<T>& g, GradSpan<T> gin) {
        // dS = beta W o (g - rowsum(g o W)) a block at a time; dq += dS k, dk += dS^T q
        const Mat<T>& W = self.value;
        const Mat<T>& Q = self.inputs[0]->value;
        const Mat<T>& K = self.inputs[1]->value;
        const Index m = W.rows(), n = W.cols();
        if (n == 0 || (!gin[0] && !gin[1])) return;
        Mat<T> dS(std::min(block, m), n);
        for (Index r0 = 0; r0 < m; r0 += block) {
          const Index b = std::min(block, m - r0);
          const auto Wb = W.middleRows(r0, b).array();
          const auto gb = g.middleRows(r0, b).array();
          const auto dot = (gb * Wb).rowwise().sum().eval();  // [b x 1]
          auto dSb = dS.topRows(b);
          dSb.array() = beta * Wb * (gb.colwise() - dot);
          if (std::is_same_v<T, float> && detail::thin_gemm_applies(b, n, K.cols())) {  // (core/thin_gemm.h)
            if constexpr (std::is_same_v<T, float>) {
              if (gin[0]) detail::thin_gemm_nn(dSb, K, gin[0]->middleRows(r0, b));
              if (gin[1]) detail::thin_gemm_tn(dSb, Q.middleRows(r0, b), *gin[1]);
            }
            continue;
          }
          if (gin[0]) gin[0]->middleRows(r0, b).noalias() += dSb * K;           // [b x n][n x d]
          if (gin[1]) gin[1]->noalias() += dSb.transpose() * Q.middleRows(r0, b);  // [n x b][b x d]
        }
      }, "dot_softmax");
}

#define INST(T)                                       \
  template Var<T> dot_softmax(const Var<T>&, const Var<T>&, T, const Mat<T>*); \
  template Var<T> sum(const Var<T>&);                 \
  template Var<T> sum(const Var<T>&, int);            \
  template Var<T> mean(const Var<T>&);                \
  template Var<T> mean(const Var<T>&, int);           \
  template Var<T> max(const Var<T>&, int);            \
  template Var<T> softmax(const Var<T>&, T);          \
  template Var<T> log_softmax(const Var<T>&, T);      \
  template Var<T> logsumexp(const Var<T>&, T);           \
  template Var<T> sparsemax(const Var<T>&);              \
  template Var<T> masked_fill(const Var<T>&, const Mat<T>&, T);
ENGRAM_INSTANTIATE_FLOAT_DOUBLE(INST)
#undef INST

}  // namespace engram
