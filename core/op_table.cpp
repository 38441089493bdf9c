#include "core/op_table.h"

#include <algorithm>
#include <cmath>

namespace engram {

std::vector<Var<double>> OpCase::inputs(std::uint64_t seed) const {
  Rng rng(seed, name);
  if (make_inputs) return make_inputs(rng);
  std::vector<Var<double>> xs;
  for (auto [r, k] : shapes) {
    MatD m = random_matrix(r, k, rng, lo, hi);
    for (Index i = 0; i < m.size(); ++i)  // keep away from the kinks at 0 of the piecewise ops
      if (std::abs(m.data()[i]) < away_from_zero) m.data()[i] = 0.25;
    xs.emplace_back(m, true);
  }
  return xs;
}

OpCase op_case(std::string name, std::string op, std::vector<std::pair<Index, Index>> shapes,
               std::pair<OpFn<double>, OpFn<float>> fns, double lo, double hi, double tolerance) {
  OpCase c;
  c.name = std::move(name);
  c.op = std::move(op);
  c.shapes = std::move(shapes);
  c.f64 = std::move(fns.first);
  c.f32 = std::move(fns.second);
  c.lo = lo;
  c.hi = hi;
  c.tolerance = tolerance;
  return c;
}

OpCase op_case_made(std::string name, std::string op, std::function<std::vector<Var<double>>(Rng&)> make,
                    std::pair<OpFn<double>, OpFn<float>> fns, double tolerance) {
  OpCase c;
  c.name = std::move(name);
  c.op = std::move(op);
  c.make_inputs = std::move(make);
  c.f64 = std::move(fns.first);
  c.f32 = std::move(fns.second);
  c.tolerance = tolerance;
  return c;
}

std::vector<OpCase>& op_table() {
  static std::vector<OpCase> rows;
  return rows;
}

bool add_op_cases(std::vector<OpCase> rows) {
  auto& t = op_table();
  for (auto& r : rows) t.push_back(std::move(r));
  return true;
}

std::vector<Var<float>> to_float(const std::vector<Var<double>>& xs) {
  std::vector<Var<float>> out;
  out.reserve(xs.size());
  for (const auto& x : xs) out.emplace_back(MatF(x.value().cast<float>()), x.requires_grad());
  return out;
}

double float_double_gap(const OpCase& c, std::uint64_t seed) {
  const auto xs = c.inputs(seed);
  const MatD d = c.f64(xs).value();
  const MatD f = c.f32(to_float(xs)).value().cast<double>();
  if (d.rows() != f.rows() || d.cols() != f.cols()) return INFINITY;
  if (d.size() == 0) return 0;
  // entries that are infinite in both (a masked -inf) agree
  double gap = 0;
  for (Index i = 0; i < d.size(); ++i) {
    const double a = d.data()[i], b = f.data()[i];
    if (a == b) continue;
    gap = std::max(gap, std::abs(a - b));
  }
  return gap / (1 + d.cwiseAbs().unaryExpr([](double v) { return std::isfinite(v) ? v : 0.0; }).maxCoeff());
}

}  // namespace engram
