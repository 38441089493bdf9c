// Forward + backward of every registered addressing stage, straight from the registry (a newly
// registered stage is benchmarked without new code, docs/addressing.md), and of whole memory
// steps of the NTM, DNC and LRU configurations.
//
//   build/bench/memory/bench_addressing --benchmark_counters_tabular=true
//
// stage/<name>/N:<slots>: one head's stage in the random valid setting of
//   memory/addressing_fixture.h, W = 20, N = 128 and 1024; gradients to every input it reads.
// step/<config>/N:<slots>: a sequence of 8 memory steps (1 read and 1 write head, W = 20) from
//   a fresh state, then the backward pass through all of them; the counter is steps per second.
// recall/<name>/N:<slots>: every source stage that takes a key [1 x W] (content-like addressing),
//   asked for 256 stored slots by noisy keys (slot + N(0, 1) noise per entry; slots N(0, 1)
//   with row norms scaled by U(0.5, 1.5)); the counter "recall" is the share of queries whose
//   largest weight is on the right slot. Forward only.
#include "bench/bench_main.h"
#include "core/gradcheck.h"
#include "memory/addressing_fixture.h"
#include "memory/external_memory.h"
#include "memory/presets.h"

#include <benchmark/benchmark.h>

using namespace engram;
using namespace engram::memory;

namespace {

constexpr Index kWidth = 20;

void run_stage(benchmark::State& st, const std::string& name, Index n) {
  Rng rng(1, name);
  const AddressingShape shape{n, kWidth, 1, 1};
  auto stage = make_stage<float>(name, shape, {}, rng);
  AddressingFixture<float> fx(*stage, shape, rng, true);
  const MatF seed = MatF::Ones(1, n);
  const GradSink<float> drop = [](Node<float>&, MatF&&) {};  // time the stage, not leaf accumulation
  for (auto _ : st) {
    Var<float> w = fx.run(*stage);
    backward(w, seed, drop);
    benchmark::DoNotOptimize(w.value().data());
  }
  st.counters["slots_per_s"] = benchmark::Counter(double(n) * double(st.iterations()), benchmark::Counter::kIsRate);
}

void run_step(benchmark::State& st, const MemoryConfig& config, Index steps) {
  Rng rng(2);
  ExternalMemory<float> memory(config, rng);
  std::vector<Var<float>> xs;
  for (Index t = 0; t < steps; ++t)
    xs.emplace_back(random_matrix(1, memory.interface_size(), rng, -2, 2).cast<float>(), true);
  const GradSink<float> drop = [](Node<float>&, MatF&&) {};
  for (auto _ : st) {
    MemoryState<float> state = memory.initial_state();
    std::vector<Var<float>> reads;
    for (const auto& x : xs) reads.push_back(memory.step(state, x));
    Var<float> loss = sum(concat(reads, 1));
    backward(loss, drop);
    benchmark::DoNotOptimize(loss.value().data());
  }
  st.counters["steps_per_s"] = benchmark::Counter(double(steps) * double(st.iterations()), benchmark::Counter::kIsRate);
}

// The column of spec `name` in the stage's interface, or -1.
Index column_of(const std::vector<ParamSpec>& specs, const std::string& name, Index size) {
  Index at = 0;
  for (const auto& s : specs) {
    if (s.name == name && s.size == size && s.activation == Activation::identity) return at;
    at += s.size;
  }
  return -1;
}

bool is_content_like(const AddressingStage<float>& stage) {
  return !stage.refines() && column_of(stage.params(), "key", kWidth) >= 0;
}

void run_recall(benchmark::State& st, const std::string& name, Index n) {
  Rng rng(3, "recall");
  const AddressingShape shape{n, kWidth, 1, 1};
  auto stage = make_stage<float>(name, shape, {}, rng);
  AddressingFixture<float> fx(*stage, shape, rng, false);
  MatF M(n, kWidth);
  for (Index i = 0; i < n; ++i) {
    for (Index j = 0; j < kWidth; ++j) M(i, j) = float(rng.normal());
    M.row(i) *= float(rng.uniform(0.5, 1.5));
  }
  fx.memory.mutable_value() = M;
  fx.interface.mutable_value().setZero();  // other values (key strengths): raw 0
  const Index key_at = column_of(fx.specs, "key", kWidth);
  std::vector<std::pair<Index, MatF>> queries;
  for (int q = 0; q < 256; ++q) {
    const Index target = Index(rng.below(std::uint64_t(n)));
    MatF key = M.row(target);
    for (Index j = 0; j < kWidth; ++j) key(0, j) += float(rng.normal());
    queries.emplace_back(target, key);
  }
  NoGradGuard no_grad;
  int correct = 0;
  for (auto _ : st) {
    correct = 0;
    for (const auto& [target, key] : queries) {
      fx.interface.mutable_value().middleCols(key_at, kWidth) = key;
      const Var<float> w = fx.run(*stage);
      Index best = 0;
      w.value().row(0).maxCoeff(&best);
      correct += best == target;
    }
  }
  st.counters["recall"] = double(correct) / double(queries.size());
  st.counters["queries_per_s"] =
      benchmark::Counter(double(queries.size()) * double(st.iterations()), benchmark::Counter::kIsRate);
}

}  // namespace

int main(int argc, char** argv) {
  for (const auto& name : addressing_stages<float>().names())
    for (Index n : {Index{128}, Index{1024}})
      benchmark::RegisterBenchmark(("stage/" + name + "/N:" + std::to_string(n)).c_str(),
                                   [name, n](benchmark::State& st) { run_stage(st, name, n); });
  for (Index n : {Index{128}, Index{1024}}) {
    const std::vector<std::pair<std::string, MemoryConfig>> configs = {
        {"ntm", preset("ntm", {n, kWidth})}, {"dnc", preset("dnc", {n, kWidth})}, {"lru", preset("lru", {n, kWidth})}};
    for (const auto& c : configs) {
      const MemoryConfig config = c.second;
      benchmark::RegisterBenchmark(("step/" + c.first + "/N:" + std::to_string(n)).c_str(),
                                   [config](benchmark::State& st) { run_step(st, config, 8); });
    }
  }
  for (const auto& name : addressing_stages<float>().names()) {
    Rng rng(0);
    if (!is_content_like(*make_stage<float>(name, {128, kWidth, 1, 1}, {}, rng))) continue;
    for (Index n : {Index{128}, Index{1024}})
      benchmark::RegisterBenchmark(("recall/" + name + "/N:" + std::to_string(n)).c_str(),
                                   [name, n](benchmark::State& st) { run_recall(st, name, n); });
  }
  return bench::run_benchmarks(argc, argv);
}
