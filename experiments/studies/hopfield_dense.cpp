// The dense and modern Hopfield studies (issue experiments 5 and 6): capacity of dense
// associative memories against N per interaction function; modern continuous Hopfield
// recall of P >> d patterns, metastable averages at small beta, and one-step retrieval error
// against beta and separation.
#include "experiments/studies/hopfield_common.h"

#include "memory/hopfield/dense.h"
#include "memory/hopfield/modern.h"

#include <Eigen/Dense>

namespace engram::experiments::hopfield_studies {

namespace {

using hopfield::States;

// "poly3" -> x^3, "rect4" -> max(x,0)^4, "exp" -> exp(x)
hopfield::Interaction parse_interaction(const std::string& s, Section& cfg, const std::string& key) {
  auto degree = [&](size_t prefix) {
    try {
      size_t used = 0;
      const int n = std::stoi(s.substr(prefix), &used);
      if (used != s.size() - prefix || n < 1 || n > 64) throw std::invalid_argument(s);
      return n;
    } catch (const std::exception&) {
      cfg.fail(key, "'" + s + "': expected polyN, rectN (N in 1..64) or exp");
    }
  };
  if (s == "exp") return hopfield::Interaction::exponential();
  if (s.rfind("poly", 0) == 0) return hopfield::Interaction::polynomial(degree(4));
  if (s.rfind("rect", 0) == 0) return hopfield::Interaction::rectified_polynomial(degree(4));
  cfg.fail(key, "'" + s + "': expected polyN, rectN (N in 1..64) or exp");
}

// Least-squares slope of log y against log x over the finite positive points.
double loglog_slope(const std::vector<double>& x, const std::vector<double>& y) {
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  int n = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    if (!(y[i] > 0) || !(x[i] > 0)) continue;
    const double lx = std::log(x[i]), ly = std::log(y[i]);
    sx += lx, sy += ly, sxx += lx * lx, sxy += lx * ly, ++n;
  }
  if (n < 2) return std::nan("");
  return (n * sxy - sx * sy) / (n * sxx - sx * sx);
}

// Random patterns of unit norm (Gaussian directions): [P x d].
MatF unit_patterns(Index P, Index d, Rng& rng) {
  MatF x(P, d);
  for (Index i = 0; i < P; ++i) {
    for (Index j = 0; j < d; ++j) x(i, j) = float(rng.normal());
    x.row(i).normalize();
  }
  return x;
}

// ---- 5. dense associative memory: capacity against N ------------------------------------
//   study: {name: dense_capacity, Ns: [...], interactions: [poly2, poly3, poly4, exp],
//           trials: 5, p_max: 2000}
// Capacity of one trial: the largest P such that each of the first P random patterns is a fixed
// point (s_i = sign(g_i) for every unit). Krotov & Hopfield: it grows as N^(n-1) for F = x^n;
// Demircigil et al.: exponentially in N for exp. Points that reach p_max are reported as
// p_max (a lower bound; column capped = 1). The summary holds the fitted log-log slope per
// interaction, and the slope of capacity * ln N (perfect recall of every pattern goes as
// N^(n-1) / ln N, so that one is expected near n-1).
class DenseCapacity : public Study {
 public:
  explicit DenseCapacity(Section& cfg)
      : Ns_(integer_list(cfg, "Ns", {16, 24, 32, 48, 64}, 2)),
        names_(cfg.strings("interactions", {"poly2", "poly3", "poly4", "exp"})),
        trials_(int(cfg.integer("trials", 5, 1, 100000))),
        p_max_(int(cfg.integer("p_max", 2000, 2, 10000000))) {
    for (const auto& n : names_) interactions_.push_back(parse_interaction(n, cfg, "interactions"));
  }
  std::uint64_t points() const override { return Ns_.size() * names_.size(); }

