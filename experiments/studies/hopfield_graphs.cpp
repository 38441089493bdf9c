// The Hopfield studies on Boost.Graph structures: capacity against dilution per graph family
// (issue experiment 7), and the attractor landscape of small networks against load.
#include "experiments/studies/hopfield_common.h"

#include "memory/hopfield/landscape.h"
#include "memory/hopfield/topology.h"

namespace engram::experiments::hopfield_studies {

namespace {

using hopfield::BinaryHopfield;
using hopfield::States;

// ---- 7. capacity against dilution -------------------------------------------------------
//   study: {name: dilution, N: 500, degrees: [10, 20, 50, 100, 200, 498],
//           families: [erdos_renyi, watts_strogatz, ring], rewiring: 0.2, trials: 5,
//           probes: 50, success_overlap: 0.9}
// Hebbian storage on a graph of mean degree K (topology.h: W = (X^T X - P I) .* A / K).
// Capacity of one trial: the largest P whose stored patterns are retrieved (fixed point of
// asynchronous dynamics started at the pattern with overlap >= success_overlap) for at least
// half of the probes; reported as the critical load alpha_c = P / K. Theory: 0.138 for the
// fully connected network, 2/pi ~ 0.64 for extreme random dilution (Derrida, Gardner &
// Zippelius 1987); local (ring) connectivity does worse, rewiring restores it.
class Dilution : public Study {
 public:
  explicit Dilution(Section& cfg)
      : N_(int(cfg.integer("N", 500, 8, 100000))),
        degrees_(integer_list(cfg, "degrees", {10, 20, 50, 100, 200, 498}, 2, N_ - 1)),
        families_(cfg.strings("families", {"erdos_renyi", "watts_strogatz", "ring"})),
        rewiring_(cfg.number("rewiring", 0.2, 0.0, 1.0)),
        trials_(int(cfg.integer("trials", 5, 1, 100000))),
        probes_(int(cfg.integer("probes", 50, 1, 1000000))),
        success_(cfg.number("success_overlap", 0.9, 0.0, 1.0)) {
    for (const auto& f : families_)
      if (f != "erdos_renyi" && f != "watts_strogatz" && f != "ring")
        cfg.fail("families", "unknown family '" + f + "'; known: erdos_renyi, watts_strogatz, ring");
    opt_.update = hopfield::Update::asynchronous;
    opt_.max_sweeps = 100;
  }
  std::uint64_t points() const override { return families_.size() * degrees_.size(); }

  // The graph of family f with mean degree about K (even k for the lattices).
  hopfield::Topology graph(const std::string& f, int K, Rng& rng) const {
    Options o;
    o.set("name", f);
    const int k_even = std::max(2, std::min(N_ - 2, 2 * ((K + 1) / 2)));
    if (f == "erdos_renyi") {
      o.set("p", double(K) / double(N_ - 1));
    } else {
      o.set("k", double(k_even));
      if (f == "watts_strogatz") o.set("beta", rewiring_);
    }
    return hopfield::make_topology(N_, o, rng);
  }

  StudyResult run(StudyContext& ctx) const override {
    StudyResult r;
    r.table.columns = {"degree"};
    for (const auto& f : families_) {
      r.table.columns.push_back("K_" + f);
      r.table.columns.push_back("alpha_c_" + f);
      r.table.columns.push_back("alpha_c_" + f + "_sem");
    }
    Plot plot{"dilution", "Capacity against dilution, N=" + std::to_string(N_), "connectivity K / (N-1)",
              "critical load alpha_c = P_c / K", true, false, {}, {}, {}};
    std::vector<std::vector<double>> rows;
    for (double K : degrees_) rows.push_back({K});
    for (const auto& f : families_) {
      Series s{f == "watts_strogatz" ? "watts_strogatz (rewiring " + fmt(rewiring_) + ")" : f, {}, {}, {}, false};
      for (size_t i = 0; i < degrees_.size(); ++i) {
        const int K = int(degrees_[i]);
        const std::string k = key({{"K", K}}) + "/family=" + f;
        const auto v = ctx.point(k, [&] {
          const auto per = over_trials_multi(ctx, trials_, [&](int t) {
            Rng rng = ctx.rng().child(k).child(std::uint64_t(t));
            Rng graph_rng = rng.child("graph");
            const hopfield::Topology g = graph(f, K, graph_rng);
            const int p_max = std::max(2, int(g.mean_degree));
            const States x = hopfield::random_patterns(p_max, N_, rng);
            auto retrieved = [&](int P) {
              const States xp = x.topRows(P);
              const BinaryHopfield net(hopfield::mask_weights(hopfield::hebbian_matrix(xp), g.adjacency), {},
                                       1.0f / float(g.mean_degree));
              const Index n = std::min<Index>(P, probes_);
              const auto res = net.run_batch(xp.topRows(n), opt_, rng.child(std::uint64_t(P)));
              Index ok = 0;
              for (Index j = 0; j < n; ++j) ok += double(xp.row(j).dot(res.states.row(j))) / N_ >= success_;
              return 2 * ok >= n;
            };
            const int pc = retrieved(1) ? largest_ok(1, p_max, retrieved) : 0;
            return std::vector<double>{g.mean_degree, double(pc) / g.mean_degree};
          });
          std::vector<double> flat;
          for (const auto& p : per) flat.push_back(p[0]);
          for (const auto& p : per) flat.push_back(p[1]);
          return flat;
        });
        const MeanSem kd = mean_sem({v.begin(), v.begin() + trials_});
        const MeanSem ac = mean_sem({v.begin() + trials_, v.end()});
        rows[i].insert(rows[i].end(), {kd.mean, ac.mean, ac.sem});
        s.x.push_back(kd.mean / (N_ - 1));
        s.y.push_back(ac.mean);
        s.err.push_back(ac.sem);
        r.summary["alpha_c_" + f + "@K=" + std::to_string(K)] = ac.mean;
      }
      plot.series.push_back(s);
    }
    for (auto& row : rows) r.table.add(row);
    const double lo = degrees_.front() / (N_ - 1), hi = 1.0;
    plot.series.insert(plot.series.begin(), {Series{"fully connected, 0.138", {lo, hi}, {kAlphaC, kAlphaC}, {}, true},
                                             Series{"extreme random dilution, 2/pi", {lo, hi}, {2 / M_PI, 2 / M_PI}, {}, true}});
    r.plots.push_back(plot);
    return r;
  }

