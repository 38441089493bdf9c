// Binary Hopfield retrieval: the dense float network (BinaryHopfield with Hebbian weights) against
// the bit-packed integer path (PackedHebbian), which returns bit-identical results.
//
//   build/bench/memory/bench_hopfield --benchmark_counters_tabular=true
//
// Workload: N = 1024 units, P = 128 random patterns (load 0.125), B = 1024 probes, probe b is
// pattern b mod P with 10% of its bits flipped; every run goes to a fixed point, a 2-cycle or
// 100 sweeps. One thread.
//   BM_Retrieval/dense/{sync,async}    BinaryHopfield::run_batch. Synchronous: one GEMM
//       [a x N][N x N] per step over the a unfinished probes of each block of 256 (Eigen).
//       Asynchronous: incremental fields, O(N) per flip.
//   BM_Retrieval/packed/{sync,async}   PackedHebbian::run_batch (popcount overlaps, int16 fields).
//   BM_FieldsKernel/int16/...          the fields kernel alone: one full synchronous sweep.
// Counters: probes/s; sweeps = mean sweeps per probe; overlap = mean final overlap m / N with
// the probe's pattern (starts at 0.8); exact = fraction of probes ending exactly on it (at load
// 0.125 the retrieval states keep a few % of wrong bits, so this is small); speedup (packed
// rows) = CPU time of the dense run of the same update mode (measured once in this binary, same
// code as the dense row) / this row's CPU time per run. CPU time, not wall time: the 2-core dev
// machine is shared.
// Measured there (median of 5): sync dense 244 ms, packed 18.4 ms (13.9x); async dense 75.7 ms,
// packed 41.0 ms (1.9x); identical results (5.17 and 4.07 mean sweeps, overlap 0.988 and 0.986).
#include "memory/hopfield/binary.h"
#include "memory/hopfield/packed.h"
#include "memory/hopfield/packed_kernels.h"

#include "bench/bench_main.h"

#include <benchmark/benchmark.h>

#include <ctime>
#include <map>

using namespace engram;
using namespace engram::hopfield;

namespace {

constexpr Index kN = 1024, kP = 128, kProbes = 1024;
constexpr double kNoise = 0.10;

struct Workload {
  States patterns, probes, targets;
  Workload() {
    Rng rng(7, "bench-hopfield");
    patterns = random_patterns(kP, kN, rng);
    targets = States(kProbes, kN);
    for (Index b = 0; b < kProbes; ++b) targets.row(b) = patterns.row(b % kP);
    probes = flip_bits(targets, kNoise, rng);
  }
};

const Workload& workload() {
  static const Workload w;
  return w;
}

double thread_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
}

RunOptions options(Update update) {
  RunOptions o;
  o.update = update;
  o.max_sweeps = 100;
  return o;
}

// One retrieval of the whole batch by the dense network.
BatchResult dense_run(const BinaryHopfield& net, Update update) {
  return net.run_batch(workload().probes, options(update), Rng(11, "bench-runs"));
}

// CPU seconds of one dense run, measured once per update mode (>= 2 runs, >= 0.5 s).
double dense_seconds(Update update) {
  static std::map<Update, double> cache;
  if (auto it = cache.find(update); it != cache.end()) return it->second;
  const BinaryHopfield net = BinaryHopfield::store(workload().patterns, *make_rule("hebbian"));
  const double start = thread_seconds();
  int runs = 0;
  while (runs < 2 || thread_seconds() - start < 0.5) {
    benchmark::DoNotOptimize(dense_run(net, update).states.data());
    ++runs;
  }
  return cache[update] = (thread_seconds() - start) / runs;
}

