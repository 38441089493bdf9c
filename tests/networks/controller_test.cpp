// Controllers (networks/controller.h) and the lstm_seq network: the LSTM cell against a direct
// Eigen computation of the gate equations, double-precision Jacobian checks of both registered
// controllers and of LstmSeq over parameters and inputs across several steps, the registry and
// its errors. A hidden benchmark ([.bench]) measures the LSTM step at hidden 100, input 9.
#include "networks/controller.h"
#include "networks/lstm_seq.h"

#include "core/gradcheck.h"

#include <catch2/catch.hpp>

#include <chrono>
#include <cmath>
#include <iostream>

using namespace engram;
using namespace engram::networks;

namespace {

using V = std::vector<Var<double>>;

void randomize(const Module<double>& m, std::uint64_t seed, double lo = -0.5, double hi = 0.5) {
  Rng rng(seed, "randomize");
  for (auto p : m.parameters()) p.mutable_value() = random_matrix(p.rows(), p.cols(), rng, lo, hi);
}

std::unique_ptr<Controller<double>> make(const std::string& name, Index input, const Options& o, std::uint64_t seed = 1) {
  Rng rng(seed, "controller");
  return make_controller<double>(name, ControllerShape{input}, o, rng);
}

// The outputs of `steps` steps side by side, with the final state: a function of the step
// inputs xs (leaves) and the controller's parameters.
Var<double> unroll(const Controller<double>& c, const V& xs) {
  ControllerState<double> s = c.initial_state();
  std::vector<Var<double>> parts;
  for (const auto& x : xs) {
    auto [y, next] = c.step(x, s);
    parts.push_back(y);
    s = std::move(next);
  }
  for (const auto& h : s.h) parts.push_back(h);
  for (const auto& c2 : s.c) parts.push_back(c2);
  return concat(parts, 1);
}

// Inputs first, then every parameter of the controller: the checker perturbs all of them.
V step_inputs(Index steps, Index input, std::uint64_t seed) {
  Rng rng(seed, "step-inputs");
  V xs;
  for (Index t = 0; t < steps; ++t) xs.emplace_back(random_matrix(1, input, rng, -1, 1), true);
  return xs;
}

double controller_jacobian_error(const Controller<double>& c, Index steps, std::uint64_t seed) {
  V inputs = step_inputs(steps, c.input_size(), seed);
  const size_t n = inputs.size();
  for (const auto& p : c.parameters()) inputs.push_back(p);
  return check_gradient([&c, n](const V& v) { return unroll(c, V(v.begin(), v.begin() + static_cast<long>(n))); },
                        inputs);
}

MatD sigmoid_d(const MatD& z) { return (1.0 / (1.0 + (-z.array()).exp())).matrix(); }

}  // namespace

TEST_CASE("the LSTM cell computes the gate equations", "[networks][controller]") {
  const Index in = 5, H = 4;
  Rng rng(3, "lstm-direct");
  LstmCell<double> cell(in, H, rng);
  randomize(cell, 4, -1, 1);
  const MatD x = random_matrix(1, in, rng), h = random_matrix(1, H, rng), c = random_matrix(1, H, rng);
  const auto [h1, c1] = cell(Var<double>(x), Var<double>(h), Var<double>(c));

  // direct: separate products of x and h with the rows of W, gates in the order i, f, o, g
  const MatD& W = cell.weight.value();
  const MatD& b = cell.bias.value();
  const MatD z = x * W.topRows(in) + h * W.bottomRows(H) + b;
  const MatD i = sigmoid_d(z.middleCols(0, H)), f = sigmoid_d(z.middleCols(H, H)), o = sigmoid_d(z.middleCols(2 * H, H));
  const MatD g = z.middleCols(3 * H, H).array().tanh().matrix();
  const MatD c_expected = (f.array() * c.array() + i.array() * g.array()).matrix();
  const MatD h_expected = (o.array() * c_expected.array().tanh()).matrix();
  CHECK((c1.value() - c_expected).cwiseAbs().maxCoeff() < 1e-12);
  CHECK((h1.value() - h_expected).cwiseAbs().maxCoeff() < 1e-12);
}

