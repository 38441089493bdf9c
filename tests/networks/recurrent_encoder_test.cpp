// networks/recurrent_encoder.h: one-way and bidirectional encoders over registered controllers
// (lstm, gru): the states against the controllers stepped by hand, the backward direction over
// the reversed rows, double-precision Jacobian checks over inputs and parameters, errors.
#include "networks/recurrent_encoder.h"

#include "core/gradcheck.h"

#include <catch2/catch.hpp>

using namespace engram;
using namespace engram::networks;

namespace {

void randomize(const Module<double>& m, std::uint64_t seed) {
  Rng rng(seed, "randomize");
  for (auto p : m.parameters()) p.mutable_value() = random_matrix(p.rows(), p.cols(), rng, -1, 1);
}

// The outputs of c stepped over the rows of x in the given order, placed at their positions.
MatD by_hand(const Controller<double>& c, const MatD& x, bool reversed) {
  MatD out(x.rows(), c.output_size());
  ControllerState<double> s = c.initial_state();
  for (Index k = 0; k < x.rows(); ++k) {
    const Index t = reversed ? x.rows() - 1 - k : k;
    auto [y, next] = c.step(Var<double>(MatD(x.row(t))), s);
    out.row(t) = y.value();
    s = std::move(next);
  }
  return out;
}

}  // namespace

TEST_CASE("recurrent encoder: forward and backward states are the controllers stepped over the rows", "[networks][encoder]") {
  for (const std::string name : {"lstm", "gru"}) {
    INFO(name);
    Rng rng(2, "encoder");
    auto enc = make_recurrent_encoder<double>(Options().set("name", name).set("hidden", 3.0).set("bidirectional", "true"), 2, rng);
    randomize(*enc, 3);
    CHECK(enc->bidirectional());
    CHECK(enc->output_size() == 6);
    const MatD x = random_matrix(5, 2, rng, -1, 1);
    const EncodedSequence<double> e = enc->encode(Var<double>(x));
    REQUIRE(e.states.rows() == 5);
    REQUIRE(e.states.cols() == 6);
    CHECK((e.states.value().leftCols(3) - by_hand(enc->forward(), x, false)).cwiseAbs().maxCoeff() < 1e-14);
    // the backward half at row 0 has read every row (the whole sequence, from the end)
    const MatD back = e.states.value().rightCols(3);
    CHECK(e.final_backward.h.back().value() == MatD(back.row(0)));
    CHECK(e.final_forward.h.back().value() == MatD(e.states.value().block(4, 0, 1, 3)));
    CHECK((back - by_hand(*enc->backward(), x, true)).cwiseAbs().maxCoeff() < 1e-14);
    // two directions with their own parameters
    CHECK(enc->named_parameters().size() == 2 * (name == "lstm" ? 2 : 4));
  }
  Rng rng(4, "one-way");
  auto one = make_recurrent_encoder<double>(Options().set("name", "gru").set("hidden", 2.0), 3, rng);
  CHECK(!one->bidirectional());
  CHECK(one->output_size() == 2);
  const MatD x = random_matrix(4, 3, rng);
  CHECK((one->encode(Var<double>(x)).states.value() - by_hand(one->forward(), x, false)).cwiseAbs().maxCoeff() < 1e-14);
  CHECK(one->encode(Var<double>(x)).final_backward.h.empty());
}

TEST_CASE("recurrent encoder: Jacobian checks over inputs and parameters, both directions", "[networks][encoder][gradcheck]") {
  for (const std::string name : {"lstm", "gru"}) {
    INFO(name);
    Rng rng(5, "encoder-grad");
    auto enc = make_recurrent_encoder<double>(Options().set("name", name).set("hidden", 3.0).set("bidirectional", "true"), 2, rng);
    randomize(*enc, 6);
    std::vector<Var<double>> inputs{Var<double>(random_matrix(4, 2, rng, -1, 1), true)};
    for (const auto& p : enc->parameters()) inputs.push_back(p);
    CHECK(check_gradient([&](const std::vector<Var<double>>& v) { return enc->encode(v[0]).states; }, inputs) < 1e-6);
  }
}

TEST_CASE("recurrent encoder: bad options and shapes name what is wrong", "[networks][encoder][errors]") {
  Rng rng(1, "errors");
  CHECK_THROWS_WITH(make_recurrent_encoder<double>(Options().set("name", "gru").set("hiden", 3.0), 2, rng),
                    Catch::Contains("hiden: unknown option of controller 'gru'"));
  CHECK_THROWS_WITH(make_recurrent_encoder<double>(Options().set("name", "gur"), 2, rng), Catch::Contains("unknown controller 'gur'") && Catch::Contains("gru"));
  auto enc = make_recurrent_encoder<double>(Options().set("name", "gru").set("hidden", 3.0), 2, rng);
  CHECK_THROWS_WITH(enc->encode(Var<double>(MatD::Zero(4, 3))), Catch::Contains("[4 x 3]") && Catch::Contains("[T x 2]"));
  CHECK_THROWS_WITH(enc->encode(Var<double>(MatD::Zero(0, 2))), Catch::Contains("T >= 1"));
}
