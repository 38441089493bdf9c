// Training cost of the memory-augmented networks (networks/memory_augmented.h): forward and
// backward of one whole training sequence of the copy task, as the trainer runs it (the loss of
// one episode, gradients accumulated into the parameters), for the NTM, DNC and LRU-MANN memories
// of 1 read + 1 write head, W = 20, an LSTM controller of 100 units, at N = 128 and N = 1024.
//
//   build/bench/memory/bench_mann --benchmark_counters_tabular=true
//
// seq/<memory>/N:<slots>/L:<length>: one copy episode of L random 8-bit vectors (T = 2L + 1
//   steps; input 9 channels, output 8), logits of every step, masked per-bit cross-entropy over
//   the L answer steps, backward through all steps. The time is per sequence; counters
//   steps_per_s (T per sequence) and seqs_per_s.
// fwd/<memory>/N:<slots>/L:<length>: the same forward pass without gradients (evaluation).
#include "bench/bench_main.h"
#include "core/gradcheck.h"
#include "networks/memory_augmented.h"

#include <benchmark/benchmark.h>

using namespace engram;
using namespace engram::networks;

namespace {

constexpr Index kWidth = 20, kBits = 8, kHidden = 100;

memory::MemoryConfig config_of(const std::string& name, Index n) {
  if (name == "ntm") return memory::preset("ntm", {n, kWidth});
  if (name == "dnc") return memory::preset("dnc", {n, kWidth});
  return memory::preset("lru", {n, kWidth});
}

struct Episode {
  MatF input, target, mask;
};

// The copy layout of experiments/tasks/algorithmic/copy.h: L vectors, a delimiter, L answers.
Episode copy_episode(Index length, Rng& rng) {
  const Index T = 2 * length + 1;
  Episode e{MatF::Zero(T, kBits + 1), MatF::Zero(T, kBits), MatF::Zero(T, 1)};
  for (Index t = 0; t < length; ++t)
    for (Index b = 0; b < kBits; ++b) e.input(t, b) = rng.uniform() < 0.5 ? 0.0f : 1.0f;
  e.input(length, kBits) = 1;
  e.target.bottomRows(length) = e.input.topRows(length).leftCols(kBits);
  e.mask.bottomRows(length).setOnes();
  return e;
}

std::unique_ptr<MemoryAugmented<float>> make_net(const std::string& name, Index n) {
  Rng rng(1, "bench-mann");
  const memory::MemoryConfig mc = config_of(name, n);
  auto controller = make_controller<float>("lstm", {MemoryAugmented<float>::controller_input(mc, kBits + 1)},
                                           Options().set("hidden", double(kHidden)), rng);
  return std::make_unique<MemoryAugmented<float>>(std::move(controller), mc, kBits + 1, kBits, rng);
}

void run_sequence(benchmark::State& st, const std::string& name, Index n, Index length, bool train) {
  const auto net = make_net(name, n);
  Rng rng(2, "episode");
  const Episode e = copy_episode(length, rng);
  const Index answers = length;
  for (auto _ : st) {
    if (train) {
      // masked_bce of bit_sequence.h: the answer rows only, mean over their bits
      const Var<float> z = slice_rows(net->logits(e.input), e.input.rows() - answers, answers);
      const Var<float> loss = bce_with_logits(z, e.target.bottomRows(answers));
      backward(loss);
      benchmark::DoNotOptimize(loss.value().data());
    } else {
      NoGradGuard no_grad;
      const Var<float> z = net->logits(e.input);
      benchmark::DoNotOptimize(z.value().data());
    }
  }
  const double steps = double(e.input.rows()) * double(st.iterations());
  st.counters["steps_per_s"] = benchmark::Counter(steps, benchmark::Counter::kIsRate);
  st.counters["seqs_per_s"] = benchmark::Counter(double(st.iterations()), benchmark::Counter::kIsRate);
}

}  // namespace

int main(int argc, char** argv) {
  for (bool train : {true, false})
    for (Index n : {Index{128}, Index{1024}})
      for (const std::string name : {"ntm", "dnc", "lru"})
        for (Index length : {Index{10}, Index{20}})
          benchmark::RegisterBenchmark(
              ((train ? "seq/" : "fwd/") + name + "/N:" + std::to_string(n) + "/L:" + std::to_string(length)).c_str(),
              [name, n, length, train](benchmark::State& st) { run_sequence(st, name, n, length, train); })
              ->Unit(benchmark::kMillisecond);
  return bench::run_benchmarks(argc, argv);
}
