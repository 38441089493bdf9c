// The memory-augmented network (networks/memory_augmented.h): double-precision Jacobian checks of
// whole NTM, DNC and LRU-MANN steps (controller, interface, memory, output; several steps) over
// parameters and inputs, shapes and traces. The registered models are tested in
// tests/experiments/mann_models_test.cpp.
#include "networks/memory_augmented.h"

#include "core/gradcheck.h"
#include "core/optim.h"
#include "core/parallel.h"
#include "memory/presets.h"

#include <catch2/catch.hpp>

#include <chrono>
#include <sstream>

using namespace engram;
using namespace engram::networks;

namespace {

using V = std::vector<Var<double>>;

std::unique_ptr<MemoryAugmented<double>> make_net(const memory::MemoryConfig& mc, const std::string& controller,
                                                  Index input, Index output, std::uint64_t seed) {
  Rng rng(seed, "mann-test");
  auto c = make_controller<double>(controller, {MemoryAugmented<double>::controller_input(mc, input)},
                                   Options().set("hidden", 4.0), rng);
  return std::make_unique<MemoryAugmented<double>>(std::move(c), mc, input, output, rng);
}

// Relative error of the Jacobian of forward(x) (T steps) in x and in every parameter.
double whole_run_error(const MemoryAugmented<double>& net, Index steps, std::uint64_t seed) {
  Rng rng(seed, "inputs");
  V inputs{Var<double>(random_matrix(steps, net.input_size(), rng, -1, 1), true)};
  for (const auto& p : net.parameters()) inputs.push_back(p);
  return check_gradient([&net](const V& v) { return net.forward(v[0]); }, inputs);
}

}  // namespace

TEST_CASE("whole NTM, DNC and LRU-MANN runs pass the Jacobian check in parameters and inputs",
          "[networks][mann][gradcheck]") {
  SECTION("NTM: LSTM controller, 1 read + 1 write head, learned initial memory, 3 steps") {
    memory::MemoryConfig mc = memory::preset("ntm", {5, 3});
    mc.init = memory::InitMode::learned;
    const auto net = make_net(mc, "lstm", 3, 2, 1);
    CHECK(whole_run_error(*net, 3, 1) < 1e-6);
  }
  SECTION("NTM: feed-forward controller, 2 read heads + 1 write head, shift range 2, heads from slot 0") {
    memory::MemoryConfig mc = memory::preset("ntm", {6, 3, 2, 1, 2});
    mc.initial_weighting = memory::InitialWeighting::first_slot;  // the ntm model's default
    const auto net = make_net(mc, "feedforward", 2, 2, 2);
    CHECK(whole_run_error(*net, 3, 2) < 1e-6);
  }
  SECTION("DNC: usage, allocation, links and temporal reads, 4 steps") {
    const auto net = make_net(memory::preset("dnc", {5, 3, 2, 1}), "lstm", 3, 2, 3);
    CHECK(whole_run_error(*net, 4, 3) < 1e-6);
  }
  SECTION("LRU-MANN: least-used writes of the read key, 3 steps") {
    const auto net = make_net(memory::preset("lru", {5, 3}), "lstm", 3, 2, 4);
    CHECK(whole_run_error(*net, 3, 4) < 1e-6);
  }
}

TEST_CASE("the network feeds [x_t, r_{t-1}] to the controller and [h_t, r_t] to the output layer",
          "[networks][mann]") {
  const auto net = make_net(memory::preset("ntm", {7, 4, 2, 1}), "lstm", 3, 5, 5);
  CHECK(net->controller().input_size() == 3 + 2 * 4);
  CHECK(net->feature_size() == 4 + 2 * 4);
  CHECK(net->output_size() == 5);
  // the parameters: controller, memory (none), interface, output
  std::vector<std::string> names;
  for (const auto& p : net->named_parameters()) names.push_back(p.name);
  CHECK(std::find(names.begin(), names.end(), "interface.weight") != names.end());
  CHECK(std::find(names.begin(), names.end(), "out.weight") != names.end());

  Rng rng(6, "x");
  const MatD x = random_matrix(6, 3, rng);
  MemoryTrace<double> trace;
  const Var<double> z = net->logits(x, &trace);
  CHECK(z.rows() == 6);
  CHECK(z.cols() == 5);
  REQUIRE(trace.read_weights.size() == 2);
  REQUIRE(trace.write_weights.size() == 1);
  CHECK(trace.read_weights[1].rows() == 6);
  CHECK(trace.read_weights[1].cols() == 7);
  CHECK(trace.tracked.empty());
  for (const auto* w : {&trace.read_weights[0], &trace.read_weights[1], &trace.write_weights[0]}) {
    CHECK(w->minCoeff() >= 0);
    CHECK((w->rowwise().sum().array() <= 1 + 1e-9).all());
    CHECK((w->rowwise().sum().array() >= 1 - 1e-6).all());  // NTM weightings are on the simplex
  }
  // step() is what forward() runs: the same logits through the state API
  MemoryAugmentedState<double> s = net->initial_state();
  const Var<double> f0 = net->step(constant<double>(x.row(0)), s);
  CHECK(f0.cols() == net->feature_size());
  CHECK(s.memory.steps == 1);
  // a trace without gradients equals the values of a run with them
  MemoryTrace<double> again;
  {
    NoGradGuard no_grad;
    CHECK(net->logits(x, &again).value() == z.value());
  }
  CHECK(again.write_weights[0] == trace.write_weights[0]);

  SECTION("a DNC trace holds the usage") {
    const auto dnc = make_net(memory::preset("dnc", {6, 3}), "lstm", 3, 2, 7);
    MemoryTrace<double> t;
    (void)dnc->logits(random_matrix(4, 3, rng), &t);
    REQUIRE(t.tracked.count("usage") == 1);
    CHECK(t.tracked.at("usage").rows() == 4);
    CHECK(t.tracked.at("usage").minCoeff() >= 0);
    CHECK(t.tracked.at("usage").maxCoeff() <= 1);
  }
}

