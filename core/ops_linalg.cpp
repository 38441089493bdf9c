// matmul, matmul_nt, outer, transpose, cosine_similarity, circular_conv
#include "core/ops_detail.h"
#include "core/outer_grad.h"
#include "core/thin_gemm.h"

#include <type_traits>

namespace engram {

template <class T>
Var<T> matmul(const Var<T>& a, const Var<T>& b) {
  require_lazy(a.cols() == b.rows(), "matmul", [&] {
    return a.shape() + " x " + b.shape() + ": inner dimensions differ";
  });
  // a: [n x k]  b: [k x m]  -> [n x m]; a thin float result (m 16 or 32) streams a instead of
  // packing it (core/thin_gemm.h), and so does the gradient a^T g
  constexpr bool is_float = std::is_same_v<T, float>;
  Mat<T> out;
  if (is_float && detail::thin_gemm_applies(a.rows(), a.cols(), b.cols())) {
    out.setZero(a.rows(), b.cols());
    if constexpr (is_float) detail::thin_gemm_nn(a.value(), b.value(), out);
  } else {
    out.noalias() = a.value() * b.value();
  }
  return Var<T>::make(std::move(out), {a, b},
      [](const Node<T>& self, const Mat<T>& g, GradSpan<T> gin) {
        const Mat<T>& A = self.inputs[0]->value;
        const Mat<T>& B = self.inputs[1]->value;
        if (gin[0]) gin[0]->noalias() += g * B.transpose();   // [n x m][m x k]
        if (!gin[1]) return;
        if (A.rows() == 1) {
          add_outer(*gin[1], A.data(), g.data());  // (core/outer_grad.h)
        } else if (is_float && detail::thin_gemm_applies(A.rows(), A.cols(), g.cols())) {
          if constexpr (is_float) detail::thin_gemm_tn(A, g, *gin[1]);
        } else {
          gin[1]->noalias() += A.transpose() * g;  // [k x n][n x m]
        }
      }, "matmul");
}

template <class T>
Var<T> matmul_nt(const Var<T>& a, const Var<T>& b) {
  require_lazy(a.cols() == b.cols(), "matmul_nt", [&] {
    return a.shape() + " x " + b.shape() + "^T: column counts differ";
  });
  // a: [n x k]  b: [m x k]  -> [n x m]
  return Var<T>::make(a.value() * b.value().transpose(), {a, b},
      [](const Node<T>& self, const Mat<T>& g, GradSpan<T> gin) {
        const Mat<T>& A = self.inputs[0]->value;
        const Mat<T>& B = self.inputs[1]->value;
        if (gin[0]) gin[0]->noalias() += g * B;               // [n x m][m x k]
        if (!gin[1]) return;
        if (g.rows() == 1) add_outer(*gin[1], g.data(), A.data());  // (core/outer_grad.h)
        else gin[1]->noalias() += g.transpose() * A;                              // [m x n][n x k]
      }, "matmul_nt");
}

template <class T>
Var<T> outer(const Var<T>& u, const Var<T>& v) {
  require_lazy(u.rows() == 1 || u.cols() == 1, "outer", [&] { return "u must be a vector, got " + u.shape(); });
  require_lazy(v.rows() == 1 || v.cols() == 1, "outer", [&] { return "v must be a vector, got " + v.shape(); });
  const Index n = u.size(), m = v.size();
  Mat<T> out = Eigen::Map<const Eigen::Matrix<T, Eigen::Dynamic, 1>>(u.value().data(), n) *
               Eigen::Map<const Eigen::Matrix<T, 1, Eigen::Dynamic>>(v.value().data(), m);
  return Var<T>::make(std::move(out), {u, v},
      [n, m](const Node<T>& self, const Mat<T>& g, GradSpan<T> gin) {
        using Col = Eigen::Matrix<T, Eigen::Dynamic, 1>;
        using Row = Eigen::Matrix<T, 1, Eigen::Dynamic>;
        Eigen::Map<const Col> U(self.inputs[0]->value.data(), n);
        Eigen::Map<const Row> V(self.inputs[1]->value.data(), m);
        if (gin[0]) Eigen::Map<Col>(gin[0]->data(), n).noalias() += g * V.transpose();
        if (gin[1]) Eigen::Map<Row>(gin[1]->data(), m).noalias() += U.transpose() * g;
      }, "outer");
}

template <class T>
Var<T> transpose(const Var<T>& x) {
  return Var<T>::make(x.value().transpose(), {x},
      [](const Node<T>&, const Mat<T>& g, GradSpan<T> gin) {
        if (gin[0]) *gin[0] += g.transpose();
      }, "transpose");
}

template <class T>
Var<T> cosine_similarity(const Var<T>& a, const Var<T>& b, T eps) {
  require_lazy(a.cols() == b.cols() && (b.rows() == a.rows() || b.rows() == 1), "cosine_similarity", [&] {
    return "a " + a.shape() + " and b " + b.shape() + ": b needs a's shape or [1 x " +
        std::to_string(a.cols()) + "]";
  });
  const Mat<T>& A = a.value();
  const Mat<T>& B = b.value();
  const Index r = A.rows();
  const bool bcast = B.rows() == 1 && r != 1;
  Mat<T> out(r, 1);
  for (Index i = 0; i < r; ++i) {
    const Index bi = bcast ? 0 : i;
    const T na = std::max(A.row(i).norm(), eps), nb = std::max(B.row(bi).norm(), eps);
    out(i, 0) = A.row(i).dot(B.row(bi)) / (na * nb);
  }
  // a_i: [1 x c], cos_i = a.b / (na nb); d cos / d a = b/(na nb) - cos a/na^2 (if |a| > eps)
  return Var<T>::make(std::move(out), {a, b},
      [eps, bcast](const Node<T>& self, const Mat<T>& g, GradSpan<T> gin) {
        const Mat<T>& A = self.inputs[0]->value;
        const Mat<T>& B = self.inputs[1]->value;
        for (Index i = 0; i < A.rows(); ++i) {
          const Index bi = bcast ? 0 : i;
          const T ra = A.row(i).norm(), rb = B.row(bi).norm();
          const T na = std::max(ra, eps), nb = std::max(rb, eps);
          const T c = self.value(i, 0), gi = g(i, 0);
          if (gin[0]) {
            gin[0]->row(i) += gi * B.row(bi) / (na * nb);
            if (ra > eps) gin[0]->row(i) -= gi * c * A.row(i) / (na * na);
          }
          if (gin[1]) {
            gin[1]->row(bi) += gi * A.row(i) / (na * nb);
            if (rb > eps) gin[1]->row(bi) -= gi * c * B.row(bi) / (nb * nb);
          }
        }
      }, "cosine_similarity");
}

template <class T>
Var<T> circular_conv(const Var<T>& w, const Var<T>& s) {
  require_lazy(w.rows() == s.rows() && w.rows() >= 1, "circular_conv", [&] {
    return "w " + w.shape() + " and s " + s.shape() + " must have the same rows (one kernel per row)";
  });
  const Index n = w.cols(), k = s.cols();
  require_lazy(k % 2 == 1 && k <= n, "circular_conv", [&] {
    return "shift kernel " + s.shape() + " must have an odd length <= N = " + std::to_string(n);
  });
  const Index h = (k - 1) / 2;
  // Offset j reads w at (i + d_j) mod N, d_j = (h - j) mod N: two contiguous segments per offset
  // (out[0, N-d) from w[d, N), out[N-d, N) from w[0, d)), no modulo per element. Row by row.
  const auto shift_of = [n, h](Index j) { return ((h - j) % n + n) % n; };
  Mat<T> out = Mat<T>::Zero(w.rows(), n);
  for (Index r = 0; r < w.rows(); ++r) {
    const auto W = w.value().row(r);
    for (Index j = 0; j < k; ++j) {
      const Index d = shift_of(j);
      const T sj = s.value()(r, j);
      out.row(r).head(n - d) += sj * W.tail(n - d);
      out.row(r).tail(d) += sj * W.head(d);
    }
  }
  return Var<T>::make(std::move(out), {w, s},
      [n, k, shift_of](const Node<T>& self, const Mat<T>& g, GradSpan<T> gin) {
        const Mat<T>& S = self.inputs[1]->value;
        for (Index r = 0; r < g.rows(); ++r) {
          const auto W = self.inputs[0]->value.row(r);
          const auto G = g.row(r);
          for (Index j = 0; j < k; ++j) {
            const Index d = shift_of(j);
            if (gin[0]) {  // dw[(i + d) mod N] += g_i s_j
              gin[0]->row(r).tail(n - d) += S(r, j) * G.head(n - d);
              gin[0]->row(r).head(d) += S(r, j) * G.tail(d);
            }
            if (gin[1]) (*gin[1])(r, j) += G.head(n - d).dot(W.tail(n - d)) + G.tail(d).dot(W.head(d));
          }
        }
      }, "circular_conv");
}

#define INST(T)                                                           \
  template Var<T> matmul(const Var<T>&, const Var<T>&);                   \
  template Var<T> matmul_nt(const Var<T>&, const Var<T>&);                \
  template Var<T> outer(const Var<T>&, const Var<T>&);                    \
  template Var<T> transpose(const Var<T>&);                               \
  template Var<T> cosine_similarity(const Var<T>&, const Var<T>&, T);     \
  template Var<T> circular_conv(const Var<T>&, const Var<T>&);
ENGRAM_INSTANTIATE_FLOAT_DOUBLE(INST)
#undef INST

}  // namespace engram
