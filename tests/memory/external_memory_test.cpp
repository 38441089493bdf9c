// The external memory: interface layout, whole-step Jacobian checks (write then read with full
// pipelines, over several steps) for the NTM, DNC and LRU configurations, state invariants over
// long runs, the textbook behaviour of each configuration, sequences and errors.
#include "core/gradcheck.h"
#include "memory/external_memory.h"
#include "memory/presets.h"
#include "memory/memory_ops.h"

#include <catch2/catch.hpp>

#include <cmath>

using namespace engram;
using namespace engram::memory;

namespace {

// The trackers' values of a state (memory/trackers.h).
const MatD& usage_of(const MemoryState<double>& s) {
  const auto* u = s.find<UsageState<double>>("usage");
  REQUIRE(u != nullptr);
  return u->usage.value();
}
const MatD& lru_of(const MemoryState<double>& s) {
  const auto* u = s.find<LruState<double>>("lru");
  REQUIRE(u != nullptr);
  return u->usage.value();
}

}  // namespace

namespace {

std::vector<std::string> names(const std::vector<ParamSpec>& specs) {
  std::vector<std::string> out;
  for (const auto& s : specs) out.push_back(s.name);
  return out;
}

// Runs `steps` steps from a fresh state with the given interfaces; returns all reads side by side.
template <class T>
Var<T> run(const ExternalMemory<T>& memory, const std::vector<Var<T>>& interfaces) {
  MemoryState<T> state = memory.initial_state();
  std::vector<Var<T>> reads;
  for (const auto& x : interfaces) reads.push_back(memory.step(state, x));
  return concat(reads, 1);
}

// The raw interface values that put `value` (after the spec's activation) in parameter `name`.
double raw_for(Activation a, double value) {
  switch (a) {
    case Activation::sigmoid: return std::log(value / (1 - value));
    case Activation::oneplus: return std::log(std::exp(value - 1) - 1);
    default: return value;
  }
}

// A raw interface row filled from named values (everything else 0).
MatD interface_row(const ExternalMemory<double>& memory,
                   const std::vector<std::pair<std::string, std::vector<double>>>& values) {
  MatD x = MatD::Zero(1, memory.interface_size());
  for (const auto& [name, v] : values) {
    Index at = 0;
    bool found = false;
    for (const auto& s : memory.interface()) {
      if (s.name == name) {
        REQUIRE(static_cast<Index>(v.size()) == s.size);
        for (Index i = 0; i < s.size; ++i) x(0, at + i) = raw_for(s.activation, v[static_cast<size_t>(i)]);
        found = true;
      }
      at += s.size;
    }
    INFO(name);
    REQUIRE(found);
  }
  return x;
}


}  // namespace

TEST_CASE("the interface lists every head's values in config order, sized for the controller", "[memory]") {
  Rng rng(1);
  SECTION("NTM") {
    ExternalMemory<float> m(preset("ntm", {128, 20, 1, 1, 1}), rng);
    CHECK(names(m.interface()) == std::vector<std::string>{"read0.key", "read0.beta", "read0.gate", "read0.shift",
                                                           "read0.gamma", "write0.key", "write0.beta", "write0.gate",
                                                           "write0.shift", "write0.gamma", "write0.erase", "write0.add"});
    CHECK(m.interface_size() == 2 * (20 + 1 + 1 + 3 + 1) + 2 * 20);
    CHECK(m.read_size() == 20);
    CHECK(m.describe() == "N=128 W=20 | read0: content -> interpolate -> shift -> sharpen | write0: content -> "
                          "interpolate -> shift -> sharpen");
  }
  SECTION("DNC: free gates on read heads, allocation and write gates on the write head") {
    ExternalMemory<float> m(preset("dnc", {16, 8, 2, 1}), rng);
    CHECK(names(m.interface()) == std::vector<std::string>{"read0.key", "read0.beta", "read0.read_mode", "read0.free_gate",
                                                           "read1.key", "read1.beta", "read1.read_mode", "read1.free_gate",
                                                           "write0.key", "write0.beta", "write0.allocation_gate",
                                                           "write0.write_gate", "write0.erase", "write0.add"});
    CHECK(m.interface_size() == 2 * (8 + 1 + 3 + 1) + (8 + 1 + 1 + 1 + 8 + 8));  // the paper's W R + 3W + 5R + 3
    CHECK(m.tracks("usage"));
    CHECK(m.tracks("links"));
    CHECK_FALSE(m.tracks("lru"));
  }
  SECTION("LRU: write heads emit only their gate") {
    ExternalMemory<float> m(preset("lru", {16, 8, 2}), rng);
    CHECK(names(m.interface()) ==
          std::vector<std::string>{"read0.key", "read0.beta", "read1.key", "read1.beta", "write0.alpha", "write1.alpha"});
    CHECK(m.read_size() == 16);
  }
  CHECK(ExternalMemory<float>(preset("ntm", {8, 4}), rng).parameters().empty());
}

