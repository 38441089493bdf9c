// engram/bench/bench_main.h — the main of every engram benchmark program: allocator settings
// of the engram command (core/allocator.h), then Google Benchmark. Programs that register
// benchmarks at run time (from a registry) do so before calling run_benchmarks.
#pragma once

#include "core/allocator.h"
#include "core/cpu.h"

#include <benchmark/benchmark.h>

namespace engram::bench {

inline int run_benchmarks(int argc, char** argv) {
  keep_freed_memory();
  // every figure with the machine it was measured on
  benchmark::AddCustomContext("cpu", cpu_description());
  benchmark::AddCustomContext("engram_arch", build_arch());
  benchmark::AddCustomContext("allocator", allocator_name());
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

}  // namespace engram::bench

#define ENGRAM_BENCHMARK_MAIN() \
  int main(int argc, char** argv) { return ::engram::bench::run_benchmarks(argc, argv); }
