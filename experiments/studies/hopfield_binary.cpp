// The binary Hopfield studies (issue experiments 1-4): one-step error against load, retrieval
// overlap at the fixed point against load, perfect-recall capacity against N per learning
// rule, and basins of attraction. Each is registered in studies() and configured from
// experiments/configs/hopfield/*.yaml.
#include "experiments/studies/hopfield_common.h"

#include "memory/hopfield/binary.h"
#include "memory/hopfield/packed.h"
#include "memory/hopfield/patterns.h"

namespace engram::experiments::hopfield_studies {

namespace {

using hopfield::BinaryHopfield;
using hopfield::States;

hopfield::Update read_update(Section& cfg) {
  return cfg.choice("update", "asynchronous", {"asynchronous", "synchronous"}) == "synchronous"
             ? hopfield::Update::synchronous
             : hopfield::Update::asynchronous;
}

// ---- 1. one-step bit-error probability against alpha -----------------------------------
//   study: {name: one_step_error, N: 1000, alphas: [...], trials: 20, rule: hebbian}
// Stores P = alpha N random patterns, applies one synchronous update to every stored pattern
// and counts flipped bits. Theory (Hebbian): 1/2 erfc(1/sqrt(2 alpha)).
class OneStepError : public Study {
 public:
  explicit OneStepError(Section& cfg)
      : N_(int(cfg.integer("N", 1000, 2, 100000))),
        alphas_(number_list(cfg, "alphas", {0.05, 0.075, 0.105, 0.138, 0.185, 0.25})),
        trials_(int(cfg.integer("trials", 20, 1, 100000))),
        rule_(rule_choices(cfg, "rule", {"hebbian"}).front()) {
    for (double a : alphas_)
      if (a <= 0) cfg.fail("alphas", "loads must be > 0, got " + fmt(a));
  }
  std::uint64_t points() const override { return alphas_.size(); }

  StudyResult run(StudyContext& ctx) const override {
    StudyResult r;
    r.table.columns = {"alpha", "P", "p_err", "p_err_sem", "theory", "rel_dev"};
    Series data{"measured, N=" + std::to_string(N_) + " (" + rule_.name + ")", {}, {}, {}, false};
    const auto rule = make_rule(rule_);
    for (double alpha : alphas_) {
      const int P = load_patterns(alpha, N_);
      const std::string k = key({{"N", N_}, {"alpha", alpha}});
      const auto errs = ctx.point(k, [&] {
        return over_trials(ctx, trials_, [&](int t) {
          Rng rng = ctx.rng().child(k).child(std::uint64_t(t));
          const States x = hopfield::random_patterns(P, N_, rng);
          const States y = BinaryHopfield::store(x, *rule).one_step(x);
          return double((y.array() != x.array()).count()) / double(x.size());
        });
      });
      const MeanSem m = mean_sem(errs);
      const double th = one_step_error_theory(double(P) / N_);
      r.table.add({alpha, double(P), m.mean, m.sem, th, (m.mean - th) / th});
      data.x.push_back(double(P) / N_);
      data.y.push_back(m.mean);
      data.err.push_back(m.sem);
      r.summary["p_err@" + fmt(alpha)] = m.mean;
      r.summary["rel_dev@" + fmt(alpha)] = (m.mean - th) / th;
    }
    Series theory{"theory 1/2 erfc(1/sqrt(2 alpha))", {}, {}, {}, true};
    const double lo = alphas_.front() * 0.9, hi = alphas_.back() * 1.05;
    for (int i = 0; i <= 100; ++i) {
      const double a = lo + (hi - lo) * i / 100.0;
      theory.x.push_back(a);
      theory.y.push_back(one_step_error_theory(a));
    }
    r.plots.push_back(Plot{"one_step_error", "One-step bit-error probability, " + rule_.name + " storage",
                           "load alpha = P/N", "P(bit flips after one update)", false, true,
                           {theory, data}, {{"alpha_c = 0.138", kAlphaC}}, {}});
    return r;
  }