TEST_CASE("a whole memory step passes the Jacobian check (write then read, full pipelines, 3 steps)",
          "[memory][gradcheck]") {
  const std::vector<std::pair<std::string, MemoryConfig>> configs = {
      {"ntm", preset("ntm", {6, 3, 1, 1, 1})},
      {"ntm 2 read 2 write", preset("ntm", {6, 3, 2, 2, 1})},
      {"dnc", preset("dnc", {6, 3, 2, 1})},
      {"dnc 2 write heads", preset("dnc", {6, 3, 1, 2})},
      {"lru", preset("lru", {6, 3, 2})},
      {"sparse and hopfield reads", [] {
         MemoryConfig c = preset("ntm", {6, 3});
         Options k;
         k.set("k", 3.0);
         c.heads[0].addressing = {{"topk", k}, {"interpolate"}};
         c.heads.push_back(c.heads[0]);
         c.heads.back().addressing = stages({"hopfield", "sharpen"});
         return c;
       }()},
  };
  for (const auto& [label, config] : configs) {
    for (InitMode init : {InitMode::random, InitMode::learned}) {
      INFO(label << (init == InitMode::learned ? " (learned initial memory)" : ""));
      MemoryConfig c = config;
      c.init = init;
      Rng rng(2, label);
      ExternalMemory<double> memory(c, rng);
      std::vector<Var<double>> xs;
      for (int t = 0; t < 3; ++t) xs.emplace_back(random_matrix(1, memory.interface_size(), rng, -1.5, 1.5), true);
      std::vector<Var<double>> inputs = xs;
      for (const auto& p : memory.parameters()) inputs.push_back(p);
      const VarFn f = [&](const std::vector<Var<double>>&) { return run(memory, xs); };
      CHECK(check_gradient(f, inputs) < 1e-6);
    }
  }
}

TEST_CASE("the memory state stays valid over long random runs", "[memory][dnc]") {
  for (const auto& config : {preset("dnc", {10, 4, 2, 2}), preset("ntm", {10, 4, 2, 1}), preset("lru", {10, 4, 2})}) {
    Rng rng(3);
    ExternalMemory<double> memory(config, rng);
    INFO(memory.describe());
    MemoryState<double> state = memory.initial_state();
    NoGradGuard no_grad;
    for (int t = 0; t < 60; ++t) {
      const Var<double> reads = memory.step(state, Var<double>(random_matrix(1, memory.interface_size(), rng, -3, 3)));
      INFO("step " << t);
      CHECK(reads.value().allFinite());
      for (const auto* ws : {&state.read_weights, &state.write_weights})
        for (const auto& w : *ws) {
          CHECK(w.value().minCoeff() >= 0.0);
          CHECK(w.value().sum() <= 1.0 + 1e-9);
        }
      if (const auto* u = state.find<UsageState<double>>("usage")) {
        CHECK(u->usage.value().minCoeff() >= 0.0);
        CHECK(u->usage.value().maxCoeff() <= 1.0);
      }
      if (const auto* l = state.find<LinksState<double>>("links"))
        for (size_t j = 0; j < l->links.size(); ++j) {
          const MatD& L = l->links[j].value();
          CHECK(L.minCoeff() >= 0.0);
          CHECK(L.diagonal().cwiseAbs().maxCoeff() == 0.0);
          CHECK(L.rowwise().sum().maxCoeff() <= 1.0 + 1e-9);
          CHECK(L.colwise().sum().maxCoeff() <= 1.0 + 1e-9);
          CHECK(l->precedences[j].value().sum() <= 1.0 + 1e-9);
        }
    }
    CHECK(state.steps == 60);
  }
}

