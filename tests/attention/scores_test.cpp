// Every registered score, from the registry: a newly registered score is tested here without
// new test code (docs/attention.md).
#include "attention/score.h"
#include "core/gradcheck.h"

#include <catch2/catch.hpp>

using namespace engram;
using namespace engram::attention;

namespace {

std::vector<ScoreShape> shapes_for(const std::string& name) {
  std::vector<ScoreShape> out{{4, 4}};
  Rng rng(1);
  try {  // scores that accept different query and key dims are also checked that way
    make_score<double>(name, {3, 5}, {}, rng);
    out.push_back({3, 5});
  } catch (const std::invalid_argument&) {
  }
  return out;
}

}  // namespace

TEST_CASE("every registered score passes the Jacobian check in q, k and its parameters", "[scores][gradcheck]") {
  REQUIRE(scores<double>().names().size() >= 7);
  for (const auto& name : scores<double>().names()) {
    for (const ScoreShape& shape : shapes_for(name)) {
      INFO("score " << name << " dq=" << shape.query_dim << " dk=" << shape.key_dim);
      Rng rng(2, name);
      auto s = make_score<double>(name, shape, {}, rng);
      std::vector<Var<double>> in{Var<double>(random_matrix(3, shape.query_dim, rng), true),
                                  Var<double>(random_matrix(5, shape.key_dim, rng), true)};
      for (const auto& p : s->parameters()) in.push_back(p);
      const VarFn f = [&](const std::vector<Var<double>>& x) { return s->scores(x[0], x[1]); };
      CHECK(check_gradient(f, in) < 1e-6);
      CHECK(check_backward_adds(f, in) < 1e-12);
    }
  }
}

TEST_CASE("every score is [m x n], row i depends on q_i only, and keys permute columns", "[scores]") {
  for (const auto& name : scores<double>().names()) {
    INFO("score " << name);
    Rng rng(3, name);
    auto s = make_score<double>(name, {4, 4}, {}, rng);
    const MatD q = random_matrix(3, 4, rng), k = random_matrix(5, 4, rng);
    const MatD S = s->scores(Var<double>(q), Var<double>(k)).value();
    REQUIRE(S.rows() == 3);
    REQUIRE(S.cols() == 5);
    // a single query gives the same row as in the batch
    const MatD S1 = s->scores(Var<double>(MatD(q.row(1))), Var<double>(k)).value();
    CHECK((S1.row(0) - S.row(1)).cwiseAbs().maxCoeff() < 1e-12);
    // reversing the keys reverses the columns
    const MatD kr = k.colwise().reverse();
    const MatD Sr = s->scores(Var<double>(q), Var<double>(kr)).value();
    CHECK((Sr - S.rowwise().reverse()).cwiseAbs().maxCoeff() < 1e-12);
  }
}

TEST_CASE("scores reject wrong shapes and unknown options, naming them", "[scores][errors]") {
  for (const auto& name : scores<double>().names()) {
    INFO("score " << name);
    Rng rng(4);
    auto s = make_score<double>(name, {4, 4}, {}, rng);
    CHECK_THROWS_WITH(s->scores(Var<double>(MatD::Zero(2, 3)), Var<double>(MatD::Zero(5, 4))),
                      Catch::Contains("[2 x 3]"));
    Options bad;
    bad.set("hiddn", "3");
    CHECK_THROWS_WITH(make_score<double>(name, {4, 4}, bad, rng), Catch::Contains("hiddn"));
  }
  Rng rng(5);
  CHECK_THROWS_WITH(make_score<double>("dott", {4, 4}, {}, rng), Catch::Contains("did you mean 'dot'"));
}

TEST_CASE("scores compute their textbook formulas", "[scores]") {
  Rng rng(6);
  MatD q(1, 2), k(2, 2);
  q << 1, 2;
  k << 3, 4, -1, 0.5;
  const Var<double> Q(q), K(k);
  SECTION("dot and scaled dot") {
    CHECK(make_score<double>("dot", {2, 2}, {}, rng)->scores(Q, K).value()(0, 0) == Approx(11.0));
    CHECK(make_score<double>("scaled_dot", {2, 2}, {}, rng)->scores(Q, K).value()(0, 1) == Approx(0.0));
    CHECK(make_score<double>("scaled_dot", {2, 2}, {}, rng)->scores(Q, K).value()(0, 0) == Approx(11.0 / std::sqrt(2.0)));
  }
  SECTION("cosine with sharpness") {
    Options o;
    o.set("beta", 3.0);
    const double c = 11.0 / (std::sqrt(5.0) * 5.0);
    CHECK(make_score<double>("cosine", {2, 2}, o, rng)->scores(Q, K).value()(0, 0) == Approx(3 * c));
  }
  SECTION("bilinear equals q W k^T with its parameter") {
    auto s = make_score<double>("bilinear", {2, 2}, {}, rng);
    const MatD W = s->parameters()[0].value();
    CHECK(s->scores(Q, K).value()(0, 1) == Approx((q * W * k.row(1).transpose())(0, 0)));
  }
  SECTION("additive equals v^T tanh(W k + U q)") {
    Options o;
    o.set("hidden", 3.0);
    auto s = make_score<double>("additive", {2, 2}, o, rng);
    const auto ps = s->named_parameters();
    const MatD W = ps[0].var.value(), U = ps[1].var.value(), v = ps[2].var.value();
    const MatD expect = (k.row(1) * W + q * U).array().tanh().matrix() * v;
    CHECK(s->scores(Q, K).value()(0, 1) == Approx(expect(0, 0)));
  }
}
