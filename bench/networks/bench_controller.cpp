// The LSTM step at hidden 100, input 9 (the copy task's NTM controller size): the fused gate node
// (core/ops.h lstm_cell) against the same equations from elementwise ops, forward and
// forward + backward over a 40-step sequence.
//
//   build/bench/networks/bench_controller --benchmark_counters_tabular=true
#include "core/gradcheck.h"
#include "networks/controller.h"

#include "bench/bench_main.h"

using namespace engram;
using namespace engram::networks;

namespace {

constexpr Index kIn = 9, kHidden = 100, kSteps = 40;

struct Setup {
  Rng rng{1, "bench"};
  std::unique_ptr<Controller<float>> controller =
      make_controller<float>("lstm", ControllerShape{kIn}, Options().set("hidden", double(kHidden)), rng);
  const LstmCell<float>& cell = static_cast<const LstmController<float>&>(*controller).layer(0);
  std::vector<Var<float>> xs;
  Setup() {
    for (Index t = 0; t < kSteps; ++t) xs.emplace_back(random_matrix(1, kIn, rng).cast<float>());
  }
  // the unfused composition of the same equations
  std::pair<Var<float>, Var<float>> unfused(const Var<float>& x, const Var<float>& h, const Var<float>& cc) const {
    const Var<float> z = add(matmul(concat<float>({x, h}, 1), cell.weight), cell.bias);
    const Var<float> i = sigmoid(slice_cols(z, 0, kHidden)), f = sigmoid(slice_cols(z, kHidden, kHidden)),
                     o = sigmoid(slice_cols(z, 2 * kHidden, kHidden)), g = tanh(slice_cols(z, 3 * kHidden, kHidden));
    const Var<float> c1 = add(mul(f, cc), mul(i, g));
    return {mul(o, tanh(c1)), c1};
  }
};

void run(benchmark::State& st, bool fused, bool with_backward) {
  const Setup s;
  for (auto _ : st) {
    Var<float> h = constant<float>(MatF::Zero(1, kHidden)), cc = h;
    for (const auto& x : s.xs) {
      auto [h1, c1] = fused ? s.cell(x, h, cc) : s.unfused(x, h, cc);
      h = h1;
      cc = c1;
    }
    if (with_backward) backward(sum(h));
    benchmark::DoNotOptimize(h.value().data());
  }
  st.counters["steps_per_s"] = benchmark::Counter(double(kSteps) * double(st.iterations()), benchmark::Counter::kIsRate);
}

void BM_LstmStep_H100_In9_Fused_Forward(benchmark::State& st) { run(st, true, false); }
void BM_LstmStep_H100_In9_Unfused_Forward(benchmark::State& st) { run(st, false, false); }
void BM_LstmStep_H100_In9_Fused_ForwardBackward(benchmark::State& st) { run(st, true, true); }
void BM_LstmStep_H100_In9_Unfused_ForwardBackward(benchmark::State& st) { run(st, false, true); }
BENCHMARK(BM_LstmStep_H100_In9_Fused_Forward);
BENCHMARK(BM_LstmStep_H100_In9_Unfused_Forward);
BENCHMARK(BM_LstmStep_H100_In9_Fused_ForwardBackward);
BENCHMARK(BM_LstmStep_H100_In9_Unfused_ForwardBackward);

}  // namespace

ENGRAM_BENCHMARK_MAIN();
