// The reverse pass itself: shared sub-expressions, accumulation across calls, seeds, no-grad.
#include "core/gradcheck.h"
#include "core/outer_grad.h"

#include <map>

#include <catch2/catch.hpp>

using namespace engram;

TEST_CASE("a variable read twice receives both contributions", "[autodiff]") {
  Var<double> x(MatD::Constant(1, 1, 3.0), true);
  // y = x*x + x  -> dy/dx = 2x + 1 = 7
  backward(add(mul(x, x), x));
  CHECK(x.grad()(0, 0) == Approx(7.0));
}

TEST_CASE("leaf gradients accumulate across backward calls until zeroed", "[autodiff]") {
  Var<double> x(MatD::Constant(1, 2, 1.0), true);
  backward(sum(scale(x, 2.0)));
  backward(sum(scale(x, 3.0)));
  CHECK(x.grad()(0, 1) == Approx(5.0));
  x.zero_grad();
  CHECK(x.grad()(0, 1) == 0.0);
}

TEST_CASE("a diamond graph is walked in topological order", "[autodiff]") {
  Var<double> x(MatD::Constant(1, 1, 0.5), true);
  Var<double> a = tanh(x);
  Var<double> b = mul(a, a);
  Var<double> c = exp(a);
  backward(add(b, c));  // d/dx = (2a + e^a)(1 - a^2)
  const double av = std::tanh(0.5);
  CHECK(x.grad()(0, 0) == Approx((2 * av + std::exp(av)) * (1 - av * av)));
}

TEST_CASE("a non-scalar root takes an explicit seed gradient", "[autodiff]") {
  Var<double> x(MatD::Constant(2, 2, 1.0), true);
  MatD seed(2, 2);
  seed << 1, 2, 3, 4;
  backward(scale(x, 2.0), seed);
  CHECK(x.grad() == 2 * seed);
  CHECK_THROWS_WITH(backward(scale(x, 2.0), MatD::Ones(1, 2)), Catch::Contains("seed gradient"));
}

TEST_CASE("no-grad mode builds no graph", "[autodiff]") {
  Var<double> x(MatD::Constant(1, 1, 1.0), true);
  Var<double> y;
  {
    NoGradGuard guard;
    y = exp(x);
    CHECK_FALSE(grad_enabled());
  }
  CHECK(grad_enabled());
  CHECK_FALSE(y.requires_grad());
  CHECK(y.node()->inputs.empty());
  CHECK(exp(x).requires_grad());
}

TEST_CASE("constants get no gradient and do not keep the graph alive", "[autodiff]") {
  Var<double> c(MatD::Constant(1, 1, 2.0));
  Var<double> y = exp(c);
  CHECK_FALSE(y.requires_grad());
  CHECK(y.node()->inputs.empty());
}

TEST_CASE("a custom sink receives leaf gradients instead of the leaves", "[autodiff]") {
  Var<double> x(MatD::Constant(1, 3, 1.0), true);
  MatD got;
  backward<double>(sum(scale(x, 4.0)), [&](Node<double>& leaf, MatD&& g) {
    CHECK(&leaf == x.get());
    got = g;
  });
  CHECK(x.grad().size() == 0);
  CHECK(got == MatD::Constant(1, 3, 4.0));
}

TEST_CASE("a deep chain does not overflow the stack", "[autodiff]") {
  Var<double> x(MatD::Constant(1, 1, 1.0), true);
  Var<double> y = x;
  for (int i = 0; i < 200000; ++i) y = add_scalar(y, 1e-6);
  backward(y);
  CHECK(x.grad()(0, 0) == Approx(1.0));
}

TEST_CASE("a composite expression passes the Jacobian check", "[autodiff][gradcheck]") {
  Rng rng(4);
  std::vector<Var<double>> in{Var<double>(random_matrix(3, 4, rng), true),
                              Var<double>(random_matrix(4, 4, rng), true),
                              Var<double>(random_matrix(1, 4, rng), true)};
  // a single-head attention over 3 items with a query row
  auto f = [](const std::vector<Var<double>>& x) {
    Var<double> keys = tanh(matmul(x[0], x[1]));
    Var<double> w = softmax(matmul_nt(x[2], keys), 2.0);  // [1 x 3]
    return matmul(w, x[0]);                               // [1 x 4]
  };
  CHECK(check_gradient(f, in) < 1e-6);
}

