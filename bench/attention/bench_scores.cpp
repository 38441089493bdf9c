// Forward + backward of every registered score, straight from the registry: a newly registered
// score is benchmarked without new code (docs/attention.md).
//
//   build/bench/attention/bench_scores --benchmark_counters_tabular=true
//
// One query against n keys of dimension 32 (the shape of a memory read), n = 16 and 256.
#include "attention/score.h"
#include "bench/bench_main.h"
#include "core/gradcheck.h"

#include <benchmark/benchmark.h>

using namespace engram;
using namespace engram::attention;

namespace {

void run_score(benchmark::State& st, const std::string& name, Index n) {
  const Index d = 32;
  Rng rng(1, name);
  auto score = make_score<float>(name, {d, d}, {}, rng);
  Var<float> q(random_matrix(1, d, rng).cast<float>(), true);
  Var<float> k(random_matrix(n, d, rng).cast<float>(), true);
  const MatF seed = MatF::Ones(1, n);
  for (auto _ : st) {
    Var<float> s = score->scores(q, k);
    backward(s, seed);
    benchmark::DoNotOptimize(k.grad().data());
  }
  st.counters["keys_per_s"] = benchmark::Counter(double(n) * double(st.iterations()), benchmark::Counter::kIsRate);
}

}  // namespace

int main(int argc, char** argv) {
  for (const auto& name : scores<float>().names())
    for (Index n : {Index{16}, Index{256}})
      benchmark::RegisterBenchmark(("score/" + name + "/keys:" + std::to_string(n)).c_str(),
                                   [name, n](benchmark::State& st) { run_score(st, name, n); });
  return bench::run_benchmarks(argc, argv);
}
