#include "memory/hopfield/dense.h"

#include "core/parallel.h"
#include "core/registry.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace engram::hopfield {

namespace {

// x^n for a small integer n >= 1 (exact for the integer overlaps while the result fits 2^53).
double ipow(double x, int n) {
  double r = x;
  for (int k = 1; k < n; ++k) r *= x;
  return r;
}

double max_of(const std::vector<double>& m) { return *std::max_element(m.begin(), m.end()); }

}  // namespace

// ---- Interaction ---------------------------------------------------------------------------

Interaction Interaction::polynomial(int n) {
  require(n >= 1 && n <= 64, "Interaction::polynomial", "n must be in [1, 64], got " + std::to_string(n));
  return Interaction(Kind::polynomial, n);
}

Interaction Interaction::rectified_polynomial(int n) {
  require(n >= 1 && n <= 64, "Interaction::rectified_polynomial", "n must be in [1, 64], got " + std::to_string(n));
  return Interaction(Kind::rectified_polynomial, n);
}

Interaction Interaction::exponential() { return Interaction(Kind::exp, 0); }

Interaction Interaction::make(const std::string& name, const Options& options) {
  const std::vector<std::string> known = {"polynomial", "rectified_polynomial", "exp"};
  const std::string component = "interaction '" + name + "'";
  if (name == "polynomial" || name == "rectified_polynomial") {
    const int n = static_cast<int>(options.integer("n", 3, 1, 64));
    options.finish(component);
    return name == "polynomial" ? polynomial(n) : rectified_polynomial(n);
  }
  if (name == "exp") {
    options.finish(component);
    return exponential();
  }
  const std::string near = nearest_name(name, known);
  throw std::invalid_argument("Interaction::make: unknown interaction '" + name + "'" +
                              (near.empty() ? "" : " (did you mean " + near + "?)") +
                              "; known: polynomial, rectified_polynomial, exp");
}

std::string Interaction::name() const {
  switch (kind_) {
    case Kind::polynomial: return "polynomial";
    case Kind::rectified_polynomial: return "rectified_polynomial";
    case Kind::exp: return "exp";
  }
  return "?";
}

double Interaction::operator()(double x) const {
  switch (kind_) {
    case Kind::polynomial: return ipow(x, n_);
    case Kind::rectified_polynomial: return x > 0 ? ipow(x, n_) : 0.0;
    case Kind::exp: return std::exp(x);
  }
  return 0;
}

// ---- DenseMemory ---------------------------------------------------------------------------

DenseMemory::DenseMemory(States patterns, Interaction interaction)
    : x_(std::move(patterns)), f_(interaction) {
  require(x_.rows() >= 1 && x_.cols() >= 1, "DenseMemory",
          "patterns " + shape_str(x_) + " must be [P x N] with P >= 1 and N >= 1");
  require_binary(x_, "DenseMemory");
  xt_ = x_.transpose();  // [N x P]
}

DenseMemory::DenseMemory(States patterns, const std::string& interaction, const Options& options)
    : DenseMemory(std::move(patterns), Interaction::make(interaction, options)) {}

void DenseMemory::check_probe(const States& s, const char* where, bool single) const {
  if (single)
    require(s.rows() == 1 && s.cols() == dim(), where,
            "probe " + shape_str(s) + " must be " + shape_str(1, dim()));
  else
    require(s.cols() == dim(), where, "probes " + shape_str(s) + " must be [B x " + std::to_string(dim()) + "]");
  require_binary(s, where);
}

// E from the overlaps m: -sum_mu F(m_mu), or -log sum_mu exp(m_mu) for exp.
double DenseMemory::energy_of(const std::vector<double>& m) const {
  if (f_.kind() == Interaction::Kind::exp) {
    const double c = max_of(m);
    double z = 0;
    for (double v : m) z += std::exp(v - c);
    return -(c + std::log(z));
  }
  double e = 0;
  for (double v : m) e -= f_(v);
  return e;
}

// g_i = sum_mu x_mu,i [F(a_mu + 1) - F(a_mu - 1)],  a_mu = m_mu - x_mu,i s_i   (O(P)).
// For exp: F(a + 1) - F(a - 1) = 2 sinh(1) e^a, summed as e^(a - shift) with shift = max m.
double DenseMemory::gap(Index i, const std::vector<double>& m, float si, double shift) const {
  const float* xi = xt_.row(i).data();  // x_mu,i for mu = 0..P-1
  const Index P = num_patterns();
  double g = 0;
  switch (f_.kind()) {
    case Interaction::Kind::exp:
      for (Index mu = 0; mu < P; ++mu) {
        const double a = m[mu] - double(xi[mu] * si);
        g += double(xi[mu]) * std::exp(a - shift);
      }
      return 2.0 * std::sinh(1.0) * g;
    case Interaction::Kind::polynomial:
    case Interaction::Kind::rectified_polynomial:
      for (Index mu = 0; mu < P; ++mu) {
        const double a = m[mu] - double(xi[mu] * si);
        g += double(xi[mu]) * (f_(a + 1.0) - f_(a - 1.0));
      }
      return g;
  }
  return g;
}