void set_counters(benchmark::State& st, const BatchResult& r) {
  double sweeps = 0, exact = 0;
  for (Index b = 0; b < kProbes; ++b) {
    sweeps += r.stats[size_t(b)].sweeps;
    exact += r.states.row(b) == workload().targets.row(b) ? 1 : 0;
  }
  const double overlap = r.states.cwiseProduct(workload().targets).sum() / double(kProbes * kN);
  st.counters["probes/s"] = benchmark::Counter(double(kProbes) * double(st.iterations()), benchmark::Counter::kIsRate);
  st.counters["sweeps"] = sweeps / double(kProbes);
  st.counters["overlap"] = overlap;
  st.counters["exact"] = exact / double(kProbes);
}

void BM_Dense(benchmark::State& st, Update update) {
  const BinaryHopfield net = BinaryHopfield::store(workload().patterns, *make_rule("hebbian"));
  BatchResult r;
  for (auto _ : st) {
    r = dense_run(net, update);
    benchmark::DoNotOptimize(r.states.data());
  }
  set_counters(st, r);
}

void BM_Packed(benchmark::State& st, Update update) {
  const PackedHebbian net(workload().patterns);
  const double dense = dense_seconds(update);  // calibrated outside the timed loop
  BatchResult r;
  const double start = thread_seconds();
  for (auto _ : st) {
    r = net.run_batch(workload().probes, options(update), Rng(11, "bench-runs"));
    benchmark::DoNotOptimize(r.states.data());
  }
  const double seconds = (thread_seconds() - start) / double(st.iterations());
  set_counters(st, r);
  if (seconds > 0) st.counters["speedup"] = dense / seconds;
}

// One synchronous sweep's fields of every probe by the int16 fields kernel of packed_kernels.h
// at the CPU's level, 8 probes per call as retrieval calls it. Counter GMAC/s: N P multiply-adds
// per probe, to hold against the machine's rate for 16-bit multiply-adds (docs/performance.md).
void BM_FieldsKernel(benchmark::State& st) {
  const Workload& w = workload();
  const auto& k = detail::packed_kernels();
  const Index Pp = (kP + 15) / 16 * 16;
  std::vector<std::int16_t> xt(size_t(kN * Pp), 0), m(size_t(kProbes * Pp), 0);
  for (Index mu = 0; mu < kP; ++mu)
    for (Index i = 0; i < kN; ++i) xt[size_t(i * Pp + mu)] = std::int16_t(w.patterns(mu, i));
  const PackedStates s(w.probes);
  for (Index b = 0; b < kProbes; ++b)
    for (Index mu = 0; mu < kP; ++mu) m[size_t(b * Pp + mu)] = std::int16_t(w.patterns.row(mu).dot(w.probes.row(b)));
  const std::vector<std::int16_t> xp = detail::pair_layout(xt.data(), kN, Pp);
  std::vector<std::int32_t> h(size_t(kProbes * kN));
  for (auto _ : st) {
    for (Index b = 0; b < kProbes; b += 8) {
      const std::int16_t* mp[8];
      const std::uint64_t* sp[8];
      std::int32_t* hp[8];
      for (int r = 0; r < 8; ++r) mp[r] = m.data() + (b + r) * Pp, sp[r] = s.row(b + r), hp[r] = h.data() + (b + r) * kN;
      k.fields(xp.data(), kN, Pp, std::int32_t(kP), mp, sp, hp, 8);
    }
    benchmark::DoNotOptimize(h.data());
  }
  st.counters["GMAC/s"] = benchmark::Counter(double(kN * kP * kProbes) * double(st.iterations()) * 1e-9,
                                             benchmark::Counter::kIsRate);
}

BENCHMARK(BM_FieldsKernel)->Name("BM_FieldsKernel/int16/N:1024/P:128/probes:1024")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Dense, sync, Update::synchronous)->Name("BM_Retrieval/dense/sync")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Packed, sync, Update::synchronous)->Name("BM_Retrieval/packed/sync")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Dense, async, Update::asynchronous)->Name("BM_Retrieval/dense/async")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Packed, async, Update::asynchronous)->Name("BM_Retrieval/packed/async")->Unit(benchmark::kMillisecond);

}  // namespace

ENGRAM_BENCHMARK_MAIN()
