// Eigen's GEMM (what engram's matmul runs) against OpenBLAS's cblas_sgemm, one thread each, on
// the product shapes engram's models run: does an optimized BLAS behind engram's products pay?
// Issue 15 proposed it; the answer is measured here on the machine at hand (docs/performance.md).
//
//   build/bench/core/bench_gemm_blas --benchmark_counters_tabular=true
//
// gemm/<eigen|openblas>/<what>/<m>x<k>x<n>: C [m x n] = A [m x k] B [k x n], row-major float, C
// overwritten (Eigen zeroes it before accumulating, OpenBLAS with beta = 0 does not read it; both
// costs are in the time). Counter GFLOP/s = 2 m k n per product. Built only when CMake finds
// OpenBLAS (`scripts/setup --bench` installs libopenblas-dev); OpenBLAS is held to one thread
// (openblas_set_num_threads: the environment is read when the library loads, before main), since
// engram's products run on one thread (its trainer spreads examples over threads instead).
#include "bench/bench_main.h"
#include "core/tensor.h"

#include <cblas.h>

#include <string>

using namespace engram;

namespace {

struct Shape {
  const char* what;
  Index m, k, n;
};

constexpr Shape kShapes[] = {
    {"attention_projection_T256", 256, 64, 64},   {"attention_projection_T1024", 1024, 64, 64},
    {"scores_per_head_T256", 256, 16, 256},       {"scores_per_head_T1024", 1024, 16, 1024},
    {"weights_x_values_per_head_T1024", 1024, 1024, 16},
    {"lstm100_over_x_r_batch64", 64, 129, 400},   {"conv_16x14x14_to_32_32images", 32 * 196, 144, 32},
    {"square256", 256, 256, 256},                 {"square1024", 1024, 1024, 1024}};

void run(benchmark::State& st, const Shape& s, bool blas) {
  const MatF A = MatF::Random(s.m, s.k), B = MatF::Random(s.k, s.n);
  MatF C(s.m, s.n);
  for (auto _ : st) {
    if (blas)
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, static_cast<int>(s.m), static_cast<int>(s.n),
                  static_cast<int>(s.k), 1.0f, A.data(), static_cast<int>(s.k), B.data(), static_cast<int>(s.n), 0.0f,
                  C.data(), static_cast<int>(s.n));
    else
      C.noalias() = A * B;
    benchmark::DoNotOptimize(C.data());
    benchmark::ClobberMemory();
  }
  st.counters["GFLOP/s"] = benchmark::Counter(2.0 * double(s.m) * double(s.k) * double(s.n) * double(st.iterations()) / 1e9,
                                              benchmark::Counter::kIsRate);
}

}  // namespace

int main(int argc, char** argv) {
  openblas_set_num_threads(1);
  for (const Shape& s : kShapes)
    for (const bool blas : {false, true}) {
      const std::string name = std::string("gemm/") + (blas ? "openblas/" : "eigen/") + s.what + "/" +
                               std::to_string(s.m) + "x" + std::to_string(s.k) + "x" + std::to_string(s.n);
      benchmark::RegisterBenchmark(name.c_str(), [s, blas](benchmark::State& st) { run(st, s, blas); })
          ->Unit(benchmark::kMicrosecond);
    }
  return bench::run_benchmarks(argc, argv);
}
