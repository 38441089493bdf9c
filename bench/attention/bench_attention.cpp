// Attention benchmarks: scaled-dot multi-head self-attention (d_model 64, 4 heads, d_k = d_v = 16,
// float) through the graph, against the same GEMMs in raw Eigen.
//
//   build/bench/attention/bench_attention --benchmark_counters_tabular=true
//
// Rows (n = sequence length 16 .. 1024):
//   BM_MHA_SelfAttention/{Forward,ForwardBackward}/n   engram's MultiHeadAttention: projections,
//       Q K^T, mask-free softmax, A V, concat, output projection (+ the full reverse pass, with
//       gradients for x and every parameter).
//   BM_EigenGemm/{Forward,ForwardBackward}/n           exactly the GEMMs of that row, with the same
//       shapes, in raw Eigen into preallocated outputs: no softmax, no graph, no allocation.
// Counters: "GFLOP/s" counts the GEMM FLOPs only (2 m k n per [m x k][k x n] product; see
// attention_gemm_flops); the backward of each product is two more GEMMs of the same size.
// "gemm_fraction" = the row's GFLOP/s / the raw-Eigen GFLOP/s of the same GEMM set, measured once
// per n in this binary (the same code as BM_EigenGemm/*): 1.0 would mean attention costs no
// more than its matrix products. It equals BM_EigenGemm/X/n CPU time / BM_MHA_SelfAttention/X/n
// CPU time, which can also be read off the two rows.
#include "attention/multi_head.h"

#include "bench/bench_main.h"

#include <benchmark/benchmark.h>

#include <ctime>
#include <map>
#include <vector>

using namespace engram;
using namespace engram::attention;

namespace {

constexpr Index kDModel = 64, kHeads = 4, kDHead = kDModel / kHeads;

// GEMM FLOPs of self-attention over n tokens, forward: per head 3 projections [n x d][d x d_h],
// S = Q_h K_h^T [n x d_h][d_h x n], A_h V_h [n x n][n x d_h]; then [n x d][d x d] for W_o.
//   = 8 n d^2 + 4 n^2 d.  Forward + backward = 3x (each product's backward is two GEMMs).
double attention_gemm_flops(Index n, bool with_backward) {
  const double N = double(n), d = double(kDModel);
  const double fwd = 8.0 * N * d * d + 4.0 * N * N * d;
  return with_backward ? 3.0 * fwd : fwd;
}

// The GEMM set of one forward (+ backward) pass, raw Eigen, buffers allocated once.
struct RawGemms {
  explicit RawGemms(Index n)
      : x(MatF::Random(n, kDModel)), gx(n, kDModel), cat(MatF::Random(n, kDModel)), gcat(n, kDModel),
        wo(MatF::Random(kDModel, kDModel)), gwo(kDModel, kDModel), y(n, kDModel), gy(MatF::Random(n, kDModel)) {
    for (Index h = 0; h < kHeads; ++h) {
      Head hd;
      hd.wq = hd.wk = hd.wv = MatF::Random(kDModel, kDHead);
      hd.q = hd.k = hd.v = hd.out = hd.gq = hd.gk = hd.gv = MatF::Random(n, kDHead);
      hd.gw = MatF(kDModel, kDHead);
      hd.s = hd.gs = MatF::Random(n, n);
      heads.push_back(std::move(hd));
    }
  }
  void run(bool with_backward) {
    for (auto& h : heads) {
      h.q.noalias() = x * h.wq;                       // [n x d][d x dh]
      h.k.noalias() = x * h.wk;
      h.v.noalias() = x * h.wv;
      h.s.noalias() = h.q * h.k.transpose();          // [n x dh][dh x n]
      h.out.noalias() = h.s * h.v;                    // [n x n][n x dh]
    }
    y.noalias() = cat * wo;                           // [n x heads*dh][heads*dh x d]
    if (!with_backward) return;
    gcat.noalias() = gy * wo.transpose();             // output projection: 2 GEMMs
    gwo.noalias() = cat.transpose() * gy;
    gx.setZero();
    for (auto& h : heads) {
      h.gs.noalias() = h.out * h.v.transpose();       // A V: dA [n x dh][dh x n], dV [n x n]^T[n x dh]
      h.gv.noalias() = h.s.transpose() * h.out;
      h.gq.noalias() = h.gs * h.k;                    // Q K^T: dQ [n x n][n x dh], dK [n x n]^T[n x dh]
      h.gk.noalias() = h.gs.transpose() * h.q;
      h.gw.noalias() = x.transpose() * h.gq;          // 3 projections: dW [d x n][n x dh], dx [n x dh][dh x d]
      gx.noalias() += h.gq * h.wq.transpose();
      h.gw.noalias() += x.transpose() * h.gk;
      gx.noalias() += h.gk * h.wk.transpose();
      h.gw.noalias() += x.transpose() * h.gv;
      gx.noalias() += h.gv * h.wv.transpose();
    }
  }
  const float* result() const { return y.data(); }