TEST_CASE("NTM: a write at a sharp content focus replaces the slot, a read returns it", "[memory][ntm]") {
  Rng rng(4);
  MemoryConfig c = preset("ntm", {4, 3});
  c.init = InitMode::random;
  ExternalMemory<double> memory(c, rng);
  MemoryState<double> state = memory.initial_state();
  const MatD M0 = state.memory.value();
  const std::vector<double> key(M0.row(2).data(), M0.row(2).data() + 3);
  const std::vector<std::pair<std::string, std::vector<double>>> focus = {
      {"key", key}, {"beta", {400}}, {"gate", {1 - 1e-12}}, {"shift", {-50, 50, -50}}, {"gamma", {30}}};
  std::vector<std::pair<std::string, std::vector<double>>> values;
  for (const char* head : {"read0.", "write0."})
    for (const auto& [n, v] : focus) values.emplace_back(head + n, v);
  values.emplace_back("write0.erase", std::vector<double>{1 - 1e-12, 1 - 1e-12, 1 - 1e-12});
  values.emplace_back("write0.add", std::vector<double>{0.3, -0.7, 0.9});
  // the read key must find the new contents: it reads after the write
  for (auto& [n, v] : values)
    if (n == "read0.key") v = {0.3, -0.7, 0.9};
  const MatD r = memory.step(state, Var<double>(interface_row(memory, values))).value();
  CHECK(state.write_weights[0].value()(0, 2) == Approx(1.0).margin(1e-6));
  CHECK(state.memory.value()(2, 1) == Approx(-0.7).margin(1e-6));
  CHECK(state.memory.value().row(0) == M0.row(0));
  CHECK(r(0, 0) == Approx(0.3).margin(1e-4));
  CHECK(r(0, 2) == Approx(0.9).margin(1e-4));
}

TEST_CASE("DNC: allocation writes to fresh slots, temporal reads replay the write order", "[memory][dnc]") {
  Rng rng(5);
  ExternalMemory<double> memory(preset("dnc", {5, 3, 1, 1}), rng);
  MemoryState<double> state = memory.initial_state();
  const std::vector<std::vector<double>> items = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
  // write three items by allocation (free gate 0: nothing is freed)
  std::vector<Index> slots;
  for (const auto& item : items) {
    memory.step(state, Var<double>(interface_row(memory, {{"write0.allocation_gate", {1 - 1e-12}},
                                                          {"write0.write_gate", {1 - 1e-12}},
                                                          {"write0.erase", {1 - 1e-12, 1 - 1e-12, 1 - 1e-12}},
                                                          {"write0.add", item},
                                                          {"read0.free_gate", {1e-12}},
                                                          {"read0.read_mode", {0.0, 50.0, 0.0}}})));
    Index s = 0;
    state.write_weights[0].value().row(0).maxCoeff(&s);
    slots.push_back(s);
  }
  // three different slots (the first is slot 0: all are unused and ties go by index)
  CHECK(slots[0] == 0);
  CHECK(slots[1] != slots[0]);
  CHECK(slots[2] != slots[0]);
  CHECK(slots[2] != slots[1]);
  // usage u_t counts the writes up to t - 1
  CHECK(usage_of(state)(0, slots[0]) > 0.99);
  CHECK(usage_of(state)(0, slots[1]) > 0.99);
  CHECK(usage_of(state)(0, slots[2]) < 1e-6);
  // content read of the first item, then two forward reads (write gate 0: no more writes)
  const auto read = [&](std::vector<double> mode, std::vector<double> key) {
    return memory.step(state, Var<double>(interface_row(memory, {{"write0.write_gate", {1e-12}},
                                                                 {"read0.key", key},
                                                                 {"read0.beta", {200}},
                                                                 {"read0.read_mode", mode},
                                                                 {"read0.free_gate", {1e-12}}})))
        .value();
  };
  const std::vector<double> content{-50, 50, -50}, forward{-50, -50, 50}, backward{50, -50, -50};
  CHECK(read(content, items[0])(0, 0) == Approx(1.0).margin(1e-3));
  CHECK(read(forward, items[0])(0, 1) == Approx(1.0).margin(1e-3));
  CHECK(read(forward, items[0])(0, 2) == Approx(1.0).margin(1e-3));
  CHECK(read(backward, items[0])(0, 1) == Approx(1.0).margin(1e-3));
  // freeing: a free gate of 1 on the slot just read releases it for allocation
  memory.step(state, Var<double>(interface_row(memory, {{"write0.write_gate", {1e-12}}, {"read0.free_gate", {1 - 1e-12}}})));
  CHECK(usage_of(state)(0, slots[1]) < 1e-6);
  CHECK(usage_of(state)(0, slots[0]) > 0.99);
  CHECK(usage_of(state)(0, slots[2]) > 0.99);
}

