// Every row of the op table (core/op_table.h; rows in tests/ops/) timed in float: the forward
// pass, and forward + backward, on the row's own inputs. A new op gets its benchmark with its row.
//
//   build/bench/core/bench_ops --benchmark_filter='softmax'
#include "core/op_table.h"

#include "bench/bench_main.h"

#include <benchmark/benchmark.h>

using namespace engram;

int main(int argc, char** argv) {
  for (const OpCase& c : op_table()) {
    benchmark::RegisterBenchmark(("fwd/" + c.name).c_str(), [&c](benchmark::State& st) {
      const auto xs = to_float(c.inputs(1));
      for (auto _ : st) {
        const Var<float> y = c.f32(xs);
        benchmark::DoNotOptimize(y.value().data());
      }
    });
    benchmark::RegisterBenchmark(("fwd+bwd/" + c.name).c_str(), [&c](benchmark::State& st) {
      const auto xs = to_float(c.inputs(1));
      for (auto _ : st) {
        const Var<float> y = c.f32(xs);
        backward(sum(y));
        for (auto x : xs) x.zero_grad();
      }
    });
  }
  return bench::run_benchmarks(argc, argv);
}