TEST_CASE("the LSTM cell starts with forget bias 1 and the given sizes", "[networks][controller]") {
  Rng rng(1);
  LstmCell<float> cell(9, 100, rng);
  CHECK(cell.weight.rows() == 109);
  CHECK(cell.weight.cols() == 400);
  CHECK(cell.input_size() == 9);
  CHECK(cell.hidden_size() == 100);
  CHECK(cell.bias.value().middleCols(0, 100).isZero());
  CHECK((cell.bias.value().middleCols(100, 100).array() == 1.0f).all());
  CHECK(cell.bias.value().rightCols(200).isZero());
  LstmCell<float> other(9, 100, rng, 2.5f);
  CHECK(other.bias.value()(0, 150) == 2.5f);
}

TEST_CASE("the LSTM controller passes Jacobian checks over parameters and inputs across steps",
          "[networks][controller][gradcheck]") {
  SECTION("one layer, zero initial state") {
    auto c = make("lstm", 3, Options().set("hidden", 4.0));
    randomize(*c, 2, -1, 1);
    CHECK(controller_jacobian_error(*c, 4, 1) < 1e-6);
  }
  SECTION("two layers, learned initial state") {
    auto c = make("lstm", 3, Options().set("hidden", 3.0).set("layers", 2.0).set("learn_initial", "true"));
    randomize(*c, 3, -1, 1);
    CHECK(c->named_parameters().size() == 2 * 2 + 2 * 2);  // weight, bias per layer; h0, c0 per layer
    CHECK(controller_jacobian_error(*c, 3, 2) < 1e-6);
  }
}

TEST_CASE("the feed-forward controller passes Jacobian checks and keeps no state", "[networks][controller][gradcheck]") {
  SECTION("two tanh layers") {
    auto c = make("feedforward", 4, Options().set("hidden", 5.0).set("layers", 2.0));
    randomize(*c, 5, -1, 1);
    CHECK(controller_jacobian_error(*c, 3, 3) < 1e-6);
  }
  SECTION("relu (random inputs lie off the kink)") {
    auto c = make("feedforward", 4, Options().set("hidden", 5.0).set("activation", "relu"));
    randomize(*c, 6, -1, 1);
    CHECK(controller_jacobian_error(*c, 2, 4) < 1e-6);
  }
  SECTION("the output depends on the current input only") {
    auto c = make("feedforward", 2, Options().set("hidden", 3.0));
    const Var<double> x(MatD::Constant(1, 2, 0.3));
    auto [y1, s1] = c->step(x, c->initial_state());
    auto [y2, s2] = c->step(x, s1);
    CHECK(s1.h.empty());
    CHECK(y1.value() == y2.value());
    CHECK(c->output_size() == 3);
  }
}

TEST_CASE("the LSTM controller carries its state and stacks layers", "[networks][controller]") {
  auto c = make("lstm", 2, Options().set("hidden", 3.0).set("layers", 2.0));
  const ControllerState<double> s0 = c->initial_state();
  REQUIRE(s0.h.size() == 2);
  CHECK(s0.h[1].value().isZero());
  const Var<double> x(MatD::Constant(1, 2, 0.7));
  auto [y1, s1] = c->step(x, s0);
  auto [y2, s2] = c->step(x, s1);
  CHECK(y1.value() == s1.h[1].value());      // the output is the top layer's h
  CHECK((y1.value() - y2.value()).norm() > 1e-6);  // the same input, another state
  CHECK(c->output_size() == 3);
  CHECK(c->input_size() == 2);
}

TEST_CASE("controllers are built by name and reject bad options and shapes", "[networks][controller][errors]") {
  CHECK(controllers<float>().contains("lstm"));
  CHECK(controllers<float>().contains("feedforward"));
  CHECK(controllers<double>().contains("lstm"));
  CHECK_THROWS_WITH(make("lstm", 3, Options().set("hiden", 4.0)),
                    Catch::Contains("hiden: unknown option of controller 'lstm'") && Catch::Contains("hidden"));
  CHECK_THROWS_WITH(make("feedforward", 3, Options().set("activation", "sigmod")),
                    Catch::Contains("activation") && Catch::Contains("tanh, relu"));
  CHECK_THROWS_WITH(make("lstm", 3, Options().set("hidden", 0.0)), Catch::Contains("hidden"));
  CHECK_THROWS_WITH(make("lstn", 3, Options()), Catch::Contains("did you mean 'lstm'"));
  auto c = make("lstm", 3, Options().set("hidden", 4.0));
  CHECK_THROWS_WITH(c->step(Var<double>(MatD::Zero(1, 4)), c->initial_state()),
                    Catch::Contains("[1 x 4]") && Catch::Contains("[B x 3]"));
  CHECK_THROWS_WITH(c->step(Var<double>(MatD::Zero(1, 3)), ControllerState<double>{}), Catch::Contains("initial_state"));
}