  StudyResult run(StudyContext& ctx) const override {
    StudyResult r;
    r.table.columns = {"N"};
    for (const auto& n : names_) {
      r.table.columns.push_back("cap_" + n);
      r.table.columns.push_back("cap_" + n + "_sem");
      r.table.columns.push_back("capped_" + n);
    }
    std::vector<Series> data;
    for (const auto& n : names_) data.push_back(Series{"F = " + interactions_[&n - &names_[0]].name(), {}, {}, {}, false});
    for (double Nd : Ns_) {
      const int N = int(Nd);
      std::vector<double> row{Nd};
      for (size_t k = 0; k < names_.size(); ++k) {
        const std::string pk = key({{"N", N}}) + "/F=" + names_[k];
        const auto caps = ctx.point(pk, [&] {
          return over_trials(ctx, trials_, [&](int t) {
            Rng rng = ctx.rng().child(key({{"N", N}})).child(std::uint64_t(t));
            const States x = hopfield::random_patterns(p_max_, N, rng);
            auto stable = [&](int P) {
              const hopfield::DenseMemory mem(x.topRows(P), interactions_[k]);
              for (Index mu = 0; mu < P; ++mu) {
                const MatD g = mem.gaps(x.row(mu));
                for (Index i = 0; i < N; ++i)
                  if ((g(0, i) >= 0 ? 1.0f : -1.0f) != x(mu, i)) return false;
              }
              return true;
            };
            return stable(1) ? double(largest_ok(1, p_max_, stable)) : 0.0;
          });
        });
        const MeanSem m = mean_sem(caps);
        bool capped = false;
        for (double c : caps) capped = capped || c >= p_max_;
        row.push_back(m.mean);
        row.push_back(m.sem);
        row.push_back(capped ? 1 : 0);
        if (!capped) {
          data[k].x.push_back(Nd);
          data[k].y.push_back(m.mean);
          data[k].err.push_back(m.sem);
        }
        r.summary["cap_" + names_[k] + "@N=" + std::to_string(N)] = m.mean;
      }
      r.table.add(row);
    }
    Plot plot{"dense_capacity", "Dense associative memory capacity (all patterns fixed points)", "N (neurons)",
              "patterns", true, true, {}, {}, {}};
    for (size_t k = 0; k < names_.size(); ++k) {
      r.summary["loglog_slope_" + names_[k]] = loglog_slope(data[k].x, data[k].y);
      // perfect recall of all patterns scales as N^(n-1) / ln N: the slope of cap * ln N
      std::vector<double> corrected;
      for (size_t i = 0; i < data[k].x.size(); ++i) corrected.push_back(data[k].y[i] * std::log(data[k].x[i]));
      r.summary["loglog_slope_lnN_" + names_[k]] = loglog_slope(data[k].x, corrected);
      // reference line ~ N^(n-1) through the first measured point, for polynomials
      const auto& in = interactions_[k];
      if (in.kind() != hopfield::Interaction::Kind::exp && !data[k].x.empty()) {
        Series ref{"~ N^" + std::to_string(in.degree() - 1), {}, {}, {}, true};
        for (double n : data[k].x) {
          ref.x.push_back(n);
          ref.y.push_back(data[k].y[0] * std::pow(n / data[k].x[0], in.degree() - 1));
        }
        plot.series.push_back(ref);
      }
      plot.series.push_back(data[k]);
    }
    r.plots.push_back(plot);
    return r;
  }