TEST_CASE("the network rejects mismatched controllers and inputs, naming the sizes", "[networks][mann][errors]") {
  Rng rng(1);
  const memory::MemoryConfig mc = memory::preset("ntm", {5, 3});
  auto wrong = make_controller<double>("lstm", {3}, Options().set("hidden", 4.0), rng);
  CHECK_THROWS_WITH(MemoryAugmented<double>(std::move(wrong), mc, 3, 2, rng),
                    Catch::Contains("its input must be 3 + 3 = 6, got 3"));
  const auto net = make_net(mc, "lstm", 3, 2, 1);
  CHECK_THROWS_WITH(net->logits(MatD::Zero(4, 2)), Catch::Contains("input [4 x 2] must be [T x 3]"));
}

TEST_CASE("an NTM or a DNC runs B sequences of different lengths in one graph as it runs each alone", "[networks][mann][batch]") {
  for (const std::string controller : {"lstm", "gru", "feedforward", "dnc"}) {
    INFO(controller);
    memory::MemoryConfig mc = memory::preset("ntm", {6, 3, 2, 1, 1});  // 2 read heads
    mc.init = memory::InitMode::learned;                                // the learned start, tiled per sequence
    mc.initial_weighting = memory::InitialWeighting::first_slot;
    if (controller == "dnc") mc = memory::preset("dnc", {5, 3, 2, 2});  // usage, allocation, links of 2 write heads
    const auto net = make_net(mc, controller == "dnc" ? "lstm" : controller, 3, 2, 7);
    REQUIRE(net->memory().batches());
    Rng rng(8, "batch");
    const std::vector<MatD> inputs{random_matrix(4, 3, rng, -1, 1), random_matrix(2, 3, rng, -1, 1), random_matrix(5, 3, rng, -1, 1)};
    std::vector<const MatD*> ptrs;
    for (const auto& x : inputs) ptrs.push_back(&x);
    const std::vector<Var<double>> together = net->logits_batch(ptrs);
    REQUIRE(together.size() == 3);
    for (size_t b = 0; b < 3; ++b) {
      REQUIRE(together[b].rows() == inputs[b].rows());
      CHECK((together[b].value() - net->logits(inputs[b]).value()).cwiseAbs().maxCoeff() < 1e-13);
    }
    // the gradient of the summed losses is the sum of each sequence's gradient
    const auto loss = [&](const std::vector<Var<double>>& z) {
      Var<double> total = sum(z[0]);
      for (size_t b = 1; b < z.size(); ++b) total = add(total, sum(mul(z[b], z[b])));
      return total;
    };
    for (auto p : net->parameters()) p.zero_grad();
    backward(loss(together));
    std::vector<MatD> batched;
    for (const auto& p : net->parameters()) batched.push_back(p.grad());
    for (auto p : net->parameters()) p.zero_grad();
    std::vector<Var<double>> alone;
    for (const auto& x : inputs) alone.push_back(net->logits(x));
    backward(loss(alone));
    size_t k = 0;
    for (const auto& p : net->parameters()) CHECK((p.grad() - batched[k++]).cwiseAbs().maxCoeff() < 1e-12);
  }
  // the LRU usage ranks slots per sequence: refused by name, not miscomputed
  const auto lru = make_net(memory::preset("lru", {5, 3}), "lstm", 3, 2, 9);
  CHECK_FALSE(lru->memory().batches());
  const MatD x = MatD::Zero(2, 3);
  CHECK_THROWS_WITH(lru->logits_batch({&x, &x}), Catch::Contains("cannot advance 2 sequences together") && Catch::Contains("takes one sequence"));
  CHECK(lru->logits_batch({&x})[0].rows() == 2);
  CHECK_THROWS_WITH(lru->logits_batch({}), Catch::Contains("at least one sequence"));
  const MatD wrong = MatD::Zero(2, 4);
  CHECK_THROWS_WITH(lru->logits_batch({&wrong}), Catch::Contains("sequence 0 of the batch: input [2 x 4] must be [T x 3]"));
}
