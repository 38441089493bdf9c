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
// batch/<ntm|dnc>/N:<slots>/L:<length>/B:<b>/threads:<t>: a batch of b episodes as the trainer
//   runs it with `trainer.threads: t` (core/parallel.h accumulate_gradients: the episodes'
//   graphs built and differentiated concurrently, one graph per episode); the *wall* time per
//   sequence (the batch's real time / b), since the point of the threads is the wall clock.
// batched/<ntm|dnc>/N:<slots>/L:<length>/B:<b>/per_graph:<g>/threads:<t>: the same batch with the
//   memory advancing g episodes in one graph (b / g graphs, spread over the threads), as the
//   trainer runs the ntm and dnc models with examples_per_graph: g; wall time per sequence.
#include "bench/bench_main.h"
#include "core/gradcheck.h"
#include "core/parallel.h"
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

// masked_bce of bit_sequence.h: the answer rows only (the last `answers`), mean over their bits.
Var<float> episode_loss(const MemoryAugmented<float>& net, const Episode& e, Index answers) {
  const Var<float> z = slice_rows(net.logits(e.input), e.input.rows() - answers, answers);
  return bce_with_logits(z, e.target.bottomRows(answers));
}

void run_sequence(benchmark::State& st, const std::string& name, Index n, Index length, bool train) {
  const auto net = make_net(name, n);
  Rng rng(2, "episode");
  const Episode e = copy_episode(length, rng);
  const Index answers = length;
  for (auto _ : st) {
    if (train) {
      const Var<float> loss = episode_loss(*net, e, answers);
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

void run_batch(benchmark::State& st, const std::string& name, Index n, Index length, Index batch, int threads) {
  const auto net = make_net(name, n);
  Rng rng(2, "episode");
  std::vector<Episode> episodes;
  for (Index i = 0; i < batch; ++i) episodes.push_back(copy_episode(length, rng));
  ThreadPool pool(threads);
  const ParameterList<float> params = net->named_parameters();
  for (auto _ : st) {
    const double loss = accumulate_gradients<float>(pool, params, batch, [&](Index i) {
      return episode_loss(*net, episodes[static_cast<size_t>(i)], length);
    });
    benchmark::DoNotOptimize(loss);
  }
  const double seqs = double(batch) * double(st.iterations());
  st.counters["seqs_per_s"] = benchmark::Counter(seqs, benchmark::Counter::kIsRate);
  st.counters["time_per_seq"] = benchmark::Counter(seqs, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

// The NTM's and DNC's batches (memory::ExternalMemory::batches()): the batch in groups of
// `per_graph` episodes, each group one graph (MemoryAugmented::logits_batch), the groups spread
// over the threads, as the trainer runs the ntm and dnc models with examples_per_graph: per_graph.
void run_batched(benchmark::State& st, const std::string& name, Index n, Index length, Index batch, Index per_graph, int threads) {
  const auto net = make_net(name, n);
  Rng rng(2, "episode");
  std::vector<Episode> episodes;
  for (Index i = 0; i < batch; ++i) episodes.push_back(copy_episode(length, rng));
  ThreadPool pool(threads);
  const ParameterList<float> params = net->named_parameters();
  const Index groups = (batch + per_graph - 1) / per_graph;
  for (auto _ : st) {
    const double loss = accumulate_gradients<float>(pool, params, groups, [&](Index g) {
      std::vector<const MatF*> inputs;
      for (Index i = g * per_graph; i < std::min(batch, (g + 1) * per_graph); ++i) inputs.push_back(&episodes[static_cast<size_t>(i)].input);
      const std::vector<Var<float>> z = net->logits_batch(inputs);
      Var<float> total;
      for (size_t b = 0; b < z.size(); ++b) {
        const Episode& e = episodes[static_cast<size_t>(g * per_graph) + b];
        const Var<float> l = bce_with_logits(slice_rows(z[b], e.input.rows() - length, length), e.target.bottomRows(length));
        total = b == 0 ? l : add(total, l);
      }
      return total;
    });
    benchmark::DoNotOptimize(loss);
  }
  const double seqs = double(batch) * double(st.iterations());
  st.counters["seqs_per_s"] = benchmark::Counter(seqs, benchmark::Counter::kIsRate);
  st.counters["time_per_seq"] = benchmark::Counter(seqs, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
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
  for (const std::string name : {"ntm", "dnc"})
    for (Index n : {Index{128}, Index{1024}})
      for (int threads : {1, 2})
        benchmark::RegisterBenchmark(("batch/" + name + "/N:" + std::to_string(n) + "/L:20/B:16/threads:" + std::to_string(threads)).c_str(),
                                     [name, n, threads](benchmark::State& st) { run_batch(st, name, n, 20, 16, threads); })
            ->Unit(benchmark::kMillisecond)
            ->UseRealTime();
  for (const std::string name : {"ntm", "dnc"})
    for (Index n : {Index{128}, Index{1024}})
      for (Index per_graph : {Index{8}, Index{16}})
        for (int threads : {1, 2})
          benchmark::RegisterBenchmark(("batched/" + name + "/N:" + std::to_string(n) + "/L:20/B:16/per_graph:" +
                                        std::to_string(per_graph) + "/threads:" + std::to_string(threads)).c_str(),
                                       [name, n, per_graph, threads](benchmark::State& st) { run_batched(st, name, n, 20, 16, per_graph, threads); })
              ->Unit(benchmark::kMillisecond)
              ->UseRealTime();
  return bench::run_benchmarks(argc, argv);
}
