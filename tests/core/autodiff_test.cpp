// The reverse pass itself: shared sub-expressions, accumulation across calls, seeds, no-grad.
#include "core/gradcheck.h"

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
