// Every registered addressing stage, from the registry: a newly registered stage is
// Jacobian-checked and checked against the stage contract here without new test code
// (docs/addressing.md). Then the textbook behaviour of each built-in stage, and pipelines.
#include "core/gradcheck.h"
#include "memory/addressing.h"
#include "memory/addressing_fixture.h"
#include "memory/memory_ops.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <set>

using namespace engram;
using namespace engram::memory;

namespace {

const AddressingShape kShape{10, 4, 1, 1};

MatD row(std::initializer_list<double> v) {
  MatD m(1, static_cast<Index>(v.size()));
  Index i = 0;
  for (double x : v) m(0, i++) = x;
  return m;
}

}  // namespace

TEST_CASE("the built-in addressing stages are registered for float and double", "[addressing][registry]") {
  for (const char* name : {"content", "interpolate", "shift", "sharpen", "allocate", "temporal", "lru", "topk", "hopfield"}) {
    INFO(name);
    CHECK(addressing_stages<float>().contains(name));
    CHECK(addressing_stages<double>().contains(name));
  }
  CHECK(addressing_stages<float>().names() == addressing_stages<double>().names());
}

TEST_CASE("every registered stage passes the Jacobian check in the interface, memory, weightings and state",
          "[addressing][gradcheck]") {
  for (const auto& name : addressing_stages<double>().names()) {
    for (std::uint64_t seed : {1u, 2u}) {
      INFO("stage " << name << " seed " << seed);
      Rng rng(seed, name);
      auto stage = make_stage<double>(name, kShape, {}, rng);
      AddressingFixture<double> fx(*stage, kShape, rng, true);
      std::vector<Var<double>> leaves = fx.leaves();
      for (const auto& p : stage->parameters()) leaves.push_back(p);
      const VarFn f = [&](const std::vector<Var<double>>&) { return fx.run(*stage); };
      CHECK(check_gradient(f, leaves) < 1e-6);
      CHECK(check_backward_adds(f, leaves) < 1e-12);
    }
  }
}

TEST_CASE("every stage returns a weighting: [1 x N], >= 0, summing to at most 1", "[addressing]") {
  for (const auto& name : addressing_stages<double>().names()) {
    for (const AddressingShape shape : {kShape, AddressingShape{16, 3, 2, 2}, AddressingShape{64, 8, 1, 1}}) {
      for (std::uint64_t seed = 0; seed < 5; ++seed) {
        INFO("stage " << name << " N=" << shape.slots << " seed " << seed);
        Rng rng(seed, name);
        auto stage = make_stage<double>(name, shape, {}, rng);
        AddressingFixture<double> fx(*stage, shape, rng, false);
        // raw interface values of either sign and size, as an untrained controller emits
        fx.interface.mutable_value() = random_matrix(1, fx.interface.cols(), rng, -4, 4);
        const MatD w = fx.run(*stage).value();
        REQUIRE(w.rows() == 1);
        REQUIRE(w.cols() == shape.slots);
        CHECK(w.allFinite());
        CHECK(w.minCoeff() >= 0.0);
        CHECK(w.sum() <= 1.0 + 1e-12);
      }
    }
  }
}

TEST_CASE("every stage declares unique, sized parameters and rejects unknown options by name", "[addressing][errors]") {
  for (const auto& name : addressing_stages<double>().names()) {
    INFO("stage " << name);
    Rng rng(3);
    auto stage = make_stage<double>(name, kShape, {}, rng);
    std::set<std::string> seen;
    for (const auto& p : stage->params()) {
      CHECK(p.size >= 1);
      CHECK(seen.insert(p.name).second);
    }
    Options bad;
    bad.set("rnage", "3");
    CHECK_THROWS_WITH(make_stage<double>(name, kShape, bad, rng), Catch::Contains("rnage"));
    CHECK_THROWS_AS(make_stage<double>(name, AddressingShape{0, 4, 1, 1}, {}, rng), std::invalid_argument);
  }
  Rng rng(4);
  CHECK_THROWS_WITH(make_stage<double>("contnet", kShape, {}, rng),
                    Catch::Contains("did you mean 'content'") && Catch::Contains("known: allocate"));
}