 private:
  std::vector<double> Ns_;
  std::vector<std::string> names_;
  std::vector<hopfield::Interaction> interactions_;
  int trials_, p_max_;
};

// ---- 6a. modern Hopfield: recall of P >> d patterns at large beta ------------------------
//   study: {name: modern_capacity, d: 64, Ps: [...], beta: 32, noise: 0.2, trials: 5,
//           probes: 100, max_steps: 10}
// Unit-norm random patterns; probes are stored patterns plus Gaussian noise of norm ~noise;
// retrieval iterates the update to convergence (max_steps). Success: the retrieved state's
// nearest pattern is the probed one and it lies within 0.1 of it.
class ModernCapacity : public Study {
 public:
  explicit ModernCapacity(Section& cfg)
      : d_(int(cfg.integer("d", 64, 1, 100000))),
        Ps_(integer_list(cfg, "Ps", {16, 64, 256, 1024, 4096}, 1)),
        beta_(cfg.number("beta", 32, 1e-6, 1e6)),
        noise_(cfg.number("noise", 0.2, 0, 10)),
        trials_(int(cfg.integer("trials", 5, 1, 100000))),
        probes_(int(cfg.integer("probes", 100, 1, 1000000))),
        max_steps_(int(cfg.integer("max_steps", 10, 1, 100000))) {}
  std::uint64_t points() const override { return Ps_.size(); }

  StudyResult run(StudyContext& ctx) const override {
    StudyResult r;
    r.table.columns = {"P", "P_over_d", "success", "success_sem", "error", "steps"};
    Series s{"beta=" + fmt(beta_) + ", noise " + fmt(noise_), {}, {}, {}, false};
    for (double Pd : Ps_) {
      const Index P = Index(Pd);
      const std::string k = key({{"P", Pd}});
      const auto v = ctx.point(k, [&] {
        const auto per = over_trials_multi(ctx, trials_, [&](int t) {
          Rng rng = ctx.rng().child(k).child(std::uint64_t(t));
          const MatF x = unit_patterns(P, d_, rng);
          const hopfield::ModernHopfield mem(x, beta_);
          const Index n = std::min<Index>(P, probes_);
          MatF probe = x.topRows(n);
          for (Index i = 0; i < n; ++i)
            for (Index j = 0; j < d_; ++j) probe(i, j) += float(noise_ / std::sqrt(double(d_)) * rng.normal());
          const auto res = mem.retrieve(probe, max_steps_);
          const auto nearest = hopfield::nearest_pattern(x, res.states);
          double ok = 0, err = 0, steps = 0;
          for (Index i = 0; i < n; ++i) {
            const double e = (res.states.row(i) - x.row(i)).norm();
            ok += (nearest[size_t(i)] == i && e < 0.1) ? 1 : 0;
            err += e;
            steps += res.steps[size_t(i)];
          }
          return std::vector<double>{ok / double(n), err / double(n), steps / double(n)};
        });
        std::vector<double> flat;
        for (int c = 0; c < 3; ++c)
          for (const auto& p : per) flat.push_back(p[size_t(c)]);
        return flat;
      });
      auto part = [&](int c) { return std::vector<double>(v.begin() + c * trials_, v.begin() + (c + 1) * trials_); };
      const MeanSem ok = mean_sem(part(0)), err = mean_sem(part(1)), steps = mean_sem(part(2));
      r.table.add({Pd, Pd / d_, ok.mean, ok.sem, err.mean, steps.mean});
      s.x.push_back(Pd / d_);
      s.y.push_back(ok.mean);
      s.err.push_back(ok.sem);
      r.summary["success@P=" + fmt(Pd)] = ok.mean;
    }
    r.plots.push_back(Plot{"modern_capacity", "Modern Hopfield recall, d=" + std::to_string(d_), "P / d",
                           "success rate", true, false, {s}, {{"P = d", 1.0}}, {}});
    return r;
  }