TEST_CASE("LRU: writes go to the least-used slot (zeroed first) or where the paired head read", "[memory][lru]") {
  Rng rng(6);
  MemoryConfig c = preset("lru", {4, 2, 1});
  c.init = InitMode::random;
  ExternalMemory<double> memory(c, rng);
  MemoryState<double> state = memory.initial_state();
  const MatD M0 = state.memory.value();
  // alpha ~ 0: write the read key to the least-used slot (all unused: slot 0), zeroing it first
  memory.step(state, Var<double>(interface_row(memory, {{"write0.alpha", {1e-12}}, {"read0.key", {0.5, -0.25}}})));
  CHECK(state.memory.value()(0, 0) == Approx(0.5).margin(1e-9));
  CHECK(state.memory.value()(0, 1) == Approx(-0.25).margin(1e-9));
  CHECK(state.memory.value().row(3) == M0.row(3));
  // slot 0 is now the most used (a write and a read); the next write goes to the least-read slot
  CHECK(lru_of(state)(0, 0) > 1.0);
  const Index next = least_used_slots(lru_of(state), 1)[0];
  CHECK(next != 0);
  memory.step(state, Var<double>(interface_row(memory, {{"write0.alpha", {1e-12}}, {"read0.key", {0.1, 0.2}}})));
  CHECK(state.write_weights[0].value()(0, next) == Approx(1.0).margin(1e-9));
  CHECK(state.memory.value()(next, 1) == Approx(0.2).margin(1e-9));
  CHECK(state.memory.value()(0, 0) == Approx(0.5).margin(1e-9));
  // alpha ~ 1: write where the paired read head read at the last step (no least-used slot)
  const MatD last_read = state.read_weights[0].value();
  memory.step(state, Var<double>(interface_row(memory, {{"write0.alpha", {1 - 1e-12}}, {"read0.key", {0.1, 0.2}}})));
  CHECK((state.write_weights[0].value() - last_read).cwiseAbs().maxCoeff() < 1e-9);
}

TEST_CASE("sequences reset by default, or carry the state over as constants", "[memory]") {
  Rng rng(7);
  MemoryConfig c = preset("ntm", {6, 3});
  ExternalMemory<double> reset(c, rng);
  c.reset_between_sequences = false;
  ExternalMemory<double> carry(c, rng);
  for (const ExternalMemory<double>* m : {&reset, &carry}) {
    MemoryState<double> s = m->initial_state();
    const Var<double> x(random_matrix(1, m->interface_size(), rng), true);
    m->step(s, x);
    const MemoryState<double> next = m->next_sequence(s);
    CHECK(next.steps == 0);
    if (m == &reset) {
      CHECK(next.memory.value() == m->initial_state().memory.value());
    } else {
      CHECK(next.memory.value() == s.memory.value());
      CHECK_FALSE(next.memory.requires_grad());
      CHECK_FALSE(next.read_weights[0].requires_grad());
    }
  }
}

TEST_CASE("initial memory and weightings follow the config", "[memory]") {
  Rng rng(8);
  MemoryConfig c = preset("ntm", {5, 2});
  c.initial_weighting = InitialWeighting::uniform;
  MemoryState<float> s = ExternalMemory<float>(c, rng).initial_state();
  CHECK(s.memory.value().isConstant(1e-6f));
  CHECK(s.read_weights[0].value().isConstant(0.2f));
  CHECK(s.tracked.empty());  // an NTM keeps no trackers
  c.initial_weighting = InitialWeighting::first_slot;
  c.init = InitMode::learned;
  ExternalMemory<float> learned(c, rng);
  CHECK(learned.named_parameters().at(0).name == "initial_memory");
  CHECK(learned.initial_state().read_weights[0].value()(0, 0) == 1.0f);
  CHECK(learned.initial_state().memory.requires_grad());
  CHECK(ExternalMemory<float>(preset("dnc", {5, 2}), rng).initial_state().memory.value().isZero());
}