TEST_CASE("stages with non-default options pass the Jacobian check too", "[addressing][gradcheck]") {
  const auto opts = [](std::initializer_list<std::pair<const char*, double>> kv) {
    Options o;
    for (const auto& [k, v] : kv) o.set(k, v);
    return o;
  };
  const std::vector<std::pair<std::string, Options>> cases = {
      {"content", opts({{"beta", 4.0}})},          {"topk", opts({{"k", 3.0}})},
      {"topk", opts({{"k", 3.0}, {"beta", 2.0}})}, {"hopfield", opts({{"steps", 3.0}, {"beta", 2.0}})},
      {"shift", opts({{"range", 3.0}})},           {"sharpen", opts({{"eps", 1e-6}})},
      {"temporal", opts({{"write_head", 1.0}})},
  };
  for (const auto& [name, opt] : cases) {
    INFO(name << " " << opt.keys().front());
    Rng rng(9, name);
    const AddressingShape shape{10, 4, 2, 2};
    auto stage = make_stage<double>(name, shape, opt, rng);
    AddressingFixture<double> fx(*stage, shape, rng, true);
    const VarFn f = [&](const std::vector<Var<double>>&) { return fx.run(*stage); };
    CHECK(check_gradient(f, fx.leaves()) < 1e-6);
  }
  Options softplus;
  softplus.set("beta_activation", "softplus");
  Rng rng(10);
  auto content = make_stage<double>("content", kShape, softplus, rng);
  CHECK(content->params()[1].activation == Activation::softplus);
  AddressingFixture<double> fx(*content, kShape, rng, true);
  CHECK(check_gradient([&](const std::vector<Var<double>>&) { return fx.run(*content); }, fx.leaves()) < 1e-6);
  softplus.set("beta", 2.0);
  CHECK_THROWS_WITH(make_stage<double>("content", kShape, softplus, rng), Catch::Contains("beta_activation"));
}

// ---- textbook behaviour of the built-in stages ------------------------------------------------

namespace {

// A fixture over a given memory, with chosen (already activated) parameter values.
struct Setup {
  Var<double> memory;
  Var<double> previous = Var<double>(MatD::Zero(1, 3));
  MemoryState<double> state;
  HeadParams<double> params{"test head"};
  AddressContext<double> ctx() const {
    AddressContext<double> c;
    c.memory = memory;
    c.previous = previous;
    c.params = &params;
    c.state = &state;
    c.kind = HeadKind::write;
    return c;
  }
};

Var<double> run(const std::string& name, const Setup& s, const Var<double>& w = {}, const Options& opt = {}) {
  Rng rng(1);
  auto stage = make_stage<double>(name, {s.memory.rows(), s.memory.cols(), 1, 1}, opt, rng);
  return stage->apply(w, s.ctx());
}

}  // namespace

TEST_CASE("content addressing is softmax(beta cos(M_i, key))", "[addressing]") {
  Setup s;
  MatD m(3, 2);
  m << 1, 0, 0, 1, 1, 1;
  s.memory = Var<double>(m);
  s.params.set("key", Var<double>(row({2, 0})));
  s.params.set("beta", Var<double>(row({3})));
  const MatD w = run("content", s).value();
  const double c2 = 1 / std::sqrt(2.0);
  const double z = std::exp(3.0) + std::exp(0.0) + std::exp(3 * c2);
  CHECK(w(0, 0) == Approx(std::exp(3.0) / z));
  CHECK(w(0, 1) == Approx(1 / z));
  CHECK(w(0, 2) == Approx(std::exp(3 * c2) / z));
  Options fixed;
  fixed.set("beta", 1.0);
  Rng rng(2);
  CHECK(make_stage<double>("content", {3, 2}, fixed, rng)->params().size() == 1);  // key only
  const MatD w1 = run("content", s, {}, fixed).value();
  CHECK(w1(0, 0) / w1(0, 1) == Approx(std::exp(1.0)));
}