  struct Head {
    MatF wq, wk, wv, q, k, v, s, out, gq, gk, gv, gs, gw;
  };
  MatF x, gx, cat, gcat, wo, gwo, y, gy;
  std::vector<Head> heads;
};

// CPU time of this thread, the clock Google Benchmark's counters divide by by default (robust
// when other processes share the cores).
double thread_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
}

// The raw GEMM rate (FLOP/s) of the set for n, measured once per (n, backward) over >= 0.2 s
// of CPU time.
double raw_gemm_rate(Index n, bool with_backward) {
  static std::map<std::pair<Index, bool>, double> cache;
  const auto key = std::make_pair(n, with_backward);
  if (auto it = cache.find(key); it != cache.end()) return it->second;
  RawGemms g(n);
  g.run(with_backward);  // warm-up
  const double start = thread_seconds();
  double seconds = 0;
  long reps = 0;
  while (seconds < 0.2 || reps < 3) {
    g.run(with_backward);
    benchmark::DoNotOptimize(g.result());
    ++reps;
    seconds = thread_seconds() - start;
  }
  return cache[key] = attention_gemm_flops(n, with_backward) * double(reps) / seconds;
}

void set_gflops(benchmark::State& st, Index n, bool with_backward) {
  const double flops = attention_gemm_flops(n, with_backward) * double(st.iterations());
  st.counters["GFLOP/s"] = benchmark::Counter(flops / 1e9, benchmark::Counter::kIsRate);
}

void BM_EigenGemm(benchmark::State& st, bool with_backward) {
  const Index n = st.range(0);
  RawGemms g(n);
  for (auto _ : st) {
    g.run(with_backward);
    benchmark::DoNotOptimize(g.result());
  }
  set_gflops(st, n, with_backward);
}

void BM_MHA_SelfAttention(benchmark::State& st, bool with_backward) {
  const Index n = st.range(0);
  Rng rng(1, "bench-mha");
  MultiHeadAttention<float> mha(kDModel, kHeads, kDHead, kDHead, rng);
  Var<float> x(MatF::Random(n, kDModel), true);
  const MatF seed = MatF::Random(n, kDModel);
  const double raw_rate = raw_gemm_rate(n, with_backward);  // calibrated once, outside the timed loop
  const double start = thread_seconds();
  for (auto _ : st) {
    MultiHeadResult<float> r = self_attention(mha, x);
    if (with_backward) backward(r.output, seed);
    benchmark::DoNotOptimize(r.output.value().data());
  }
  const double seconds = thread_seconds() - start;
  set_gflops(st, n, with_backward);
  // raw-GEMM time for the same FLOPs / this loop's CPU time (a plain ratio, not a rate)
  if (seconds > 0)
    st.counters["gemm_fraction"] = attention_gemm_flops(n, with_backward) * double(st.iterations()) / raw_rate / seconds;
}

BENCHMARK_CAPTURE(BM_EigenGemm, Forward, false)->RangeMultiplier(2)->Range(16, 1024);
BENCHMARK_CAPTURE(BM_MHA_SelfAttention, Forward, false)->RangeMultiplier(2)->Range(16, 1024);
BENCHMARK_CAPTURE(BM_EigenGemm, ForwardBackward, true)->RangeMultiplier(2)->Range(16, 1024);
BENCHMARK_CAPTURE(BM_MHA_SelfAttention, ForwardBackward, true)->RangeMultiplier(2)->Range(16, 1024);

}  // namespace

ENGRAM_BENCHMARK_MAIN()
