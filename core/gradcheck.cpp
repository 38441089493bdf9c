#include "core/gradcheck.h"

#include "core/init.h"

#include <algorithm>
#include <cmath>

namespace engram {

MatD random_matrix(Index rows, Index cols, Rng& rng, double lo, double hi) {
  return init::uniform<double>(rows, cols, lo, hi, rng);
}

double check_gradient(const VarFn& f, const std::vector<Var<double>>& inputs,
                      const GradCheckOptions& opt) {
  Rng rng(opt.seed, "gradcheck");
  MatD R;
  const auto objective = [&]() -> Var<double> {
    Var<double> y = f(inputs);
    if (R.size() == 0) R = random_matrix(y.rows(), y.cols(), rng);
    return sum(mul(y, constant<double>(R)));
  };
  for (const auto& x : inputs) {
    Var<double> v = x;
    if (v.requires_grad()) v.mutable_grad().resize(0, 0);
  }
  backward(objective());

  double diff2 = 0, norm_a = 0, norm_n = 0;
  NoGradGuard no_grad;
  for (const auto& x : inputs) {
    if (!x.requires_grad()) continue;
    Var<double> v = x;
    const MatD analytic = v.grad().size() ? v.grad() : MatD::Zero(v.rows(), v.cols());
    for (Index i = 0; i < v.size(); ++i) {
      double& e = v.mutable_value().data()[i];
      const double saved = e;
      e = saved + opt.eps;
      const double up = objective().item();
      e = saved - opt.eps;
      const double down = objective().item();
      e = saved;
      const double numeric = (up - down) / (2 * opt.eps);
      const double a = analytic.data()[i];
      diff2 += (a - numeric) * (a - numeric);
      norm_a += a * a;
      norm_n += numeric * numeric;
    }
  }
  const double denom = std::sqrt(norm_a) + std::sqrt(norm_n);
  return std::sqrt(diff2) / std::max(denom, 1e-300);
}

double check_backward_adds(const VarFn& f, const std::vector<Var<double>>& inputs) {
  Var<double> y = f(inputs);
  const Node<double>& node = *y.get();
  require(static_cast<bool>(node.backward), "check_backward_adds", "the output has no backward (no input requires a gradient)");
  Rng rng(11, "backward-adds");
  const MatD g = random_matrix(y.rows(), y.cols(), rng);
  const size_t k = node.inputs.size();
  std::vector<MatD> zero(k), filled(k), pattern(k);
  std::vector<MatD*> gz(k, nullptr), gf(k, nullptr);
  for (size_t i = 0; i < k; ++i) {
    if (!node.inputs[i]->requires_grad) continue;
    const MatD& v = node.inputs[i]->value;
    zero[i] = MatD::Zero(v.rows(), v.cols());
    pattern[i] = random_matrix(v.rows(), v.cols(), rng, 1, 2);
    filled[i] = pattern[i];
    gz[i] = &zero[i];
    gf[i] = &filled[i];
  }
  node.backward(node, g, GradSpan<double>(gz.data(), k));
  node.backward(node, g, GradSpan<double>(gf.data(), k));
  double worst = 0;
  for (size_t i = 0; i < k; ++i)
    if (gf[i]) worst = std::max(worst, (filled[i] - (pattern[i] + zero[i])).cwiseAbs().maxCoeff());
  return worst;
}

double check_graph_backward_adds(const VarFn& f, const std::vector<Var<double>>& inputs) {
  Rng rng(13, "graph-backward-adds");
  Var<double> y = f(inputs);
  const MatD seed = random_matrix(y.rows(), y.cols(), rng);
  for (auto v : inputs) v.zero_grad();
  backward(y, seed);
  std::vector<MatD> from_zero, pattern;
  for (auto v : inputs) {
    from_zero.push_back(v.grad());
    pattern.push_back(random_matrix(v.rows(), v.cols(), rng, 1, 2));
    v.mutable_grad() = pattern.back();
  }
  backward(f(inputs), seed);
  double worst = 0;
  for (size_t i = 0; i < inputs.size(); ++i)
    worst = std::max(worst, (inputs[i].grad() - (pattern[i] + from_zero[i])).cwiseAbs().maxCoeff());
  return worst;
}

ZeroSizeReport check_zero_size(const VarFn& f, const std::vector<Var<double>>& inputs) {
  ZeroSizeReport rep;
  for (int mode : {0, 1, 2}) {  // rows -> 0, cols -> 0, both
    const char* how = mode == 0 ? "with 0 rows" : mode == 1 ? "with 0 cols" : "with 0 x 0";
    std::vector<Var<double>> xs;
    for (const auto& x : inputs) xs.emplace_back(MatD::Zero(mode == 1 ? x.rows() : 0, mode == 0 ? x.cols() : 0), true);
    Var<double> y;
    try {
      y = f(xs);
    } catch (const std::invalid_argument& e) {
      ++rep.refusals;
      if (std::string(e.what()).find(':') == std::string::npos)
        rep.problem = std::string(how) + ": the refusal does not say 'op: what', got '" + e.what() + "'";
      continue;
    } catch (const std::exception& e) {
      rep.problem = std::string(how) + ": threw " + e.what() + " (not std::invalid_argument)";
      return rep;
    }
    ++rep.results;
    if (!y.defined()) {
      rep.problem = std::string(how) + ": returned an undefined Var";
      return rep;
    }
    std::vector<MatD> grads(xs.size());
    std::vector<bool> got(xs.size(), false);
    const GradSink<double> sink = [&](Node<double>& leaf, MatD&& g) {
      for (size_t i = 0; i < xs.size(); ++i)
        if (xs[i].get() == &leaf) grads[i] = std::move(g), got[i] = true;
    };
    try {
      backward(y, MatD(MatD::Ones(y.rows(), y.cols())), sink);
    } catch (const std::exception& e) {
      rep.problem = std::string(how) + ": backward threw " + e.what();
      return rep;
    }
    for (size_t i = 0; i < xs.size(); ++i)
      if (got[i] && (grads[i].rows() != xs[i].rows() || grads[i].cols() != xs[i].cols())) {
        rep.problem = std::string(how) + ": input " + std::to_string(i) + " " + xs[i].shape() + " got a gradient " +
                      shape_str(grads[i]);
        return rep;
      }
  }
  return rep;
}

}  // namespace engram
