// Learning rules against independent direct formulas, stored patterns as fixed points, and the
// registry's option and name errors.
#include "memory/hopfield/binary.h"
#include "memory/hopfield/rules.h"

#include <Eigen/LU>
#include <catch2/catch.hpp>

using namespace engram;
using namespace engram::hopfield;

namespace {

// W_ij = 1/N sum_mu x_i x_j for i != j, W_ii = 0, entry by entry.
MatD naive_hebbian(const States& x) {
  const Index P = x.rows(), N = x.cols();
  MatD w = MatD::Zero(N, N);
  for (Index i = 0; i < N; ++i)
    for (Index j = 0; j < N; ++j)
      if (i != j)
        for (Index mu = 0; mu < P; ++mu) w(i, j) += double(x(mu, i)) * double(x(mu, j)) / double(N);
  return w;
}

// Storkey (1997) as written: for each pattern, h_ij = sum_{k != i, j} W_ik x_k with the weights
// from before the pattern, then W_ij += 1/N (x_i x_j - x_i h_ji - h_ij x_j) for i != j. O(N^3).
MatD naive_storkey(const States& x) {
  const Index P = x.rows(), N = x.cols();
  MatD w = MatD::Zero(N, N);
  for (Index mu = 0; mu < P; ++mu) {
    MatD h = MatD::Zero(N, N);
    for (Index i = 0; i < N; ++i)
      for (Index j = 0; j < N; ++j)
        for (Index k = 0; k < N; ++k)
          if (k != i && k != j) h(i, j) += w(i, k) * double(x(mu, k));
    MatD next = w;
    for (Index i = 0; i < N; ++i)
      for (Index j = 0; j < N; ++j)
        if (i != j) {
          const double xi = x(mu, i), xj = x(mu, j);
          next(i, j) += (xi * xj - xi * h(j, i) - h(i, j) * xj) / double(N);
        }
    w = next;
  }
  return w;
}

double max_abs_diff(const MatF& a, const MatD& b) { return (a.cast<double>() - b).cwiseAbs().maxCoeff(); }

}  // namespace

TEST_CASE("the three rules are registered", "[hopfield][rules]") {
  for (const char* name : {"hebbian", "storkey", "pseudo_inverse"}) CHECK(learning_rules().contains(name));
}

TEST_CASE("hebbian weights match the direct formula, the integer form is exact", "[hopfield][rules]") {
  Rng rng(1, "hebbian");
  for (Index N : {Index{1}, Index{7}, Index{33}}) {
    const States x = random_patterns(5, N, rng);
    const auto rule = make_rule("hebbian");
    REQUIRE(max_abs_diff(rule->weights(x), naive_hebbian(x)) < 1e-6);
    const ScaledWeights sw = rule->scaled_weights(x);
    REQUIRE(sw.scale == 1.0f / float(N));
    REQUIRE(sw.matrix == (x.transpose() * x - 5.0f * MatF::Identity(N, N)));  // integer-valued
    REQUIRE(sw.matrix.diagonal().isZero(0.0));
  }
  REQUIRE(make_rule("hebbian")->weights(States(0, 4)) == MatF::Zero(4, 4));  // P = 0: empty memory
}

TEST_CASE("storkey weights match the naive triple loop", "[hopfield][rules]") {
  Rng rng(2, "storkey");
  for (Index N : {Index{3}, Index{12}, Index{25}}) {
    const States x = random_patterns(N / 2 + 1, N, rng);
    const MatF w = make_rule("storkey")->weights(x);
    INFO("N=" << N);
    REQUIRE(max_abs_diff(w, naive_storkey(x)) < 1e-5);
    REQUIRE(w == w.transpose());  // exactly symmetric
    REQUIRE(w.diagonal().isZero(0.0));
  }
}

TEST_CASE("pseudo-inverse weights match X^T (X X^T)^-1 X and handle dependent patterns", "[hopfield][rules]") {
  Rng rng(3, "pinv");
  const Index N = 20, P = 6;
  const States x = random_patterns(P, N, rng);
  const MatD xd = x.cast<double>();
  const MatD direct = xd.transpose() * (xd * xd.transpose()).inverse() * xd;
  const MatF w = make_rule("pseudo_inverse")->weights(x);
  REQUIRE(max_abs_diff(w, direct) < 1e-5);
  REQUIRE(w == w.transpose());
  REQUIRE(((x * w) - x).cwiseAbs().maxCoeff() < 1e-5);  // W x_mu = x_mu (W symmetric)

  // zero_diagonal: the same off-diagonal weights, zero diagonal
  const MatF wz = make_rule("pseudo_inverse", Options().set("zero_diagonal", "true"))->weights(x);
  REQUIRE(wz.diagonal().isZero(0.0));
  MatF off = w;
  off.diagonal().setZero();
  REQUIRE(wz == off);

  // repeated and negated patterns make X X^T singular: still the projector onto their span
  States dep(P + 2, N);
  dep << x, x.row(0), -x.row(3);
  const MatF wd = make_rule("pseudo_inverse")->weights(dep);
  REQUIRE(wd.allFinite());
  REQUIRE(max_abs_diff(wd, direct) < 1e-5);
}

TEST_CASE("stored patterns are fixed points at low load for every rule", "[hopfield][rules]") {
  Rng rng(4, "fixed");
  const States x = random_patterns(5, 100, rng);  // N = 100, P = 5
  for (const auto& [name, opt] : {std::pair<std::string, Options>{"hebbian", {}},
                                  {"storkey", {}},
                                  {"pseudo_inverse", {}},
                                  {"pseudo_inverse", Options().set("zero_diagonal", "true")}}) {
    INFO(name);
    const BinaryHopfield net = BinaryHopfield::store(x, *make_rule(name, opt));
    REQUIRE(net.one_step(x) == x);
  }
}

TEST_CASE("rules reject unknown names, unknown options and non-binary patterns", "[hopfield][rules]") {
  REQUIRE_THROWS_WITH(make_rule("storkee"), Catch::Contains("unknown learning rule 'storkee'") &&
                                                Catch::Contains("did you mean 'storkey'"));
  REQUIRE_THROWS_WITH(make_rule("hebbian", Options().set("zero_diagonal", "true")),
                      Catch::Contains("zero_diagonal: unknown option of learning rule 'hebbian'"));
  REQUIRE_THROWS_WITH(make_rule("pseudo_inverse", Options().set("zero_diagonl", "true")),
                      Catch::Contains("zero_diagonl: unknown option") && Catch::Contains("did you mean zero_diagonal"));
  REQUIRE_THROWS_WITH(make_rule("pseudo_inverse", Options().set("zero_diagonal", "maybe")),
                      Catch::Contains("zero_diagonal: expected true or false"));
  States bad = States::Ones(3, 8);
  bad(2, 6) = 0.0f;
  for (const char* name : {"hebbian", "storkey", "pseudo_inverse"})
    REQUIRE_THROWS_WITH(make_rule(name)->weights(bad), Catch::Contains(std::string("learning rule '") + name + "'") &&
                                                           Catch::Contains("must be +-1") &&
                                                           Catch::Contains("row 2, column 6"));
  REQUIRE_THROWS_WITH(make_rule("hebbian")->weights(States(3, 0)), Catch::Contains("N >= 1"));
}
