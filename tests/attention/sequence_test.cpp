// Every registered sequence encoder and pooler, from the registries.
#include "attention/sequence.h"
#include "core/gradcheck.h"

#include <catch2/catch.hpp>

using namespace engram;
using namespace engram::attention;

namespace {
Options small(const std::string& name) {
  Options o;
  if (name == "transformer") o.set("layers", 1.0).set("heads", 2.0).set("d_ff", 6.0);
  if (name == "self_attention") o.set("heads", 2.0);
  return o;
}
}  // namespace

TEST_CASE("every sequence encoder passes the Jacobian check and respects padding", "[sequence][gradcheck]") {
  REQUIRE(sequence_encoders<double>().names().size() >= 2);
  for (const auto& name : sequence_encoders<double>().names()) {
    for (const std::string positional : {"sinusoidal", "learned", "none"}) {
      INFO("encoder " << name << " positional " << positional);
      Rng rng(1, name);
      Options o = small(name);
      o.set("positional", positional);
      auto enc = sequence_encoders<double>().get(name)({4, 8}, o, rng);
      std::vector<Var<double>> in{Var<double>(random_matrix(5, 4, rng), true)};
      for (const auto& p : enc->parameters()) in.push_back(p);
      MatD pad = MatD::Zero(1, 5);
      pad(0, 4) = 1;
      const VarFn f = [&](const std::vector<Var<double>>& x) {
        SequenceContext<double> ctx;
        ctx.padding = &pad;
        return enc->encode(x[0], ctx);
      };
      CHECK(check_gradient(f, in) < 1e-6);
      // padding: changing the padded token changes no other position's output
      SequenceContext<double> c1, c2;
      c1.padding = c2.padding = &pad;
      MatD x2 = in[0].value();
      x2.row(4).setConstant(3.0);
      const MatD y1 = enc->encode(Var<double>(in[0].value()), c1).value();
      const MatD y2 = enc->encode(Var<double>(x2), c2).value();
      CHECK((y1.topRows(4) - y2.topRows(4)).cwiseAbs().maxCoeff() < 1e-12);
      CHECK_FALSE(c1.weights.empty());
      for (const auto& w : c1.weights) CHECK((w.value().col(4).array() == 0).all());
    }
  }
}

TEST_CASE("every sequence pooler gives weights over unpadded positions and passes the Jacobian check", "[sequence][gradcheck]") {
  REQUIRE(sequence_poolers<double>().names().size() >= 3);
  for (const auto& name : sequence_poolers<double>().names()) {
    INFO("pooler " << name);
    Rng rng(2, name);
    auto pool = sequence_poolers<double>().get(name)({4, 8}, {}, rng);
    MatD pad = MatD::Zero(1, 6);
    pad(0, 0) = pad(0, 5) = 1;
    std::vector<Var<double>> in{Var<double>(random_matrix(6, 4, rng), true)};
    for (const auto& p : pool->parameters()) in.push_back(p);
    const auto r = pool->pool(in[0], &pad);
    CHECK(r.output.rows() == 1);
    CHECK(r.output.cols() == 4);
    CHECK(r.weights.value().sum() == Approx(1.0));
    CHECK(r.weights.value()(0, 0) == 0.0);
    CHECK(r.weights.value()(0, 5) == 0.0);
    CHECK(check_gradient([&](const std::vector<Var<double>>& x) { return pool->pool(x[0], &pad).output; }, in) < 1e-6);
    MatD all = MatD::Ones(1, 6);
    CHECK_THROWS_AS(pool->pool(in[0], &all), std::invalid_argument);
  }
}

TEST_CASE("sequence components reject unknown options and bad head counts", "[sequence][errors]") {
  Rng rng(3);
  Options o;
  o.set("layrs", 2.0);
  CHECK_THROWS_WITH(sequence_encoders<float>().get("transformer")({8, 4}, o, rng), Catch::Contains("did you mean layers"));
  Options h;
  h.set("heads", 3.0);
  CHECK_THROWS_WITH(sequence_encoders<float>().get("transformer")({8, 4}, h, rng), Catch::Contains("heads"));
}
