// engram/core/gradcheck.h — the one Jacobian checker, used by every op, module, attention
// mechanism and addressing stage test (double precision).
//
//   REQUIRE(check_gradient(f, {x, y}) < 1e-6);
//
// f maps the inputs to a Var of any shape. The checker contracts the output with a fixed
// random matrix R (L = sum(f(x) * R)), so the whole Jacobian is exercised, and compares the
// analytic gradient of L with central differences for every element of every input that
// requires a gradient. It returns the relative error ||a - n|| / max(||a|| + ||n||, tiny).
#pragma once

#include "core/ops.h"
#include "core/rng.h"

#include <functional>
#include <string>
#include <vector>

namespace engram {

using VarFn = std::function<Var<double>(const std::vector<Var<double>>&)>;

struct GradCheckOptions {
  double eps = 1e-6;        // finite-difference step
  std::uint64_t seed = 7;   // for the contraction matrix
};

double check_gradient(const VarFn& f, const std::vector<Var<double>>& inputs,
                      const GradCheckOptions& opt = {});

// The "backward adds" contract (gradients are always added, core/variable.h): calls the output node's backward directly with
// accumulators pre-filled with a non-zero pattern P and returns the largest
// |acc - (P + contribution)| over all inputs, where the contribution is measured with zeroed
// accumulators. An op that assigns instead of adding gives a large value.
double check_backward_adds(const VarFn& f, const std::vector<Var<double>>& inputs);

// The same contract over a whole graph (modules, composite forms): runs a full backward from
// zeroed gradients, then again into gradients pre-filled with a pattern P, and returns the
// largest |grad - (P + gradient from zero)| over `inputs` (include the module's parameters).
double check_graph_backward_adds(const VarFn& f, const std::vector<Var<double>>& inputs);

// The zero-size contract: f called on zero-size versions of `inputs` (every input with 0 rows,
// then 0 cols, then 0 x 0) either returns a Var whose backward gives each input a gradient of
// its shape, or throws std::invalid_argument with a message "op: what". Returns "" when every
// call keeps it, else what went wrong (another exception, a wrong gradient shape). A crash is a
// crash: run it where one is caught. `results` / `refusals` count the two outcomes.
struct ZeroSizeReport {
  std::string problem;  // "" = the contract holds
  int results = 0, refusals = 0;
};
ZeroSizeReport check_zero_size(const VarFn& f, const std::vector<Var<double>>& inputs);

// A random matrix with entries uniform in [lo, hi).
MatD random_matrix(Index rows, Index cols, Rng& rng, double lo = -1, double hi = 1);

}  // namespace engram