namespace {

// m_mu = x_mu . s for a [1 x N] state.
std::vector<double> overlaps_of(const States& x, const float* s) {
  const Eigen::Map<const Eigen::Matrix<float, Eigen::Dynamic, 1>> sv(s, x.cols());
  const Eigen::VectorXf m = x * sv;  // [P x N][N] -> [P]; integers, exact in float
  return std::vector<double>(m.data(), m.data() + m.size());
}

}  // namespace

std::vector<double> DenseMemory::energy(const States& s) const {
  check_probe(s, "DenseMemory::energy", false);
  std::vector<double> e(static_cast<size_t>(s.rows()));
  for (Index b = 0; b < s.rows(); ++b) e[b] = energy_of(overlaps_of(x_, s.row(b).data()));
  return e;
}

MatD DenseMemory::gaps(const States& s) const {
  check_probe(s, "DenseMemory::gaps", true);
  const std::vector<double> m = overlaps_of(x_, s.data());
  const double shift = f_.kind() == Interaction::Kind::exp ? max_of(m) : 0.0;
  MatD g(1, dim());
  for (Index i = 0; i < dim(); ++i) g(0, i) = gap(i, m, s(0, i), shift);
  return g;
}

DenseRun DenseMemory::run(const States& probe, const DenseRunOptions& options, Rng& rng) const {
  const char* where = "DenseMemory::run";
  check_probe(probe, where, true);
  require(options.max_sweeps >= 1, where, "max_sweeps must be >= 1, got " + std::to_string(options.max_sweeps));
  const Index N = dim(), P = num_patterns();
  const bool is_exp = f_.kind() == Interaction::Kind::exp;

  DenseRun r;
  r.state = probe;
  float* s = r.state.data();                      // [1 x N]
  std::vector<double> m = overlaps_of(x_, s);     // [P]
  if (options.trace) r.energy_trace.push_back(energy_of(m));

  std::vector<float> next(static_cast<size_t>(N));
  for (int sweep = 1; sweep <= options.max_sweeps; ++sweep) {
    r.sweeps = sweep;
    Index changed = 0;
    if (options.dynamics == Dynamics::asynchronous) {
      for (int i : rng.permutation(static_cast<int>(N))) {
        const double g = gap(i, m, s[i], is_exp ? max_of(m) : 0.0);
        const float v = g >= 0 ? 1.0f : -1.0f;
        if (v != s[i]) {  // m_mu += x_mu,i (v - s_i) = 2 v x_mu,i
          const float* xi = xt_.row(i).data();
          for (Index mu = 0; mu < P; ++mu) m[mu] += 2.0 * double(v * xi[mu]);
          s[i] = v;
          ++changed;
        }
        if (options.trace) r.energy_trace.push_back(energy_of(m));
      }
    } else {
      const double shift = is_exp ? max_of(m) : 0.0;
      for (Index i = 0; i < N; ++i) next[i] = gap(i, m, s[i], shift) >= 0 ? 1.0f : -1.0f;
      for (Index i = 0; i < N; ++i) changed += next[i] != s[i];
      std::copy(next.begin(), next.end(), s);
      if (changed) m = overlaps_of(x_, s);
      if (options.trace) r.energy_trace.push_back(energy_of(m));
    }
    r.flips += changed;
    if (changed == 0) {
      r.converged = true;
      break;
    }
  }
  r.energy = energy_of(m);
  return r;
}

DenseRetrieval DenseMemory::retrieve(const States& probes, const DenseRunOptions& options, const Rng& rng,
                                     ThreadPool* pool) const {
  const char* where = "DenseMemory::retrieve";
  check_probe(probes, where, false);
  require(options.max_sweeps >= 1, where, "max_sweeps must be >= 1, got " + std::to_string(options.max_sweeps));
  DenseRunOptions opt = options;
  opt.trace = false;
  const Index B = probes.rows();
  std::vector<DenseRun> runs(static_cast<size_t>(B));
  const auto one = [&](Index b) {
    Rng r = rng.child(static_cast<std::uint64_t>(b));
    runs[b] = run(probes.row(b), opt, r);  // [1 x N]
  };
  if (pool)
    pool->parallel_for(B, one);
  else
    for (Index b = 0; b < B; ++b) one(b);

  DenseRetrieval out;
  out.states.resize(B, dim());
  for (Index b = 0; b < B; ++b) {
    out.states.row(b) = runs[b].state;
    out.sweeps.push_back(runs[b].sweeps);
    out.converged.push_back(runs[b].converged);
    out.energy.push_back(runs[b].energy);
  }
  return out;
}

}  // namespace engram::hopfield