 private:
  int d_;
  std::vector<double> Ps_;
  double beta_, noise_;
  int trials_, probes_, max_steps_;
};

// ---- 6b. modern Hopfield: metastable averages at small beta --------------------------------
//   study: {name: modern_metastable, d: 64, P: 256, betas: [...], trials: 5, probes: 50}
// From each stored pattern, iterate to the fixed point; report the effective number of patterns
// it averages (1 / sum_mu p_mu^2 of its softmax weights: P for the global average, 1 for a
// single pattern), its distance to the mean of all patterns, and the share still nearest to the
// pattern it started from.
class ModernMetastable : public Study {
 public:
  explicit ModernMetastable(Section& cfg)
      : d_(int(cfg.integer("d", 64, 1, 100000))),
        P_(int(cfg.integer("P", 256, 2, 10000000))),
        betas_(number_list(cfg, "betas", {0.25, 0.5, 1, 2, 4, 8, 16, 32, 64})),
        trials_(int(cfg.integer("trials", 5, 1, 100000))),
        probes_(int(cfg.integer("probes", 50, 1, 1000000))),
        max_steps_(int(cfg.integer("max_steps", 200, 1, 100000))) {
    for (double b : betas_)
      if (b <= 0) cfg.fail("betas", "must be > 0, got " + fmt(b));
  }
  std::uint64_t points() const override { return betas_.size(); }

  StudyResult run(StudyContext& ctx) const override {
    StudyResult r;
    r.table.columns = {"beta", "effective_patterns", "dist_to_mean", "recall"};
    Series eff{"effective patterns at the fixed point", {}, {}, {}, false};
    Series rec{"recall (nearest = start)", {}, {}, {}, false};
    for (double beta : betas_) {
      const std::string k = key({{"beta", beta}});
      const auto v = ctx.point(k, [&] {
        const auto per = over_trials_multi(ctx, trials_, [&](int t) {
          // the same patterns for every beta
          Rng rng = ctx.rng().child("patterns").child(std::uint64_t(t));
          const MatF x = unit_patterns(P_, d_, rng);
          const Eigen::RowVectorXf mean = x.colwise().mean();
          const hopfield::ModernHopfield mem(x, beta);
          const Index n = std::min<Index>(P_, probes_);
          const auto res = mem.retrieve(x.topRows(n), max_steps_);
          const MatF p = mem.weights(res.states);
          const auto nearest = hopfield::nearest_pattern(x, res.states);
          double e = 0, dist = 0, ok = 0;
          for (Index i = 0; i < n; ++i) {
            e += 1.0 / double(p.row(i).squaredNorm());
            dist += (res.states.row(i) - mean).norm();
            ok += nearest[size_t(i)] == i ? 1 : 0;
          }
          return std::vector<double>{e / double(n), dist / double(n), ok / double(n)};
        });
        std::vector<double> m(3, 0.0);
        for (const auto& q : per)
          for (int c = 0; c < 3; ++c) m[size_t(c)] += q[size_t(c)] / trials_;
        return m;
      });
      r.table.add({beta, v[0], v[1], v[2]});
      eff.x.push_back(beta);
      eff.y.push_back(v[0]);
      rec.x.push_back(beta);
      rec.y.push_back(v[2] * P_);  // on the same axis: recall rate scaled to P
      r.summary["effective_patterns@beta=" + fmt(beta)] = v[0];
      r.summary["recall@beta=" + fmt(beta)] = v[2];
    }
    rec.label = "recall rate x P";
    r.plots.push_back(Plot{"modern_metastable",
                           "Metastable states: patterns averaged at the fixed point (P=" + std::to_string(P_) + ")",
                           "beta", "effective number of patterns", true, true, {eff, rec}, {}, {}});
    return r;
  }

