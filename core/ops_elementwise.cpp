// add, sub, mul, div (broadcasting), scalar ops, and the unary elementwise functions
#include "core/ops_detail.h"

#include <cmath>

namespace engram {

using detail::add_reduced;
using detail::broadcast_dim;
using detail::expanded;

namespace {

// Shared skeleton of the four broadcasting binary ops. `fwd(A, B)` works on equal-shape
// arrays; `bwd(g, A, B, ga, gb)` returns each operand's full-shape gradient (before
// reduction to the operand's shape) into ga / gb when they are non-null.
template <class T, class Fwd, class Bwd>
Var<T> binary(const Var<T>& a, const Var<T>& b, const char* op, Fwd fwd, Bwd bwd) {
  const auto shapes = [&] { return a.shape() + " and " + b.shape(); };
  const Index r = broadcast_dim(a.rows(), b.rows(), op, shapes);
  const Index c = broadcast_dim(a.cols(), b.cols(), op, shapes);
  const bool same = a.rows() == r && a.cols() == c && b.rows() == r && b.cols() == c;
  Mat<T> out;
  if (same) {
    out = fwd(a.value().array(), b.value().array());
  } else {
    Mat<T> sa, sb;  // only the broadcast operand is expanded
    out = fwd(expanded(a.value(), r, c, sa).array(), expanded(b.value(), r, c, sb).array());
  }
  return Var<T>::make(std::move(out), {a, b},
      [r, c, same, bwd](const Node<T>& self, const Mat<T>& g, GradSpan<T> gin) {
        const Mat<T>& A0 = self.inputs[0]->value;
        const Mat<T>& B0 = self.inputs[1]->value;
        if (same) {
          Mat<T> ga, gb;
          bwd(g.array(), A0.array(), B0.array(), self.value.array(), gin[0] ? &ga : nullptr,
              gin[1] ? &gb : nullptr);
          if (gin[0]) *gin[0] += ga;
          if (gin[1]) *gin[1] += gb;
        } else {
          Mat<T> sa, sb;
          const Mat<T>& A = expanded(A0, r, c, sa);
          const Mat<T>& B = expanded(B0, r, c, sb);
          Mat<T> ga, gb;
          bwd(g.array(), A.array(), B.array(), self.value.array(), gin[0] ? &ga : nullptr,
              gin[1] ? &gb : nullptr);
          if (gin[0]) add_reduced(*gin[0], ga);
          if (gin[1]) add_reduced(*gin[1], gb);
        }
      }, op);
}

// Shared skeleton of the unary ops: `fwd(X)` on the array; `dfdx(X, Y)` the local derivative.
template <class T, class Fwd, class Dfdx>
Var<T> unary(const Var<T>& x, const char* op, Fwd fwd, Dfdx dfdx) {
  return Var<T>::make(Mat<T>(fwd(x.value().array())), {x},
      [dfdx](const Node<T>& self, const Mat<T>& g, GradSpan<T> gin) {
        if (gin[0]) gin[0]->array() += g.array() * dfdx(self.inputs[0]->value.array(), self.value.array());
      }, op);
}

}  // namespace

template <class T>
Var<T> add(const Var<T>& a, const Var<T>& b) {
  return binary<T>(a, b, "add", [](const auto& A, const auto& B) { return A + B; },
      [](const auto& g, const auto&, const auto&, const auto&, Mat<T>* ga, Mat<T>* gb) {
        if (ga) *ga = g.matrix();
        if (gb) *gb = g.matrix();
      });
}

template <class T>
Var<T> sub(const Var<T>& a, const Var<T>& b) {
  return binary<T>(a, b, "sub", [](const auto& A, const auto& B) { return A - B; },
      [](const auto& g, const auto&, const auto&, const auto&, Mat<T>* ga, Mat<T>* gb) {
        if (ga) *ga = g.matrix();
        if (gb) *gb = -g.matrix();
      });
}

template <class T>
Var<T> mul(const Var<T>& a, const Var<T>& b) {
  return binary<T>(a, b, "mul", [](const auto& A, const auto& B) { return A * B; },
      [](const auto& g, const auto& A, const auto& B, const auto&, Mat<T>* ga, Mat<T>* gb) {
        if (ga) *ga = (g * B).matrix();
        if (gb) *gb = (g * A).matrix();
      });
}

template <class T>
Var<T> div(const Var<T>& a, const Var<T>& b) {
  return binary<T>(a, b, "div", [](const auto& A, const auto& B) { return A / B; },
      [](const auto& g, const auto&, const auto& B, const auto& Y, Mat<T>* ga, Mat<T>* gb) {
        // y = a / b: dy/da = 1/b, dy/db = -y/b
        if (ga) *ga = (g / B).matrix();
        if (gb) *gb = (-g * Y / B).matrix();
      });
}

template <class T>
Var<T> add_scalar(const Var<T>& x, T s) {
  return unary<T>(x, "add_scalar", [s](const auto& X) { return X + s; },
                  [](const auto& X, const auto&) { return X * T(0) + T(1); });
}

template <class T>
Var<T> scale(const Var<T>& x, T s) {
  return unary<T>(x, "scale", [s](const auto& X) { return X * s; },
                  [s](const auto& X, const auto&) { return X * T(0) + s; });
}

template <class T>
Var<T> rsub_scalar(const Var<T>& x, T s) {
  return unary<T>(x, "rsub_scalar", [s](const auto& X) { return s - X; },
                  [](const auto& X, const auto&) { return X * T(0) - T(1); });
}

template <class T>
Var<T> neg(const Var<T>& x) {
  return unary<T>(x, "neg", [](const auto& X) { return -X; },
                  [](const auto& X, const auto&) { return X * T(0) - T(1); });
}

template <class T>
Var<T> exp(const Var<T>& x) {
  return unary<T>(x, "exp", [](const auto& X) { return X.exp(); },
                  [](const auto&, const auto& Y) { return Y; });
}

template <class T>
Var<T> log(const Var<T>& x) {
  return unary<T>(x, "log", [](const auto& X) { return X.log(); },
                  [](const auto& X, const auto&) { return X.inverse(); });
}

template <class T>
Var<T> sqrt(const Var<T>& x) {
  return unary<T>(x, "sqrt", [](const auto& X) { return X.sqrt(); },
                  [](const auto&, const auto& Y) { return T(0.5) / Y; });
}

template <class T>
Var<T> pow(const Var<T>& x, T p) {
  return unary<T>(x, "pow", [p](const auto& X) { return X.pow(p); },
                  [p](const auto& X, const auto&) { return p * X.pow(p - T(1)); });
}

template <class T>
Var<T> abs(const Var<T>& x) {
  return unary<T>(x, "abs", [](const auto& X) { return X.abs(); },
                  [](const auto& X, const auto&) { return X.sign(); });
}

template <class T>
Var<T> tanh(const Var<T>& x) {
  return unary<T>(x, "tanh", [](const auto& X) { return X.tanh(); },
                  [](const auto&, const auto& Y) { return T(1) - Y.square(); });
}

template <class T>
Var<T> sigmoid(const Var<T>& x) {
  // 1/(1+e^-x) computed as 0.5 (1 + tanh(x/2)): no overflow for large |x|
  return unary<T>(x, "sigmoid", [](const auto& X) { return T(0.5) * ((X * T(0.5)).tanh() + T(1)); },
                  [](const auto&, const auto& Y) { return Y * (T(1) - Y); });
}

template <class T>
Var<T> relu(const Var<T>& x) {
  return unary<T>(x, "relu", [](const auto& X) { return X.max(T(0)); },
                  [](const auto& X, const auto&) { return (X > T(0)).template cast<T>(); });
}

namespace {
// log(1 + e^x) = max(x, 0) + log1p(e^-|x|)
template <class A>
auto softplus_expr(const A& X) {
  using T = typename A::Scalar;
  return X.max(T(0)) + (-X.abs()).exp().log1p();
}
template <class A>
auto sigmoid_expr(const A& X) {
  using T = typename A::Scalar;
  return T(0.5) * ((X * T(0.5)).tanh() + T(1));
}
}  // namespace

template <class T>
Var<T> softplus(const Var<T>& x) {
  return unary<T>(x, "softplus", [](const auto& X) { return softplus_expr(X); },
                  [](const auto& X, const auto&) { return sigmoid_expr(X); });
}

template <class T>
Var<T> oneplus(const Var<T>& x) {
  return unary<T>(x, "oneplus", [](const auto& X) { return softplus_expr(X) + T(1); },
                  [](const auto& X, const auto&) { return sigmoid_expr(X); });
}

#define INST(T)                                             \
  template Var<T> add(const Var<T>&, const Var<T>&);        \
  template Var<T> sub(const Var<T>&, const Var<T>&);        \
  template Var<T> mul(const Var<T>&, const Var<T>&);        \
  template Var<T> div(const Var<T>&, const Var<T>&);        \
  template Var<T> add_scalar(const Var<T>&, T);             \
  template Var<T> scale(const Var<T>&, T);                  \
  template Var<T> rsub_scalar(const Var<T>&, T);            \
  template Var<T> neg(const Var<T>&);                       \
  template Var<T> exp(const Var<T>&);                       \
  template Var<T> log(const Var<T>&);                       \
  template Var<T> sqrt(const Var<T>&);                      \
  template Var<T> pow(const Var<T>&, T);                    \
  template Var<T> abs(const Var<T>&);                       \
  template Var<T> tanh(const Var<T>&);                      \
  template Var<T> sigmoid(const Var<T>&);                   \
  template Var<T> relu(const Var<T>&);                      \
  template Var<T> softplus(const Var<T>&);                  \
  template Var<T> oneplus(const Var<T>&);
ENGRAM_INSTANTIATE_FLOAT_DOUBLE(INST)
#undef INST

}  // namespace engram
