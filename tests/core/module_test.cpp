#include "core/gradcheck.h"
#include "core/layers.h"

#include <catch2/catch.hpp>

#include <Eigen/SVD>
#include <cmath>

using namespace engram;

namespace {
template <class T>
struct Mlp : Module<T> {
  Linear<T> l1, l2;
  LayerNorm<T> norm;
  Mlp(Rng& rng) : l1(3, 5, rng), l2(5, 2, rng), norm(5) {
    this->add_module("l1", l1);
    this->add_module("norm", norm);
    this->add_module("l2", l2);
  }
  Var<T> operator()(const Var<T>& x) const { return l2(tanh(norm(l1(x)))); }
};
}  // namespace

TEST_CASE("modules list their parameters by path in registration order", "[module]") {
  Rng rng(1);
  Mlp<float> m(rng);
  const auto ps = m.named_parameters();
  std::vector<std::string> names;
  for (const auto& p : ps) names.push_back(p.name);
  CHECK(names == std::vector<std::string>{"l1.weight", "l1.bias", "norm.gain", "norm.bias", "l2.weight", "l2.bias"});
  CHECK(m.num_parameters() == 3 * 5 + 5 + 5 + 5 + 5 * 2 + 2);
  m.set_training(false);
  CHECK_FALSE(m.l1.training());
}

TEST_CASE("a module passes the Jacobian check through its parameters", "[module][gradcheck]") {
  Rng rng(2);
  Mlp<double> m(rng);
  std::vector<Var<double>> in{Var<double>(random_matrix(4, 3, rng), true)};
  for (const auto& p : m.parameters()) in.push_back(p);
  CHECK(check_gradient([&](const std::vector<Var<double>>& x) { return m(x[0]); }, in) < 1e-6);
}

TEST_CASE("embedding lookups scatter gradients into the used rows only", "[module]") {
  Rng rng(3);
  Embedding<double> e(6, 2, rng);
  backward(sum(e({1, 3, 1})));
  CHECK(e.table.grad().row(1) == MatD::Constant(1, 2, 2.0));
  CHECK(e.table.grad().row(3) == MatD::Constant(1, 2, 1.0));
  CHECK(e.table.grad().row(0).isZero());
}

TEST_CASE("clipping by global norm scales all gradients together", "[module]") {
  Var<double> a(MatD::Zero(1, 2), true), b(MatD::Zero(1, 1), true);
  a.mutable_grad() = (MatD(1, 2) << 3, 0).finished();
  b.mutable_grad() = (MatD(1, 1) << 4).finished();
  ParameterList<double> ps{{"a", a}, {"b", b}};
  CHECK(clip_grad_norm(ps, 10.0) == Approx(5.0));
  CHECK(a.grad()(0, 0) == 3.0);  // below the limit: untouched
  CHECK(clip_grad_norm(ps, 1.0) == Approx(5.0));
  CHECK(a.grad()(0, 0) == Approx(0.6));
  CHECK(b.grad()(0, 0) == Approx(0.8));
  CHECK_THROWS_AS(clip_grad_norm(ps, 0.0), std::invalid_argument);
}

TEST_CASE("the global norm of float gradients of odd sizes is the double-precision norm", "[module]") {
  Rng rng(8);
  ParameterList<float> ps;
  double want = 0;
  for (auto [r, c] : {std::pair<Index, Index>{3, 7}, {1, 13}, {50, 20}, {1, 1}}) {
    Var<float> v(MatF::Zero(r, c), true);
    v.mutable_grad() = random_matrix(r, c, rng).cast<float>();
    want += v.grad().cast<double>().squaredNorm();
    ps.push_back({"p" + std::to_string(ps.size()), v});
  }
  want = std::sqrt(want);
  const double got = clip_grad_norm(ps, 1e9);
  CHECK(std::abs(got - want) <= 1e-12 * want);
  CHECK(clip_grad_norm(ps, 1e9) == got);  // the same number every call
  clip_grad_norm(ps, 0.5);
  double after = 0;
  for (const auto& p : ps) after += p.var.grad().cast<double>().squaredNorm();
  CHECK(std::sqrt(after) == Approx(0.5).epsilon(1e-6));
}

TEST_CASE("spectral clipping bounds each gradient's largest singular value on its own", "[module]") {
  // G = U diag(3, 1) V^T with rotations U, V: singular values 3 and 1
  const double c = std::cos(0.4), s = std::sin(0.4), c2 = std::cos(1.1), s2 = std::sin(1.1);
  const MatD U = (MatD(2, 2) << c, -s, s, c).finished(), V = (MatD(2, 2) << c2, -s2, s2, c2).finished();
  const MatD G = U * (MatD(2, 2) << 3, 0, 0, 1).finished() * V.transpose();
  Var<double> a(MatD::Zero(2, 2), true), b(MatD::Zero(1, 3), true), e(MatD::Zero(2, 2), true);
  a.mutable_grad() = G;
  b.mutable_grad() = (MatD(1, 3) << 0.3, 0, 0.4).finished();  // a vector: its L2 norm, 0.5
  ParameterList<double> ps{{"a", a}, {"b", b}, {"e", e}};   // e: no gradient yet
  CHECK(clip_grad_spectral(ps, 10.0) == Approx(3.0));
  CHECK(a.grad() == G);  // below the limit: untouched
  CHECK(clip_grad_spectral(ps, 1.5) == Approx(3.0));
  const Eigen::JacobiSVD<MatD> svd(a.grad());
  CHECK(svd.singularValues()(0) == Approx(1.5));
  CHECK(svd.singularValues()(1) == Approx(0.5));  // the whole matrix scaled, directions kept
  CHECK(b.grad()(0, 2) == Approx(0.4));           // b (0.5) is under 1.5: its own limit, untouched
  CHECK(clip_grad_spectral(ps, 0.25) == Approx(1.5));
  CHECK(b.grad().norm() == Approx(0.25));
  CHECK_THROWS_AS(clip_grad_spectral(ps, 0.0), std::invalid_argument);
}

TEST_CASE("layers reject mismatched inputs naming the shapes", "[module][errors]") {
  Rng rng(4);
  Linear<float> l(3, 2, rng);
  CHECK_THROWS_WITH(l(Var<float>(MatF::Zero(1, 4))), Catch::Contains("[1 x 4]") && Catch::Contains("[3 x 2]"));
}
