// engram/core/op_table.h — one definition per differentiable op drives every check of it and
// its benchmark (in the style of ggml's test-backend-ops).
//
// A row names the op it checks (the function of core/ops.h or memory/memory_ops.h), the shapes
// of its inputs (drawn uniform in [lo, hi) from a seeded stream) or a maker of structured inputs
// (weightings, link matrices), and the op applied to the inputs once, as an expression valid for
// float and double:
//
//   op_case("softmax beta 3", "softmax", {{3, 5}}, ENGRAM_OP_EXPR(softmax(x[0], T(3))))
//
// (x is the std::vector<Var<T>> of inputs and T the scalar: the expression is compiled for float
// and double).
//
// From that one row, tests/ops/op_table_test.cpp runs, on every row:
//   - the Jacobian check in double (core/gradcheck.h: relative error below the row's tolerance),
//   - the check that backward adds into pre-filled gradients,
//   - float against double: the float forward equals the double one within float rounding,
//   - zero-size inputs: numpy's result or std::invalid_argument (check_zero_size),
// and bench/core/bench_ops times every row's float forward and forward + backward. A test
// asserts that every op declared in core/ops.h and memory/memory_ops.h has a row, so an op
// cannot be added without its checks. Rows live in tests/ops/ (one file per header).
#pragma once

#include "core/gradcheck.h"

#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace engram {

template <class T>
using OpFn = std::function<Var<T>(const std::vector<Var<T>>&)>;

struct OpCase {
  std::string name;  // what this row checks: "softmax beta 3", "max axis 0 (distinct values)"
  std::string op;    // the declared function it checks: "softmax"
  std::vector<std::pair<Index, Index>> shapes;                 // inputs drawn uniform in [lo, hi) ...
  std::function<std::vector<Var<double>>(Rng&)> make_inputs;   // ... or made by this (then shapes unused)
  OpFn<double> f64;
  OpFn<float> f32;
  double lo = -1, hi = 1;
  double tolerance = 1e-6;  // Jacobian relative error
  // Non-smooth ops keep random inputs at least this far from 0 (abs, relu at their kink).
  double away_from_zero = 1e-3;

  // The row's inputs for `seed`, as leaves that require a gradient.
  std::vector<Var<double>> inputs(std::uint64_t seed) const;
};

// A row of inputs drawn in [lo, hi), and one whose inputs `make` builds.
OpCase op_case(std::string name, std::string op, std::vector<std::pair<Index, Index>> shapes,
               std::pair<OpFn<double>, OpFn<float>> fns, double lo = -1, double hi = 1, double tolerance = 1e-6);
OpCase op_case_made(std::string name, std::string op, std::function<std::vector<Var<double>>(Rng&)> make,
                    std::pair<OpFn<double>, OpFn<float>> fns, double tolerance = 1e-6);

// The rows of every linked file, in registration order.
std::vector<OpCase>& op_table();
// Adds rows (returns true, so a file can keep a static).
bool add_op_cases(std::vector<OpCase> rows);

// The same inputs in float.
std::vector<Var<float>> to_float(const std::vector<Var<double>>& xs);
// max |float forward - double forward| / (1 + max |double forward|) on the row's inputs.
double float_double_gap(const OpCase& c, std::uint64_t seed);

namespace detail {
template <class F>
std::pair<OpFn<double>, OpFn<float>> op_fns(F f) {
  return {[f](const std::vector<Var<double>>& x) { return f(x); }, [f](const std::vector<Var<float>>& x) { return f(x); }};
}
template <class V>
using op_scalar = typename std::decay_t<V>::value_type::scalar_type;
}  // namespace detail

}  // namespace engram

// The op's expression in the inputs x (a std::vector<Var<T>>, T the scalar), for float and double.
#define ENGRAM_OP_EXPR(...)                                                   \
  ::engram::detail::op_fns([](const auto& x) {                              \
    using T = ::engram::detail::op_scalar<decltype(x)>;                     \
    (void)sizeof(T);                                                        \
    return __VA_ARGS__;                                                     \
  })