TEST_CASE("lstm_seq emits one output row per step and passes a Jacobian check", "[networks][lstm_seq][gradcheck]") {
  Rng rng(8, "lstm-seq");
  LstmSeq<double> net(make("lstm", 3, Options().set("hidden", 4.0)), 2, rng);
  randomize(net, 9, -1, 1);
  const MatD input = random_matrix(5, 3, rng);
  CHECK(net.logits(input).rows() == 5);
  CHECK(net.logits(input).cols() == 2);
  CHECK(net.named_parameters().size() == 4);
  CHECK(check_gradient([&](const V&) { return net.logits(input); }, net.parameters()) < 1e-6);
  CHECK_THROWS_WITH(net.logits(MatD::Zero(5, 4)), Catch::Contains("[5 x 4]"));
}

TEST_CASE("the GRU cell computes the gate equations (reset after the hidden product)", "[networks][controller]") {
  const Index in = 5, H = 4;
  Rng rng(5, "gru-direct");
  GruCell<double> cell(in, H, rng);
  randomize(cell, 6, -1, 1);
  const MatD x = random_matrix(1, in, rng), h = random_matrix(1, H, rng);
  const MatD h1 = cell(Var<double>(x), Var<double>(h)).value();
  const MatD xz = x * cell.weight_x.value() + cell.bias_x.value(), hz = h * cell.weight_h.value() + cell.bias_h.value();
  const MatD r = sigmoid_d(xz.leftCols(H) + hz.leftCols(H)), z = sigmoid_d(xz.middleCols(H, H) + hz.middleCols(H, H));
  const MatD m = (xz.rightCols(H).array() + r.array() * hz.rightCols(H).array()).tanh().matrix();
  const MatD expected = ((1.0 - z.array()) * m.array() + z.array() * h.array()).matrix();
  CHECK((h1 - expected).cwiseAbs().maxCoeff() < 1e-12);
  GruCell<double> fresh(in, H, rng);
  CHECK(fresh.weight_x.rows() == in);
  CHECK(fresh.weight_h.cols() == 3 * H);
  CHECK(fresh.bias_x.value().isZero());
  CHECK(fresh.bias_h.value().isZero());
}

TEST_CASE("the GRU controller passes Jacobian checks, carries h only and stacks layers", "[networks][controller][gradcheck]") {
  SECTION("one layer, zero initial state") {
    auto c = make("gru", 3, Options().set("hidden", 4.0));
    randomize(*c, 7, -1, 1);
    CHECK(controller_jacobian_error(*c, 4, 5) < 1e-6);
    CHECK(c->initial_state().c.empty());
  }
  SECTION("two layers, learned initial state") {
    auto c = make("gru", 3, Options().set("hidden", 3.0).set("layers", 2.0).set("learn_initial", "true"));
    randomize(*c, 8, -1, 1);
    CHECK(c->named_parameters().size() == 2 * 4 + 2);  // weight_x, weight_h, bias_x, bias_h per layer; h0 per layer
    CHECK(controller_jacobian_error(*c, 3, 6) < 1e-6);
  }
  SECTION("state and errors") {
    auto c = make("gru", 2, Options().set("hidden", 3.0).set("layers", 2.0));
    const Var<double> x(MatD::Constant(1, 2, 0.7));
    auto [y1, s1] = c->step(x, c->initial_state());
    auto [y2, s2] = c->step(x, s1);
    CHECK(y1.value() == s1.h[1].value());
    CHECK((y1.value() - y2.value()).norm() > 1e-6);
    CHECK_THROWS_WITH(make("gru", 3, Options().set("forget_bias", 1.0)), Catch::Contains("forget_bias: unknown option of controller 'gru'"));
    CHECK_THROWS_WITH(c->step(Var<double>(MatD::Zero(1, 3)), c->initial_state()), Catch::Contains("[1 x 3]") && Catch::Contains("[B x 2]"));
    CHECK_THROWS_WITH(c->step(x, ControllerState<double>{}), Catch::Contains("initial_state"));
  }
}