 private:
  int N_;
  std::vector<double> degrees_;
  std::vector<std::string> families_;
  double rewiring_;
  int trials_, probes_;
  double success_;
  hopfield::RunOptions opt_;
};

// ---- the attractor landscape of small networks against load ---------------------------------
//   study: {name: landscape, N: 14, loads: [1, 2, 3, 4, 5], rule: hebbian, trials: 5,
//           update: synchronous}
// Enumerates all 2^N states of a network storing P random patterns and classifies every
// attractor (strongly connected components of the successor graph): stored patterns, their
// inverses, spurious states, cycles; and the share of all states that flow to a stored pattern
// or its inverse.
class LandscapeStudy : public Study {
 public:
  explicit LandscapeStudy(Section& cfg)
      : N_(int(cfg.integer("N", 14, 2, 20))),
        loads_(integer_list(cfg, "loads", {1, 2, 3, 4, 5}, 1)),
        rule_(rule_choices(cfg, "rule", {"hebbian"}).front()),
        trials_(int(cfg.integer("trials", 5, 1, 100000))),
        update_(cfg.choice("update", "synchronous", {"synchronous", "asynchronous"}) == "synchronous"
                    ? hopfield::Update::synchronous
                    : hopfield::Update::asynchronous) {
  }
  std::uint64_t points() const override { return loads_.size(); }

  StudyResult run(StudyContext& ctx) const override {
    StudyResult r;
    r.table.columns = {"P", "attractors", "stored_recalled", "inverses", "spurious_fixed", "cycles",
                       "basin_share_stored", "basin_share_inverse"};
    Series stored{"states flowing to a stored pattern", {}, {}, {}, false};
    Series spur{"states flowing to spurious attractors", {}, {}, {}, false};
    const auto rule = make_rule(rule_);
    for (double Pd : loads_) {
      const int P = int(Pd);
      const std::string k = key({{"P", P}});
      const auto v = ctx.point(k, [&] {
        const auto per = over_trials_multi(ctx, trials_, [&](int t) {
          Rng rng = ctx.rng().child(k).child(std::uint64_t(t));
          const States x = hopfield::random_patterns(P, N_, rng);
          const auto land = hopfield::attractor_landscape(BinaryHopfield::store(x, *rule), x, update_);
          double n_stored = 0, n_inv = 0, n_spur = 0, n_cyc = 0, b_stored = 0, b_inv = 0;
          for (const auto& a : land.attractors) {
            if (a.is_cycle) ++n_cyc;
            if (a.kind == hopfield::AttractorKind::stored) n_stored += 1, b_stored += double(a.basin_size);
            else if (a.kind == hopfield::AttractorKind::inverse) n_inv += 1, b_inv += double(a.basin_size);
            else if (!a.is_cycle) n_spur += 1;
          }
          const double all = std::ldexp(1.0, N_);
          return std::vector<double>{double(land.attractors.size()), n_stored, n_inv, n_spur, n_cyc, b_stored / all,
                                     b_inv / all};
        });
        std::vector<double> m(7, 0.0);
        for (const auto& q : per)
          for (size_t c = 0; c < 7; ++c) m[c] += q[c] / trials_;
        return m;
      });
      std::vector<double> row{Pd};
      row.insert(row.end(), v.begin(), v.end());
      r.table.add(row);
      stored.x.push_back(Pd);
      stored.y.push_back(v[5] + v[6]);
      spur.x.push_back(Pd);
      spur.y.push_back(1 - v[5] - v[6]);
      r.summary["basin_share_stored@P=" + std::to_string(P)] = v[5];
      r.summary["spurious_fixed@P=" + std::to_string(P)] = v[3];
    }
    stored.label += " or its inverse";
    r.plots.push_back(Plot{"landscape", "Attractor landscape, N=" + std::to_string(N_) + " (all 2^N states)",
                           "stored patterns P", "share of state space", false, false, {stored, spur}, {}, {}});
    return r;
  }

 private:
  int N_;
  std::vector<double> loads_;
  Choice rule_;
  int trials_;
  hopfield::Update update_;
};


ENGRAM_REGISTER(studies(), "dilution", "Hopfield: critical load against dilution on Erdos-Renyi, Watts-Strogatz and ring graphs",
              study_factory<Dilution>());
ENGRAM_REGISTER(studies(), "landscape", "Hopfield: attractors, spurious states and basins of small networks by full enumeration",
              study_factory<LandscapeStudy>());

}  // namespace

}  // namespace engram::experiments::hopfield_studies