 private:
  int N_;
  std::vector<double> alphas_;
  int trials_;
  Choice rule_;
};

// ---- 2. retrieval overlap at the fixed point against alpha, for several N -----------------
//   study: {name: retrieval_overlap, Ns: [100, 200, 500, 1000], alphas: [...], trials: 20,
//           probes: 100, flip: 0, update: asynchronous, max_sweeps: 200, success_overlap: 0.9}
// Starts the dynamics at (up to `probes` of) the stored patterns, optionally with a fraction
// `flip` of bits flipped, runs to the fixed point and measures the overlap m = x.s/N with the
// pattern. Two collapse points, by linear interpolation between grid points:
//   alpha_c(N)     where the mean final overlap falls below collapse_overlap (default 0.967:
//                  in the AGS theory the retrieval state's overlap never drops below m = 0.967
//                  up to alpha_c = 0.138, so a lower mean means probes left the retrieval state)
//   alpha_half(N)  where the share of probes ending with m >= success_overlap falls through 1/2
//                  (a later, finite-size-sensitive point: partial recall still counts).
class RetrievalOverlap : public Study {
 public:
  explicit RetrievalOverlap(Section& cfg)
      : Ns_(integer_list(cfg, "Ns", {100, 200, 500, 1000}, 2)),
        alphas_(number_list(cfg, "alphas", {0.05, 0.08, 0.1, 0.11, 0.12, 0.13, 0.14, 0.15, 0.16, 0.17, 0.18, 0.2})),
        trials_(int(cfg.integer("trials", 20, 1, 100000))),
        probes_(int(cfg.integer("probes", 100, 1, 1000000))),
        flip_(cfg.number("flip", 0.0, 0.0, 0.5)),
        success_(cfg.number("success_overlap", 0.9, 0.0, 1.0)),
        collapse_(cfg.number("collapse_overlap", 0.967, 0.0, 1.0)),
        rule_(rule_choices(cfg, "rule", {"hebbian"}).front()) {
    opt_.update = read_update(cfg);
    opt_.max_sweeps = int(cfg.integer("max_sweeps", 200, 1, 1000000));
  }
  std::uint64_t points() const override { return Ns_.size() * alphas_.size(); }