TEST_CASE("hopfield addressing is one modern-Hopfield update: softmax(beta M key)", "[addressing]") {
  Setup s;
  MatD m(3, 4);
  m << 1, 0, 0, 0, 0, 2, 0, 0, 1, 1, 1, 1;
  s.memory = Var<double>(m);
  s.params.set("key", Var<double>(row({1, 1, 0, 0})));
  const MatD w = run("hopfield", s).value();  // beta = 1/sqrt(4): scores 0.5, 1, 1
  const double z = std::exp(0.5) + 2 * std::exp(1.0);
  CHECK(w(0, 0) == Approx(std::exp(0.5) / z));
  CHECK(w(0, 1) == Approx(std::exp(1.0) / z));
  // dot product, not cosine: slot 1 (norm 2) and slot 2 (norm 2, cosine 1/sqrt 2) tie
  CHECK(w(0, 1) == Approx(w(0, 2)));
  Options two;
  two.set("steps", 2.0);
  two.set("beta", 8.0);
  // a second update from xi = w M converges further towards a stored pattern
  const MatD w2 = run("hopfield", s, {}, two).value();
  CHECK(w2.sum() == Approx(1.0));
}

TEST_CASE("topk keeps the k most similar slots and renormalises over them", "[addressing]") {
  Setup s;
  Rng rng(5);
  s.memory = Var<double>(random_matrix(12, 3, rng));
  s.params.set("key", Var<double>(random_matrix(1, 3, rng)));
  s.params.set("beta", Var<double>(row({2})));
  Options o;
  o.set("k", 4.0);
  const MatD w = run("topk", s, {}, o).value();
  const MatD full = run("content", s).value();
  CHECK((w.array() > 0).count() == 4);
  CHECK(w.sum() == Approx(1.0));
  // the kept slots are the four largest of the dense content weighting, in the same ratios
  std::vector<double> sorted(full.data(), full.data() + full.size());
  std::sort(sorted.rbegin(), sorted.rend());
  for (Index i = 0; i < 12; ++i) {
    if (w(0, i) > 0) CHECK(full(0, i) >= sorted[3]);
  }
  Options big;
  big.set("k", 13.0);
  CHECK_THROWS_WITH(run("topk", s, {}, big), Catch::Contains("k: must be in [1, 12]"));
}

TEST_CASE("interpolate, shift and sharpen: the NTM location stages", "[addressing]") {
  Setup s;
  s.memory = Var<double>(MatD::Zero(5, 2));
  s.previous = Var<double>(row({0, 0, 0, 0, 1}));
  const Var<double> w(row({0, 1, 0, 0, 0}));
  SECTION("interpolate mixes with the previous weighting") {
    s.params.set("gate", Var<double>(row({0.25})));
    const MatD out = run("interpolate", s, w).value();
    CHECK(out(0, 1) == Approx(0.25));
    CHECK(out(0, 4) == Approx(0.75));
  }
  SECTION("shift moves the focus by the kernel's offsets, circularly") {
    Options r2;
    r2.set("range", 2.0);
    s.params.set("shift", Var<double>(row({0, 0, 0, 0, 1})));  // offset +2
    CHECK(run("shift", s, w, r2).value()(0, 3) == Approx(1.0));
    s.params.set("shift", Var<double>(row({1, 0, 0})));  // offset -1 from slot 0 wraps to slot 4
    CHECK(run("shift", s, Var<double>(row({1, 0, 0, 0, 0}))).value()(0, 4) == Approx(1.0));
    Options too_far;
    too_far.set("range", 3.0);  // 2R + 1 = 7 > N = 5
    CHECK_THROWS_WITH(run("shift", s, w, too_far), Catch::Contains("range"));
  }
  SECTION("sharpen raises to gamma and renormalises") {
    s.params.set("gamma", Var<double>(row({2})));
    const MatD out = run("sharpen", s, Var<double>(row({0.5, 0.25, 0.25, 0, 0}))).value();
    CHECK(out(0, 0) == Approx(0.25 / 0.375));
    CHECK(out(0, 1) == Approx(0.0625 / 0.375));
    CHECK(out(0, 4) == Approx(0.0).margin(1e-20));
  }
}

