// The Hopfield studies on small settings: each runs from config, produces its table with the
// expected columns, and its figures agree with theory where the theory is sharp enough to
// test at small N. (The N = 1000 figures are the experiments in experiments/configs/hopfield/.)
#include "experiments/runner.h"
#include "experiments/study.h"
#include "experiments/studies/hopfield_common.h"

#include "tests/test_util.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

using namespace engram;
using namespace engram::experiments;
namespace fs = std::filesystem;

namespace {

struct TempDir : engram::test::TempDir {
  TempDir() : engram::test::TempDir("engram-hstudy") {}
};
using engram::test::slurp;

// Runs `study` (a flow mapping) and returns its table.
Table run_study(const std::string& study, const std::vector<std::string>& overrides = {}) {
  TempDir d;
  const fs::path cfg = d.path / "s.yaml";
  std::ofstream(cfg) << "name: t\nseed: 3\nstudy: " << study << "\n";
  RunRequest req;
  req.config = cfg.string();
  req.overrides = overrides;
  req.out = (d.path / "run").string();
  req.runs_root = (d.path / "runs").string();
  req.progress = false;
  std::ostringstream log;
  ::setenv("ENGRAM_PLOTTER", "/nonexistent", 1);  // plots are tested in study_test; skip here
  const RunOutcome o = run_experiment(req, log);
  ::unsetenv("ENGRAM_PLOTTER");
  REQUIRE(o.status == "completed");
  return Table::from_csv(slurp(d.path / "run/table.csv"), "table.csv");
}

size_t col(const Table& t, const std::string& name) {
  for (size_t i = 0; i < t.columns.size(); ++i)
    if (t.columns[i] == name) return i;
  FAIL("no column " << name);
  return 0;
}

}  // namespace

TEST_CASE("hopfield study helpers: crossing, largest_ok, mean_sem", "[study][hopfield]") {
  using namespace hopfield_studies;
  REQUIRE(crossing({0, 1, 2}, {1, 0.8, 0.2}, 0.5) == Approx(1.5));
  REQUIRE(std::isnan(crossing({0, 1}, {1, 0.9}, 0.5)));
  for (int cap : {1, 2, 3, 7, 8, 50, 99, 100}) {
    int calls = 0;
    REQUIRE(largest_ok(1, 100, [&](int p) { ++calls; return p <= cap; }) == cap);
    REQUIRE(calls <= 16);
  }
  const MeanSem m = mean_sem({1, 2, 3});
  REQUIRE(m.mean == Approx(2));
  REQUIRE(m.sem == Approx(1 / std::sqrt(3.0)));
  REQUIRE(one_step_error_theory(0.138) == Approx(0.0036).epsilon(0.03));
}

TEST_CASE("one_step_error follows 1/2 erfc(1/sqrt(2 alpha)) at N=400", "[study][hopfield]") {
  const Table t = run_study("{name: one_step_error, N: 400, alphas: [0.138, 0.185], trials: 8}");
  REQUIRE(t.rows.size() == 2);
  for (const auto& row : t.rows) {
    // about 8 * 55 * 400 = 176k bits at alpha 0.138: a 20% band is > 5 standard errors
    REQUIRE(row[col(t, "p_err")] == Approx(row[col(t, "theory")]).epsilon(0.2));
  }
}

TEST_CASE("retrieval_overlap: recall holds at low load and collapses at high load", "[study][hopfield]") {
  const Table t = run_study("{name: retrieval_overlap, Ns: [200], alphas: [0.05, 0.3], trials: 4, probes: 20}");
  REQUIRE(t.rows.size() == 2);
  REQUIRE(t.rows[0][col(t, "overlap")] > 0.98);
  REQUIRE(t.rows[0][col(t, "success")] == 1.0);
  REQUIRE(t.rows[1][col(t, "overlap")] < 0.6);
}

TEST_CASE("capacity: Storkey beats Hebbian, pseudo-inverse stores up to N-1", "[study][hopfield]") {
  const Table t = run_study("{name: capacity, Ns: [64], trials: 4}");
  REQUIRE(t.rows.size() == 1);
  const auto& r = t.rows[0];
  REQUIRE(r[col(t, "cap_pseudo_inverse")] == 63);
  REQUIRE(r[col(t, "cap_storkey")] > 1.5 * r[col(t, "cap_hebbian")]);
  REQUIRE(r[col(t, "cap_hebbian")] > 0.5 * r[col(t, "N_over_2lnN")]);
  REQUIRE(r[col(t, "cap_hebbian")] < 2.0 * r[col(t, "N_over_2lnN")]);
}

TEST_CASE("basins: success falls with the fraction of flipped bits", "[study][hopfield]") {
  const Table t = run_study("{name: basins, N: 100, rules: [hebbian], alphas: [0.05], flips: [0, 0.1, 0.5], trials: 3, probes: 5}");
  REQUIRE(t.rows.size() == 3);
  const size_t s = col(t, "success_hebbian");
  REQUIRE(t.rows[0][s] == 1.0);
  REQUIRE(t.rows[1][s] >= 0.8);
  // half the bits flipped: no information left; it lands on the target only by chance (~1/2P)
  REQUIRE(t.rows[2][s] < 0.5);
}