  StudyResult run(StudyContext& ctx) const override {
    StudyResult r;
    r.table.columns = {"N", "alpha", "P", "overlap", "overlap_sem", "success", "success_sem"};
    Plot overlap{"retrieval_overlap", "Overlap at the fixed point, " + rule_.name + " storage", "load alpha = P/N",
                 "mean final overlap m", false, false, {}, {{"alpha_c = 0.138 (AGS 1985)", kAlphaC}}, {}};
    Plot success{"retrieval_success", "Share of probes retrieved (m >= " + fmt(success_) + ")", "load alpha = P/N",
                 "success rate", false, false, {}, {{"alpha_c = 0.138 (AGS 1985)", kAlphaC}}, {}};
    const auto rule = make_rule(rule_);
    for (double Nd : Ns_) {
      const int N = int(Nd);
      Series so{"N=" + std::to_string(N), {}, {}, {}, false}, ss = so;
      for (double alpha : alphas_) {
        const int P = load_patterns(alpha, N);
        const std::string k = key({{"N", N}, {"alpha", alpha}});
        const auto v = ctx.point(k, [&] {
          const auto per_trial = over_trials_multi(ctx, trials_, [&](int t) {
            Rng rng = ctx.rng().child(k).child(std::uint64_t(t));
            const States x = hopfield::random_patterns(P, N, rng);
            const Index n = std::min<Index>(P, probes_);
            Rng flip_rng = rng.child("flip");
            const States probes = hopfield::flip_bits(x.topRows(n), flip_, flip_rng);
            // Hebbian storage runs on the bit-packed path: the same states bit for bit, faster
            const auto res = rule_.name == "hebbian"
                                 ? hopfield::PackedHebbian(x).run_batch(probes, opt_, rng.child("dynamics"))
                                 : BinaryHopfield::store(x, *rule).run_batch(probes, opt_, rng.child("dynamics"));
            double m = 0, ok = 0;
            for (Index i = 0; i < n; ++i) {
              const double o = double(x.row(i).dot(res.states.row(i))) / N;
              m += o;
              ok += o >= success_ ? 1 : 0;
            }
            return std::vector<double>{m / double(n), ok / double(n)};
          });
          std::vector<double> flat;
          for (const auto& p : per_trial) flat.push_back(p[0]);
          for (const auto& p : per_trial) flat.push_back(p[1]);
          return flat;
        });
        const std::vector<double> ov(v.begin(), v.begin() + trials_), sc(v.begin() + trials_, v.end());
        const MeanSem mo = mean_sem(ov), ms = mean_sem(sc);
        r.table.add({double(N), alpha, double(P), mo.mean, mo.sem, ms.mean, ms.sem});
        for (auto* s : {&so, &ss}) s->x.push_back(double(P) / N);
        so.y.push_back(mo.mean);
        so.err.push_back(mo.sem);
        ss.y.push_back(ms.mean);
        ss.err.push_back(ms.sem);
      }
      r.summary["alpha_c@N=" + std::to_string(N)] = crossing(so.x, so.y, collapse_);
      r.summary["alpha_half@N=" + std::to_string(N)] = crossing(ss.x, ss.y, 0.5);
      overlap.series.push_back(so);
      success.series.push_back(ss);
    }
    overlap.series.push_back(Series{"m = " + fmt(collapse_) + " (AGS retrieval state at alpha_c)",
                                    {alphas_.front(), alphas_.back()}, {collapse_, collapse_}, {}, true});
    r.plots = {overlap, success};
    return r;
  }

 private:
  std::vector<double> Ns_, alphas_;
  int trials_, probes_;
  double flip_, success_, collapse_;
  Choice rule_;
  hopfield::RunOptions opt_;
};

// ---- 3. perfect-recall capacity against N per learning rule -----------------------------
//   study: {name: capacity, Ns: [50, 100, 200, 400], rules: [hebbian, storkey, pseudo_inverse],
//           trials: 10}
// Capacity of one trial: the largest P such that all of the first P patterns of a fixed random
// sequence are fixed points of the network storing exactly them (searched by doubling then
// bisection over the nested sets, P <= N - 1). Plotted with N/(2 ln N), N/(4 ln N) (Hebbian),
// N/sqrt(2 ln N) (Storkey) and N (pseudo-inverse).
class Capacity : public Study {
 public:
  explicit Capacity(Section& cfg)
      : Ns_(integer_list(cfg, "Ns", {50, 100, 200, 400}, 4)),
        rules_(rule_choices(cfg, "rules", {"hebbian", "storkey", "pseudo_inverse"})),
        trials_(int(cfg.integer("trials", 10, 1, 100000))) {}
  std::uint64_t points() const override { return Ns_.size() * rules_.size(); }