TEST_CASE("allocate writes to the least-used slot when the allocation gate is open", "[addressing]") {
  Setup s;
  s.memory = Var<double>(MatD::Zero(3, 2));
  const Var<double> usage(row({0.5, 0.1, 0.9}));
  s.state.tracked = {UsageState<double>{usage, usage}};  // a stage alone reads its tracker k at position k
  s.params.set("allocation_gate", Var<double>(row({1})));
  s.params.set("write_gate", Var<double>(row({1})));
  const Var<double> content(row({0, 0, 1}));
  MatD w = run("allocate", s, content).value();
  // sorted usage 0.1 (slot 1), 0.5 (slot 0), 0.9 (slot 2)
  CHECK(w(0, 1) == Approx(0.9));
  CHECK(w(0, 0) == Approx(0.5 * 0.1));
  CHECK(w(0, 2) == Approx(0.1 * 0.1 * 0.5));
  s.params.set("allocation_gate", Var<double>(row({0})));
  s.params.set("write_gate", Var<double>(row({0.5})));
  w = run("allocate", s, content).value();
  CHECK(w(0, 2) == Approx(0.5));
  CHECK(w(0, 0) == 0.0);
}

TEST_CASE("temporal reads follow the link matrix forward and backward", "[addressing]") {
  Setup s;
  s.memory = Var<double>(MatD::Zero(3, 2));
  MatD L = MatD::Zero(3, 3);
  L(1, 0) = 1;  // slot 1 was written right after slot 0
  L(2, 1) = 1;  // slot 2 right after slot 1
  s.state.tracked = {LinksState<double>{{Var<double>(L)}, {Var<double>(MatD::Zero(1, 3))}}};
  s.previous = Var<double>(row({0, 1, 0}));  // last read slot 1
  const Var<double> content(row({1, 0, 0}));
  s.params.set("read_mode", Var<double>(row({0, 0, 1})));  // forward
  CHECK(run("temporal", s, content).value()(0, 2) == Approx(1.0));
  s.params.set("read_mode", Var<double>(row({1, 0, 0})));  // backward
  CHECK(run("temporal", s, content).value()(0, 0) == Approx(1.0));
  s.params.set("read_mode", Var<double>(row({0, 1, 0})));  // content
  CHECK(run("temporal", s, content).value() == content.value());
}

TEST_CASE("lru mixes the paired read head's last weighting with the least-used slot", "[addressing]") {
  Setup s;
  s.memory = Var<double>(MatD::Zero(4, 2));
  s.state.read_weights = {Var<double>(row({0, 0.5, 0.5, 0}))};
  s.state.tracked = {LruState<double>{Var<double>(row({2.0, 0.3, 1.5, 0.7}))}};
  s.params.set("alpha", Var<double>(row({0.25})));
  const MatD w = run("lru", s).value();
  CHECK(w(0, 1) == Approx(0.25 * 0.5 + 0.75));  // slot 1 is the least used
  CHECK(w(0, 2) == Approx(0.125));
  CHECK(w(0, 0) == 0.0);
  CHECK(w.sum() == Approx(1.0));
}

// ---- pipelines ---------------------------------------------------------------------------------

TEST_CASE("a pipeline runs its stages in order and collects their parameters", "[addressing][pipeline]") {
  Rng rng(7);
  std::vector<StageConfig> cfg = stages({"content", "interpolate", "shift", "sharpen"});
  cfg[2].options.set("range", 2.0);
  auto p = make_pipeline<double>(cfg, kShape, rng);
  CHECK(p->describe() == "content -> interpolate -> shift -> sharpen");
  REQUIRE(p->params().size() == 5);
  CHECK(p->params()[0].name == "key");
  CHECK(p->params()[3].name == "shift");
  CHECK(p->params()[3].size == 5);
  CHECK(interface_size(p->params()) == 4 + 1 + 1 + 5 + 1);
  CHECK(p->trackers().empty());

  // the same as running the stages one after the other
  AddressingFixture<double> fx(*make_stage<double>("content", kShape, {}, rng), kShape, rng, false);
  const Var<double> raw(random_matrix(1, interface_size(p->params()), rng));
  const HeadParams<double> params = split_interface(raw, p->params());
  AddressContext<double> ctx;
  ctx.memory = fx.memory;
  ctx.previous = fx.previous;
  ctx.params = &params;
  ctx.state = &fx.state;
  Var<double> w;
  for (Index i = 0; i < p->size(); ++i) w = p->stage(i).apply(w, ctx);
  CHECK((p->apply(ctx).value() - w.value()).cwiseAbs().maxCoeff() == 0.0);
  CHECK(p->apply(ctx).value().sum() == Approx(1.0));
}

