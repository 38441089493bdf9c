// Core benchmarks: what the graph costs per op node against the raw Eigen call, and the
// throughput of matmul and softmax through the graph.
//
//   build/bench/core/bench_core --benchmark_counters_tabular=true
//
// Pairs to compare (same binary, same run): BM_Raw_* against BM_Graph_*. The per-node cost is
// (Graph - Raw) / nodes; the "ns_per_node" counter reports Graph time divided by nodes.
#include "core/ops.h"

#include "bench/bench_main.h"
#include "core/ops_image.h"
#include "core/thin_gemm.h"

#include <benchmark/benchmark.h>

using namespace engram;

namespace {

constexpr int kChain = 64;  // nodes per iteration in the overhead benchmarks

// A chain of 64 tiny elementwise adds on [1 x 8] values: nearly all of the time is overhead.
void BM_Raw_AddChain(benchmark::State& st) {
  MatF x = MatF::Random(1, 8), y = x;
  for (auto _ : st) {
    y = x;
    for (int i = 0; i < kChain; ++i) y = y + x;
    benchmark::DoNotOptimize(y.data());
  }
  st.counters["ns_per_node"] = benchmark::Counter(double(kChain) * double(st.iterations()),
                                                  benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_Raw_AddChain);

void BM_Graph_AddChain_Forward(benchmark::State& st) {
  Var<float> x(MatF::Random(1, 8), true);
  for (auto _ : st) {
    Var<float> y = x;
    for (int i = 0; i < kChain; ++i) y = add(y, x);
    benchmark::DoNotOptimize(y.value().data());
  }
  st.counters["ns_per_node"] = benchmark::Counter(double(kChain) * double(st.iterations()),
                                                  benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_Graph_AddChain_Forward);

void BM_Graph_AddChain_NoGrad(benchmark::State& st) {
  Var<float> x(MatF::Random(1, 8), true);
  NoGradGuard guard;
  for (auto _ : st) {
    Var<float> y = x;
    for (int i = 0; i < kChain; ++i) y = add(y, x);
    benchmark::DoNotOptimize(y.value().data());
  }
  st.counters["ns_per_node"] = benchmark::Counter(double(kChain) * double(st.iterations()),
                                                  benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_Graph_AddChain_NoGrad);

void BM_Graph_AddChain_ForwardBackward(benchmark::State& st) {
  Var<float> x(MatF::Random(1, 8), true);
  for (auto _ : st) {
    Var<float> y = x;
    for (int i = 0; i < kChain; ++i) y = add(y, x);
    backward(sum(y));
    benchmark::DoNotOptimize(x.grad().data());
  }
  st.counters["ns_per_node"] = benchmark::Counter(double(kChain) * double(st.iterations()),
                                                  benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_Graph_AddChain_ForwardBackward);

void set_flops(benchmark::State& st, double flops_per_iter) {
  st.counters["GFLOP/s"] = benchmark::Counter(flops_per_iter * double(st.iterations()) / 1e9,
                                              benchmark::Counter::kIsRate);
}

void BM_Raw_Matmul(benchmark::State& st) {
  const Index n = st.range(0);
  MatF a = MatF::Random(n, n), b = MatF::Random(n, n), c(n, n);
  for (auto _ : st) {
    c.noalias() = a * b;
    benchmark::DoNotOptimize(c.data());
  }
  set_flops(st, 2.0 * double(n) * double(n) * double(n));
}
BENCHMARK(BM_Raw_Matmul)->RangeMultiplier(4)->Range(16, 256);

// Thin products, attention's shapes: a [T x T] weight matrix times [T x 16] values (nn), and its
// transpose times [T x 16] gradients (tn), through Eigen and through core/thin_gemm.h (which
// streams the large factor instead of packing it). Args: T, d.
void thin_bench(benchmark::State& st, bool transposed, bool kernel) {
  const Index t = st.range(0), d = st.range(1);
  MatF a = MatF::Random(t, t), b = MatF::Random(t, d), c = MatF::Zero(t, d);
  for (auto _ : st) {
    if (kernel && transposed) detail::thin_gemm_tn(a, b, c);
    else if (kernel) detail::thin_gemm_nn(a, b, c);
    else if (transposed) c.noalias() += a.transpose() * b;
    else c.noalias() += a * b;
    benchmark::DoNotOptimize(c.data());
  }
  set_flops(st, 2.0 * double(t) * double(t) * double(d));
}
void BM_Thin_Eigen_NN(benchmark::State& st) { thin_bench(st, false, false); }
void BM_Thin_Kernel_NN(benchmark::State& st) { thin_bench(st, false, true); }
void BM_Thin_Eigen_TN(benchmark::State& st) { thin_bench(st, true, false); }
void BM_Thin_Kernel_TN(benchmark::State& st) { thin_bench(st, true, true); }
#define ENGRAM_THIN_ARGS ->ArgsProduct({{64, 256, 1024}, {16, 32, 64}})
BENCHMARK(BM_Thin_Eigen_NN) ENGRAM_THIN_ARGS;
BENCHMARK(BM_Thin_Kernel_NN) ENGRAM_THIN_ARGS;
BENCHMARK(BM_Thin_Eigen_TN) ENGRAM_THIN_ARGS;
BENCHMARK(BM_Thin_Kernel_TN) ENGRAM_THIN_ARGS;
#undef ENGRAM_THIN_ARGS

void BM_Graph_Matmul(benchmark::State& st) {
  const Index n = st.range(0);
  Var<float> a(MatF::Random(n, n), true), b(MatF::Random(n, n), true);
  for (auto _ : st) {
    Var<float> c = matmul(a, b);
    benchmark::DoNotOptimize(c.value().data());
  }
  set_flops(st, 2.0 * double(n) * double(n) * double(n));
}
BENCHMARK(BM_Graph_Matmul)->RangeMultiplier(4)->Range(16, 256);

// forward + backward = 3 GEMMs
void BM_Graph_Matmul_ForwardBackward(benchmark::State& st) {
  const Index n = st.range(0);
  Var<float> a(MatF::Random(n, n), true), b(MatF::Random(n, n), true);
  for (auto _ : st) {
    backward(matmul(a, b), MatF::Ones(n, n));
    benchmark::DoNotOptimize(a.grad().data());
  }
  set_flops(st, 6.0 * double(n) * double(n) * double(n));
}
BENCHMARK(BM_Graph_Matmul_ForwardBackward)->RangeMultiplier(4)->Range(16, 256);

void BM_Graph_Softmax(benchmark::State& st) {
  const Index n = st.range(0);
  Var<float> x(MatF::Random(64, n), true);
  for (auto _ : st) {
    Var<float> y = softmax(x);
    benchmark::DoNotOptimize(y.value().data());
  }
  st.SetItemsProcessed(st.iterations() * 64 * n);
}
BENCHMARK(BM_Graph_Softmax)->RangeMultiplier(4)->Range(16, 1024);

void BM_Graph_Softmax_ForwardBackward(benchmark::State& st) {
  const Index n = st.range(0);
  Var<float> x(MatF::Random(64, n), true);
  const MatF seed = MatF::Random(64, n);
  for (auto _ : st) {
    backward(softmax(x), seed);
    benchmark::DoNotOptimize(x.grad().data());
  }
  st.SetItemsProcessed(st.iterations() * 64 * n);
}
BENCHMARK(BM_Graph_Softmax_ForwardBackward)->RangeMultiplier(4)->Range(16, 1024);

// The convolutions of the Fashion-MNIST backbone (networks/cnn.h, stages of 16, 32 and 64
// channels) on a batch of 32: 3x3, padding 1, with bias. The names state the shapes (N, C x H x W
// -> O); bench/vision/side_by_side.py times PyTorch's conv2d on the same.
struct ConvShape {
  Index n, c, h, w, o;
};

void conv_bench(benchmark::State& st, ConvShape s, bool with_backward) {
  const ImageShape in{s.c, s.h, s.w};
  Var<float> x(MatF::Random(s.n, in.size()), with_backward);
  Var<float> w(MatF::Random(s.o, s.c * 9) * 0.1f, true), b(MatF::Zero(1, s.o), true);
  Conv2dOptions o;
  o.padding = 1;
  const MatF seed = MatF::Random(s.n, s.o * s.h * s.w);
  for (auto _ : st) {
    Var<float> y = conv2d(x, in, w, b, o);
    if (with_backward) backward(y, seed);
    benchmark::DoNotOptimize(y.value().data());
  }
  set_flops(st, (with_backward ? 3.0 : 1.0) * 2.0 * double(s.n * s.o * s.h * s.w * s.c * 9));
}

void register_conv_benchmarks() {
  for (const ConvShape s : {ConvShape{32, 1, 28, 28, 16}, ConvShape{32, 16, 14, 14, 32}, ConvShape{32, 32, 7, 7, 64}})
    for (const bool bwd : {false, true}) {
      const std::string name = std::string("BM_Conv2d3x3/") + (bwd ? "ForwardBackward" : "Forward") + "/N:" + std::to_string(s.n) + "/" +
                               std::to_string(s.c) + "x" + std::to_string(s.h) + "x" + std::to_string(s.w) + "->" + std::to_string(s.o);
      benchmark::RegisterBenchmark(name.c_str(), [s, bwd](benchmark::State& st) { conv_bench(st, s, bwd); });
    }
}

// The backbone's 2x2 max pooling after its first stage (batch 32, 16 x 28 x 28 -> 16 x 14 x 14),
// forward and forward + backward.
void BM_MaxPool2x2_N32_16x28x28(benchmark::State& st) {
  const ImageShape in{16, 28, 28};
  Var<float> x(MatF::Random(32, in.size()), st.range(0) == 1);
  const MatF seed = MatF::Random(32, 16 * 14 * 14);
  for (auto _ : st) {
    Var<float> y = max_pool2d(x, in, Pool2dOptions{2, 2, 0});
    if (st.range(0) == 1) backward(y, seed);
    benchmark::DoNotOptimize(y.value().data());
  }
  st.SetItemsProcessed(st.iterations() * 32 * in.size());
}
BENCHMARK(BM_MaxPool2x2_N32_16x28x28)->ArgName("backward")->Arg(0)->Arg(1);

}  // namespace

int main(int argc, char** argv) {
  register_conv_benchmarks();
  return ::engram::bench::run_benchmarks(argc, argv);
}