  StudyResult run(StudyContext& ctx) const override {
    StudyResult r;
    r.table.columns = {"N"};
    for (const auto& rule : rules_) {
      r.table.columns.push_back("cap_" + rule.name);
      r.table.columns.push_back("cap_" + rule.name + "_sem");
    }
    for (const char* c : {"N_over_2lnN", "N_over_4lnN", "N_over_sqrt2lnN"}) r.table.columns.push_back(c);
    Plot plot{"capacity", "Perfect-recall capacity", "N (neurons)", "patterns stored, all fixed points", true, true,
              {}, {}, {}};
    std::vector<Series> data;
    for (const auto& rule : rules_) data.push_back(Series{rule.name, {}, {}, {}, false});
    for (double Nd : Ns_) {
      const int N = int(Nd);
      std::vector<double> row{Nd};
      for (size_t ri = 0; ri < rules_.size(); ++ri) {
        const auto rule = make_rule(rules_[ri]);
        const std::string k = key({{"N", N}}) + "/rule=" + rules_[ri].name;
        const auto caps = ctx.point(k, [&] {
          return over_trials(ctx, trials_, [&](int t) {
            // the same pattern sequence for every rule: streams depend on N and trial only
            Rng rng = ctx.rng().child(key({{"N", N}})).child(std::uint64_t(t));
            const States x = hopfield::random_patterns(N - 1, N, rng);
            auto stable = [&](int P) {
              const States xp = x.topRows(P);
              return (BinaryHopfield::store(xp, *rule).one_step(xp).array() == xp.array()).all();
            };
            return stable(1) ? double(largest_ok(1, N - 1, stable)) : 0.0;
          });
        });
        const MeanSem m = mean_sem(caps);
        row.push_back(m.mean);
        row.push_back(m.sem);
        data[ri].x.push_back(Nd);
        data[ri].y.push_back(m.mean);
        data[ri].err.push_back(m.sem);
        r.summary["cap_" + rules_[ri].name + "@N=" + std::to_string(N)] = m.mean;
      }
      row.push_back(hebbian_capacity_2ln(Nd));
      row.push_back(hebbian_capacity_4ln(Nd));
      row.push_back(storkey_capacity(Nd));
      r.table.add(row);
    }
    Series t2{"N/(2 ln N)", {}, {}, {}, true}, t4{"N/(4 ln N)", {}, {}, {}, true},
        ts{"N/sqrt(2 ln N) (Storkey)", {}, {}, {}, true}, tn{"N (pseudo-inverse)", {}, {}, {}, true};
    const double lo = Ns_.front(), hi = Ns_.back();
    for (int i = 0; i <= 50; ++i) {
      const double n = lo * std::pow(hi / lo, i / 50.0);
      for (auto* s : {&t2, &t4, &ts, &tn}) s->x.push_back(n);
      t2.y.push_back(hebbian_capacity_2ln(n));
      t4.y.push_back(hebbian_capacity_4ln(n));
      ts.y.push_back(storkey_capacity(n));
      tn.y.push_back(n);
    }
    plot.series = {t2, t4, ts, tn};
    for (auto& d : data) plot.series.push_back(d);
    r.plots.push_back(plot);
    return r;
  }

 private:
  std::vector<double> Ns_;
  std::vector<Choice> rules_;
  int trials_;
};

// ---- 4. basins of attraction ----------------------------------------------------------------
//   study: {name: basins, N: 200, rules: [...], alphas: [0.05, 0.1], flips: [0, 0.05, ...],
//           trials: 10, probes: 50, update: asynchronous, success_overlap: 0.95}
// Success rate: the share of probes (stored patterns with a fraction `flip` of bits flipped)
// whose fixed point has overlap >= success_overlap with the pattern. The basin radius is the
// flip fraction where the success rate falls through 1/2.
class Basins : public Study {
 public:
  explicit Basins(Section& cfg)
      : N_(int(cfg.integer("N", 200, 4, 100000))),
        rules_(rule_choices(cfg, "rules", {"hebbian", "storkey", "pseudo_inverse"})),
        alphas_(number_list(cfg, "alphas", {0.05, 0.1})),
        flips_(number_list(cfg, "flips", {0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5})),
        trials_(int(cfg.integer("trials", 10, 1, 100000))),
        probes_(int(cfg.integer("probes", 50, 1, 1000000))),
        success_(cfg.number("success_overlap", 0.95, 0.0, 1.0)) {
    opt_.update = read_update(cfg);
    opt_.max_sweeps = int(cfg.integer("max_sweeps", 200, 1, 1000000));
    for (double f : flips_)
      if (f < 0 || f > 1) cfg.fail("flips", "fractions must be in [0, 1], got " + fmt(f));
  }
  std::uint64_t points() const override { return rules_.size() * alphas_.size() * flips_.size(); }