TEST_CASE("pipelines reject a refining stage first, a source stage later, and name the stage", "[addressing][pipeline][errors]") {
  Rng rng(8);
  CHECK_THROWS_WITH(make_pipeline<double>(stages({"shift", "content"}), kShape, rng),
                    Catch::Contains("stage 0 'shift'") && Catch::Contains("cannot come first"));
  CHECK_THROWS_WITH(make_pipeline<double>(stages({"content", "hopfield"}), kShape, rng),
                    Catch::Contains("stage 1 'hopfield'") && Catch::Contains("must be the first"));
  CHECK_THROWS_WITH(make_pipeline<double>({}, kShape, rng), Catch::Contains("at least one stage"));
  std::vector<StageConfig> bad = stages({"content", "shift"});
  bad[1].options.set("rang", 1.0);
  CHECK_THROWS_WITH(make_pipeline<double>(bad, kShape, rng), Catch::Contains("stage 1") && Catch::Contains("rang"));
  CHECK_THROWS_WITH(make_pipeline<double>(stages({"content", "sharpn"}), kShape, rng),
                    Catch::Contains("did you mean 'sharpen'"));
}

TEST_CASE("every stage that says it batches gives each of B sequences what it gives that sequence alone", "[addressing][batch]") {
  Index batching = 0;
  for (const auto& name : addressing_stages<double>().names()) {
    Rng rng(5, name);
    auto stage = make_stage<double>(name, kShape, {}, rng);
    if (!stage->batches()) continue;
    ++batching;
    // (stages that read trackers, the DNC's allocate and temporal, are held to the same through
    // whole networks in tests/networks/memory_augmented_test.cpp: their tracker values batch too)
    if (!stage->trackers().empty()) continue;
    INFO("stage " << name);
    std::vector<AddressingFixture<double>> alone;
    for (int b = 0; b < 3; ++b) alone.emplace_back(*stage, kShape, rng, false);
    const auto stack = [&](auto field) {  // the three sequences' values, a block each: a leaf
      std::vector<Var<double>> parts;
      for (const auto& fx : alone) parts.push_back(Var<double>((fx.*field).value()));
      return Var<double>(concat(parts, 0).value(), true);
    };
    const Var<double> interface = stack(&AddressingFixture<double>::interface), memory = stack(&AddressingFixture<double>::memory);
    const Var<double> previous = stack(&AddressingFixture<double>::previous), incoming = stack(&AddressingFixture<double>::incoming);
    REQUIRE((memory.rows() == 3 * kShape.slots && previous.rows() == 3));
    const auto run = [&](const Var<double>& in, const Var<double>& mem, const Var<double>& prev, const Var<double>& inc) {
      const HeadParams<double> params = split_interface(in, alone[0].specs, "batch");
      AddressContext<double> ctx;
      ctx.memory = mem;
      ctx.previous = prev;
      ctx.params = &params;
      ctx.state = &alone[0].state;
      ctx.kind = HeadKind::write;
      return stage->apply(stage->refines() ? inc : Var<double>(), ctx);
    };
    const MatD together = run(interface, memory, previous, incoming).value();
    REQUIRE((together.rows() == 3 && together.cols() == kShape.slots));
    for (int b = 0; b < 3; ++b) CHECK((together.row(b) - alone[static_cast<size_t>(b)].run(*stage).value()).cwiseAbs().maxCoeff() < 1e-14);
    const std::vector<Var<double>> leaves{interface, memory, previous, incoming};
    CHECK(check_gradient([&](const std::vector<Var<double>>& v) { return run(v[0], v[1], v[2], v[3]); }, leaves) < 1e-6);
  }
  CHECK(batching >= 6);  // content, interpolate, shift, sharpen; allocate, temporal
}