TEST_CASE("float memories run the same steps as double ones", "[memory]") {
  for (const auto& config : {preset("ntm", {32, 8, 2, 1}), preset("dnc", {32, 8, 2, 1}), preset("lru", {32, 8, 2})}) {
    Rng rf(9), rd(9);
    ExternalMemory<float> mf(config, rf);
    ExternalMemory<double> md(config, rd);
    MemoryState<float> sf = mf.initial_state();
    MemoryState<double> sd = md.initial_state();
    Rng rng(10);
    for (int t = 0; t < 8; ++t) {
      const MatD x = random_matrix(1, md.interface_size(), rng, -2, 2);
      const MatF rf_ = mf.step(sf, Var<float>(x.cast<float>())).value();
      const MatD rd_ = md.step(sd, Var<double>(x)).value();
      CHECK((rf_.cast<double>() - rd_).cwiseAbs().maxCoeff() < 1e-4);
    }
  }
}

TEST_CASE("head and memory configs from options, with errors that start with the key", "[memory][config]") {
  Options h;
  h.set("erase", "least_used").set("add", "read_key").set("pair", 1.0);
  const HeadConfig hc = head_config(HeadKind::write, stages({"lru"}), h);
  CHECK(hc.erase == EraseMode::least_used);
  CHECK(hc.add == AddMode::read_key);
  CHECK(hc.pair == 1);
  Options m;
  m.set("slots", 64.0).set("width", 12.0).set("init", "learned").set("reset", "false").set("lru_decay", 0.9);
  const MemoryConfig mc = memory_config({head_config(HeadKind::read, stages({"content"}))}, m);
  CHECK(mc.slots == 64);
  CHECK(mc.width == 12);
  CHECK(mc.init == InitMode::learned);
  CHECK_FALSE(mc.reset_between_sequences);
  CHECK(mc.lru_decay == Approx(0.9));
  Options bad;
  bad.set("erase", "some");
  CHECK_THROWS_WITH(head_config(HeadKind::write, stages({"content"}), bad), Catch::StartsWith("erase: must be one of"));
  Options typo;
  typo.set("slot", 3.0);
  CHECK_THROWS_WITH(memory_config({}, typo), Catch::StartsWith("slot") && Catch::Contains("slots"));
  Options neg;
  neg.set("width", -2.0);
  CHECK_THROWS_WITH(memory_config({}, neg), Catch::StartsWith("width:"));
}

TEST_CASE("memories reject bad configs and interfaces, naming what is wrong", "[memory][errors]") {
  Rng rng(11);
  CHECK_THROWS_WITH(preset("ntm", {8, 4, 0, 1}), Catch::Contains("read_heads: must be in [1, 256], got 0"));
  CHECK_THROWS_WITH(preset("dnc", {8, 4, 1 << 30, 1}), Catch::Contains("read_heads: must be in [1, 256]"));
  CHECK_THROWS_WITH(preset("lru", {1 << 20, 1 << 20}), Catch::Contains("N * W <= 2^30"));
  MemoryConfig no_reads = preset("ntm", {8, 4, 1, 1});
  no_reads.heads.erase(no_reads.heads.begin());  // the read head
  CHECK_THROWS_WITH(ExternalMemory<float>(no_reads, rng), Catch::Contains("at least one read head"));
  MemoryConfig bad_stage = preset("ntm", {8, 4});
  bad_stage.heads[1].addressing[2].options.set("rnage", 1.0);
  CHECK_THROWS_WITH(ExternalMemory<float>(bad_stage, rng),
                    Catch::Contains("write0 stage 2") && Catch::Contains("rnage"));
  MemoryConfig erase_lru = preset("ntm", {8, 4});
  erase_lru.heads[1].erase = EraseMode::least_used;
  CHECK_THROWS_WITH(ExternalMemory<float>(erase_lru, rng), Catch::Contains("write0") && Catch::Contains("lru"));
  MemoryConfig keyless = preset("lru", {8, 4});
  keyless.heads[0].addressing = stages({"lru"});
  CHECK_THROWS_WITH(ExternalMemory<float>(keyless, rng), Catch::Contains("no key"));
  MemoryConfig pair = preset("lru", {8, 4});
  pair.heads[1].pair = 3;
  CHECK_THROWS_WITH(ExternalMemory<float>(pair, rng), Catch::Contains("read head 3"));
  ExternalMemory<float> m(preset("ntm", {8, 4}), rng);
  MemoryState<float> s = m.initial_state();
  CHECK_THROWS_WITH(m.step(s, Var<float>(MatF::Zero(1, 5))),
                    Catch::Contains("[B x " + std::to_string(m.interface_size()) + "]") && Catch::Contains("[1 x 5]"));
  MemoryState<float> empty;
  CHECK_THROWS_WITH(m.step(empty, Var<float>(MatF::Zero(1, m.interface_size()))), Catch::Contains("initial_state"));
}