TEST_CASE("hopfield study options are validated with file:line", "[study][hopfield][errors]") {
  REQUIRE_THROWS_WITH(run_study("{name: capacity, rules: [hebbian, storky]}"),
                      Catch::Contains("study.rules") && Catch::Contains("storkey"));
  REQUIRE_THROWS_WITH(run_study("{name: one_step_error, alphas: [0.1, -1]}"),
                      Catch::Contains("s.yaml:3") && Catch::Contains("must be > 0"));
}

TEST_CASE("dense_capacity: higher-order interactions store more patterns", "[study][hopfield][dense]") {
  const Table t = run_study("{name: dense_capacity, Ns: [20], interactions: [poly2, poly3, poly4], trials: 3, p_max: 400}");
  const auto& r = t.rows[0];
  REQUIRE(r[col(t, "cap_poly3")] > 2 * r[col(t, "cap_poly2")]);
  REQUIRE(r[col(t, "cap_poly4")] > 1.5 * r[col(t, "cap_poly3")]);
  REQUIRE(r[col(t, "capped_poly4")] == 0);
  REQUIRE_THROWS_WITH(run_study("{name: dense_capacity, interactions: [poly, exp]}"),
                      Catch::Contains("study.interactions") && Catch::Contains("expected polyN"));
}

TEST_CASE("modern Hopfield studies: P >> d recall, metastable averages, error under the bound", "[study][hopfield][modern]") {
  const Table cap = run_study("{name: modern_capacity, d: 32, Ps: [512], beta: 32, trials: 2, probes: 50}");
  REQUIRE(cap.rows[0][col(cap, "success")] == 1.0);  // 16 x more patterns than dimensions

  const Table meta = run_study("{name: modern_metastable, d: 32, P: 64, betas: [0.5, 64], trials: 2, probes: 10}");
  REQUIRE(meta.rows[0][col(meta, "effective_patterns")] > 0.95 * 64);  // the global average
  REQUIRE(meta.rows[0][col(meta, "recall")] == 0.0);
  REQUIRE(meta.rows[1][col(meta, "effective_patterns")] < 1.05);       // the pattern itself
  REQUIRE(meta.rows[1][col(meta, "recall")] == 1.0);

  const Table sep = run_study("{name: modern_separation, d: 32, P: 20, separations: [0.1, 0.3], betas: [4, 32, 128], trials: 3}");
  for (const auto& row : sep.rows) REQUIRE(row[col(sep, "error")] <= row[col(sep, "bound")]);
  // larger separation, smaller error at the same beta
  REQUIRE(sep.rows[4][col(sep, "error")] < sep.rows[1][col(sep, "error")]);
}

TEST_CASE("dilution: random sparse graphs store more per connection than rings", "[study][hopfield][graphs]") {
  const Table t = run_study("{name: dilution, N: 200, degrees: [10, 100], families: [erdos_renyi, ring], trials: 2, probes: 20}");
  REQUIRE(t.rows.size() == 2);
  const size_t er = col(t, "alpha_c_erdos_renyi"), ring = col(t, "alpha_c_ring");
  REQUIRE(t.rows[0][col(t, "K_ring")] == 10);
  REQUIRE(t.rows[0][col(t, "K_erdos_renyi")] == Approx(10).epsilon(0.2));
  REQUIRE(t.rows[0][er] > t.rows[1][er]);  // dilution raises the capacity per connection
  REQUIRE(t.rows[0][er] > t.rows[0][ring]);  // random beats local at the same degree
  REQUIRE_THROWS_WITH(run_study("{name: dilution, families: [erdos_renyi, star]}"),
                      Catch::Contains("study.families") && Catch::Contains("unknown family 'star'"));
}

TEST_CASE("landscape: one stored pattern and its inverse own every state of an odd network", "[study][hopfield][graphs]") {
  // N odd: x.s is never 0, so every state goes to x or -x in one synchronous step
  const Table t = run_study("{name: landscape, N: 9, loads: [1, 3], trials: 2}");
  const auto& one = t.rows[0];
  REQUIRE(one[col(t, "attractors")] == 2);
  REQUIRE(one[col(t, "stored_recalled")] == 1);
  REQUIRE(one[col(t, "inverses")] == 1);
  REQUIRE(one[col(t, "basin_share_stored")] == 0.5);
  REQUIRE(one[col(t, "basin_share_inverse")] == 0.5);
  REQUIRE(t.rows[1][col(t, "attractors")] >= 6);  // more patterns: their attractors and mixtures
  REQUIRE_THROWS_WITH(run_study("{name: landscape, N: 21}"), Catch::Contains("study.N"));
}