 private:
  int d_, P_;
  std::vector<double> betas_;
  int trials_, probes_, max_steps_;
};

// ---- 6c. modern Hopfield: one-step retrieval error against beta and separation -------------
//   study: {name: modern_separation, d: 64, P: 100, separations: [...], betas: [...], trials: 10}
// Pattern 0 is the target; the others are placed at cosine 1 - Delta from it (x_j = c x_0 +
// sqrt(1-c^2) u_j with u_j a random unit vector orthogonal to x_0), so its separation
// Delta_0 = x_0.x_0 - max_j x_0.x_j is Delta. Error: ||update(x_0) - x_0|| after one update from
// the target itself. Ramsauer et al. (Theorem 5) bound it by 2 (P-1) exp(-beta Delta) M (M = 1
// here): plotted as the theory lines.
class ModernSeparation : public Study {
 public:
  explicit ModernSeparation(Section& cfg)
      : d_(int(cfg.integer("d", 64, 2, 100000))),
        P_(int(cfg.integer("P", 100, 2, 10000000))),
        seps_(number_list(cfg, "separations", {0.05, 0.1, 0.2, 0.4})),
        betas_(number_list(cfg, "betas", {1, 2, 4, 8, 16, 32, 64, 128, 256})),
        trials_(int(cfg.integer("trials", 10, 1, 100000))) {
    for (double s : seps_)
      if (s <= 0 || s > 1) cfg.fail("separations", "must be in (0, 1], got " + fmt(s));
  }
  std::uint64_t points() const override { return seps_.size() * betas_.size(); }

  StudyResult run(StudyContext& ctx) const override {
    StudyResult r;
    r.table.columns = {"separation", "beta", "error", "error_sem", "bound"};
    Plot plot{"modern_separation", "One-step retrieval error, P=" + std::to_string(P_) + ", d=" + std::to_string(d_),
              "beta", "||f(x) - x||", true, true, {}, {}, {}};
    for (double sep : seps_) {
      Series data{"Delta=" + fmt(sep), {}, {}, {}, false}, bound{"bound, Delta=" + fmt(sep), {}, {}, {}, true};
      for (double beta : betas_) {
        const std::string k = key({{"separation", sep}, {"beta", beta}});
        const auto errs = ctx.point(k, [&] {
          return over_trials(ctx, trials_, [&](int t) {
            Rng rng = ctx.rng().child(key({{"separation", sep}})).child(std::uint64_t(t));
            MatF x = unit_patterns(P_, d_, rng);
            const Eigen::RowVectorXf x0 = x.row(0);
            const double c = 1.0 - sep;
            for (Index j = 1; j < P_; ++j) {
              Eigen::RowVectorXf u = x.row(j) - x.row(j).dot(x0) * x0;
              u.normalize();
              x.row(j) = float(c) * x0 + float(std::sqrt(std::max(0.0, 1 - c * c))) * u;
            }
            const hopfield::ModernHopfield mem(x, beta);
            return double((mem.update(x.topRows(1)) - x.topRows(1)).norm());
          });
        });
        const MeanSem m = mean_sem(errs);
        const double b = 2.0 * (P_ - 1) * std::exp(-beta * sep);
        r.table.add({sep, beta, m.mean, m.sem, b});
        data.x.push_back(beta);
        data.y.push_back(m.mean);
        data.err.push_back(m.sem);
        if (b < 10) {
          bound.x.push_back(beta);
          bound.y.push_back(b);
        }
        r.summary["error@Delta=" + fmt(sep) + ",beta=" + fmt(beta)] = m.mean;
      }
      plot.series.push_back(data);
      plot.series.push_back(bound);
    }
    r.plots.push_back(plot);
    return r;
  }

 private:
  int d_, P_;
  std::vector<double> seps_, betas_;
  int trials_;
};


ENGRAM_REGISTER(studies(), "dense_capacity", "dense associative memory: capacity against N for F = x^n and exp",
              study_factory<DenseCapacity>());
ENGRAM_REGISTER(studies(), "modern_capacity", "modern Hopfield: recall of P >> d patterns at large beta", study_factory<ModernCapacity>());
ENGRAM_REGISTER(studies(), "modern_metastable", "modern Hopfield: metastable averages against beta", study_factory<ModernMetastable>());
ENGRAM_REGISTER(studies(), "modern_separation", "modern Hopfield: one-step error against beta and separation, with the bound",
              study_factory<ModernSeparation>());

}  // namespace

}  // namespace engram::experiments::hopfield_studies