  StudyResult run(StudyContext& ctx) const override {
    StudyResult r;
    r.table.columns = {"alpha", "flip"};
    for (const auto& rule : rules_) {
      r.table.columns.push_back("success_" + rule.name);
      r.table.columns.push_back("overlap_" + rule.name);
    }
    Plot plot{"basins", "Basins of attraction, N=" + std::to_string(N_), "fraction of bits flipped in the probe",
              "success rate (m >= " + fmt(success_) + ")", false, false, {}, {}, {}};
    std::vector<std::vector<double>> rows(alphas_.size() * flips_.size());
    for (size_t a = 0; a < alphas_.size(); ++a)
      for (size_t f = 0; f < flips_.size(); ++f) rows[a * flips_.size() + f] = {alphas_[a], flips_[f]};
    for (const auto& choice : rules_) {
      const std::string& rule_name = choice.name;
      const auto rule = make_rule(choice);
      for (size_t a = 0; a < alphas_.size(); ++a) {
        const int P = load_patterns(alphas_[a], N_);
        Series s{rule_name + ", alpha=" + fmt(alphas_[a]), {}, {}, {}, false};
        for (size_t f = 0; f < flips_.size(); ++f) {
          const std::string k = key({{"alpha", alphas_[a]}, {"flip", flips_[f]}}) + "/rule=" + rule_name;
          const auto v = ctx.point(k, [&] {
            const auto per_trial = over_trials_multi(ctx, trials_, [&](int t) {
              // patterns and probes do not depend on the rule: rules see the same inputs
              Rng rng = ctx.rng().child(key({{"alpha", alphas_[a]}, {"flip", flips_[f]}})).child(std::uint64_t(t));
              const States x = hopfield::random_patterns(P, N_, rng);
              const BinaryHopfield net = BinaryHopfield::store(x, *rule);
              const Index n = std::min<Index>(P, probes_);
              Rng flip_rng = rng.child("flip");
              const auto res = net.run_batch(hopfield::flip_bits(x.topRows(n), flips_[f], flip_rng), opt_,
                                             rng.child("dynamics"));
              double ok = 0, m = 0;
              for (Index i = 0; i < n; ++i) {
                const double o = double(x.row(i).dot(res.states.row(i))) / N_;
                ok += o >= success_ ? 1 : 0;
                m += o;
              }
              return std::vector<double>{ok / double(n), m / double(n)};
            });
            double ok = 0, m = 0;
            for (const auto& p : per_trial) ok += p[0], m += p[1];
            return std::vector<double>{ok / trials_, m / trials_};
          });
          rows[a * flips_.size() + f].push_back(v[0]);
          rows[a * flips_.size() + f].push_back(v[1]);
          s.x.push_back(flips_[f]);
          s.y.push_back(v[0]);
        }
        r.summary["basin_radius_" + rule_name + "@" + fmt(alphas_[a])] = crossing(s.x, s.y, 0.5);
        plot.series.push_back(s);
      }
    }
    for (auto& row : rows) r.table.add(row);
    r.plots.push_back(plot);
    return r;
  }

 private:
  int N_;
  std::vector<Choice> rules_;
  std::vector<double> alphas_, flips_;
  int trials_, probes_;
  double success_;
  hopfield::RunOptions opt_;
};


ENGRAM_REGISTER(studies(), "one_step_error", "Hopfield: one-step bit-error probability against load, with theory", study_factory<OneStepError>());
ENGRAM_REGISTER(studies(), "retrieval_overlap", "Hopfield: overlap at the fixed point against load for several N; collapse point",
              study_factory<RetrievalOverlap>());
ENGRAM_REGISTER(studies(), "capacity", "Hopfield: perfect-recall capacity against N per learning rule, with theory",
              study_factory<Capacity>());
ENGRAM_REGISTER(studies(), "basins", "Hopfield: retrieval success against the fraction of flipped bits, per rule and load",
              study_factory<Basins>());

}  // namespace

}  // namespace engram::experiments::hopfield_studies