namespace {

// A one-row recurrence h_t = tanh(h_{t-1} W + x_t U^T), loss = sum over t of sum(h_t): every step
// multiplies a [1 x n] row by the same two leaves, so the pass defers their rank-1 gradients
// (core/outer_grad.h) and sums them in one product per 256 steps.
Var<double> one_row_recurrence(const Var<double>& W, const Var<double>& U, const MatD& xs) {
  Var<double> h = constant<double>(MatD::Zero(1, W.rows()));
  std::vector<Var<double>> sums;
  for (Index t = 0; t < xs.rows(); ++t) {
    h = tanh(add(matmul(h, W), matmul_nt(constant<double>(MatD(xs.row(t))), U)));
    sums.push_back(sum(h));
  }
  return sum(concat<double>(sums, 1));
}

}  // namespace

TEST_CASE("rank-1 weight gradients of a one-row recurrence equal backpropagation through time by hand", "[autodiff]") {
  Rng rng(11);
  const Index n = 6, m = 4, T = 300;  // T > 256: the deferred rows are flushed mid-pass too
  const MatD W0 = random_matrix(n, n, rng, -0.4, 0.4), U0 = random_matrix(n, m, rng, -0.4, 0.4);
  const MatD xs = random_matrix(T, m, rng);
  Var<double> W(W0, true), U(U0, true);
  backward(one_row_recurrence(W, U, xs));
  // by hand: a_t = h_{t-1} W + x_t U^T, h_t = tanh(a_t), dL/dh_t = 1 + da_{t+1} W^T
  std::vector<MatD> h(static_cast<size_t>(T + 1), MatD::Zero(1, n));
  for (Index t = 1; t <= T; ++t)
    h[static_cast<size_t>(t)] = (h[static_cast<size_t>(t - 1)] * W0 + xs.row(t - 1) * U0.transpose()).array().tanh().matrix();
  MatD dW = MatD::Zero(n, n), dU = MatD::Zero(n, m), dh = MatD::Zero(1, n);
  for (Index t = T; t >= 1; --t) {
    const MatD& ht = h[static_cast<size_t>(t)];
    const MatD da = ((dh.array() + 1.0) * (1.0 - ht.array().square())).matrix();
    dW += h[static_cast<size_t>(t - 1)].transpose() * da;
    dU += da.transpose() * xs.row(t - 1);
    dh = da * W0.transpose();
  }
  CHECK((W.grad() - dW).cwiseAbs().maxCoeff() < 1e-10 * (1.0 + dW.cwiseAbs().maxCoeff()));
  CHECK((U.grad() - dU).cwiseAbs().maxCoeff() < 1e-10 * (1.0 + dU.cwiseAbs().maxCoeff()));

  SECTION("a sink receives the same sums") {
    std::map<const Node<double>*, MatD> got;
    backward<double>(one_row_recurrence(W, U, xs), [&](Node<double>& leaf, MatD&& g) { got[&leaf] = std::move(g); });
    CHECK((got.at(W.get()) - dW).cwiseAbs().maxCoeff() < 1e-10 * (1.0 + dW.cwiseAbs().maxCoeff()));
    CHECK((got.at(U.get()) - dU).cwiseAbs().maxCoeff() < 1e-10 * (1.0 + dU.cwiseAbs().maxCoeff()));
  }
}

TEST_CASE("a one-row recurrence passes the Jacobian check, leaves and computed weights alike", "[autodiff][gradcheck]") {
  Rng rng(12);
  const MatD xs = random_matrix(5, 3, rng);
  std::vector<Var<double>> in{Var<double>(random_matrix(4, 4, rng, -0.5, 0.5), true),
                              Var<double>(random_matrix(4, 3, rng, -0.5, 0.5), true)};
  CHECK(check_gradient([&](const std::vector<Var<double>>& x) { return one_row_recurrence(x[0], x[1], xs); }, in) < 1e-6);
  // the weights as computed values (not leaves): their rank-1 gradients are added at once
  CHECK(check_gradient([&](const std::vector<Var<double>>& x) {
          return one_row_recurrence(scale(x[0], 1.5), tanh(x[1]), xs);
        }, in) < 1e-6);
}

TEST_CASE("add_outer outside a backward pass adds u^T v at once", "[autodiff]") {
  MatD g = MatD::Ones(2, 3);
  const double u[2] = {2, -1}, v[3] = {1, 0.5, 3};
  add_outer(g, u, v);
  CHECK(g(0, 0) == 3.0);
  CHECK(g(0, 2) == 7.0);
  CHECK(g(1, 1) == 0.5);
  CHECK(g(1, 2) == -2.0);
}
