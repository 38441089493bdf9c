// Studies (experiments without gradient training) through the engine: run directory, tables,
// plots, memoized points and resumption, determinism, config errors, `compare --rows`.
#include "experiments/cli.h"
#include "experiments/compare.h"
#include "experiments/results_index.h"
#include "experiments/runner.h"
#include "experiments/study.h"
#include "experiments/trainer.h"

#include "tests/test_util.h"

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

using namespace engram;
using namespace engram::experiments;
namespace fs = std::filesystem;

namespace {

struct TempDir : engram::test::TempDir {
  TempDir() : engram::test::TempDir("engram-study") {}
};
using engram::test::slurp;

// A study of `points` random numbers; requests an interrupt after computing point
// `interrupt_after` (1-based, 0 = never), like Ctrl-C arriving then.
class CounterStudy : public Study {
 public:
  explicit CounterStudy(Section& cfg)
      : n_(int(cfg.integer("points", 5, 1, 100))), interrupt_after_(int(cfg.integer("interrupt_after", 0, 0, 100))) {}
  std::uint64_t points() const override { return std::uint64_t(n_); }
  StudyResult run(StudyContext& ctx) const override {
    StudyResult r;
    r.table.columns = {"i", "value"};
    Plot p{"values", "values", "i", "value", false, false, {Series{"value", {}, {}, {}, false}}, {}, {}};
    for (int i = 0; i < n_; ++i) {
      const auto v = ctx.point("i=" + std::to_string(i), [&] {
        Rng rng = ctx.rng().child(std::uint64_t(i));
        if (i + 1 == interrupt_after_) request_interrupt();
        return std::vector<double>{rng.uniform()};
      });
      r.table.add({double(i), v[0]});
      p.series[0].x.push_back(i);
      p.series[0].y.push_back(v[0]);
      r.summary["sum"] += v[0];
    }
    r.plots.push_back(p);
    return r;
  }

 private:
  int n_, interrupt_after_;
};

const bool registered = studies().add("test_counter", "test: random numbers, one per point", study_factory<CounterStudy>());

fs::path write(const TempDir& d, const std::string& name, const std::string& text) {
  const fs::path p = d.path / name;
  std::ofstream(p) << text;
  return p;
}

RunOutcome run(const fs::path& config, const TempDir& d, const std::string& out, std::vector<std::string> ov = {}) {
  std::ostringstream log;
  RunRequest req;
  req.config = config.string();
  req.overrides = std::move(ov);
  req.out = (d.path / out).string();
  req.runs_root = (d.path / "runs").string();
  req.progress = false;
  return run_experiment(req, log);
}

}  // namespace

TEST_CASE("a study run writes its table, plot data and summary, and is indexed", "[study]") {
  TempDir d;
  const auto cfg = write(d, "s.yaml", "name: counter\nseed: 4\nstudy: {name: test_counter, points: 4}\n");
  const RunOutcome o = run(cfg, d, "a");
  REQUIRE(o.status == "completed");
  const Table t = Table::from_csv(slurp(d.path / "a/table.csv"), "table.csv");
  REQUIRE(t.columns == std::vector<std::string>{"i", "value"});
  REQUIRE(t.rows.size() == 4);
  REQUIRE(fs::exists(d.path / "a/table.md"));
  const auto plot = nlohmann::json::parse(slurp(d.path / "a/plots/values.json"));
  REQUIRE(plot["series"][0]["y"].size() == 4);
  const auto summary = nlohmann::json::parse(slurp(d.path / "a/summary.json"));
  REQUIRE(summary["status"] == "completed");
  REQUIRE(summary["points_computed"] == 4);
  double sum = 0;
  for (const auto& row : t.rows) sum += row[1];
  REQUIRE(summary["summary"]["sum"].get<double>() == Approx(sum));
  ResultsIndex index((d.path / "runs/index.sqlite").string());
  const auto rec = index.get((d.path / "a").string());
  REQUIRE(rec);
  REQUIRE(rec->status == "completed");
  REQUIRE(rec->summary.at("sum") == Approx(sum));
}

TEST_CASE("same config and seed give the same study table, another seed does not", "[study][determinism]") {
  TempDir d;
  const auto cfg = write(d, "s.yaml", "name: counter\nseed: 4\nstudy: {name: test_counter, points: 3}\n");
  run(cfg, d, "a");
  run(cfg, d, "b", {"+study.threads=1"});
  run(cfg, d, "c", {"seed=5"});
  REQUIRE(slurp(d.path / "a/table.csv") == slurp(d.path / "b/table.csv"));
  REQUIRE(slurp(d.path / "a/table.csv") != slurp(d.path / "c/table.csv"));
}

TEST_CASE("an interrupted study keeps its finished points and resumes without recomputing them", "[study][resume]") {
  TempDir d;
  const auto cfg = write(d, "s.yaml", "name: counter\nseed: 4\nstudy: {name: test_counter, points: 5, interrupt_after: 2}\n");
  const RunOutcome first = run(cfg, d, "a");
  REQUIRE(first.status == "interrupted");
  REQUIRE(first.exit_code == 130);
  REQUIRE_FALSE(fs::exists(d.path / "a/table.csv"));
  // points 1 and 2 were computed (the interrupt is noticed before point 3 starts)
  std::ifstream pts(d.path / "a/points.jsonl");
  int lines = 0;
  for (std::string l; std::getline(pts, l);) lines += !l.empty();
  REQUIRE(lines == 2);
  {
    ResultsIndex index((d.path / "runs/index.sqlite").string());
    REQUIRE(index.get((d.path / "a").string())->status == "interrupted");
  }

  std::ostringstream log;
  RunRequest req;
  req.resume = (d.path / "a").string();
  req.runs_root = (d.path / "runs").string();
  req.progress = false;
  // the resumed run would interrupt again at point 2 if it recomputed it
  const RunOutcome resumed = run_experiment(req, log);
  REQUIRE(resumed.status == "completed");
  REQUIRE(nlohmann::json::parse(slurp(d.path / "a/summary.json"))["points_computed"] == 3);

  const auto clean = write(d, "t.yaml", "name: counter\nseed: 4\nstudy: {name: test_counter, points: 5}\n");
  run(clean, d, "b");
  REQUIRE(slurp(d.path / "a/table.csv") == slurp(d.path / "b/table.csv"));
}

TEST_CASE("study config errors name the key and file:line", "[study][errors]") {
  TempDir d;
  const auto typo = write(d, "typo.yaml", "name: x\nseed: 1\nstudy:\n  name: test_counter\n  pointz: 3\n");
  REQUIRE_THROWS_WITH(run(typo, d, "a"), Catch::Contains("typo.yaml:5") && Catch::Contains("study.pointz") &&
                                             Catch::Contains("did you mean study.points"));
  const auto unknown = write(d, "unknown.yaml", "name: x\nseed: 1\nstudy: {name: test_countr}\n");
  REQUIRE_THROWS_WITH(run(unknown, d, "b"), Catch::Contains("unknown.yaml:3") && Catch::Contains("test_counter"));
  const auto range = write(d, "range.yaml", "name: x\nseed: 1\nstudy:\n  name: test_counter\n  points: 0\n");
  REQUIRE_THROWS_WITH(run(range, d, "c"), Catch::Contains("range.yaml:5"));
  REQUIRE_FALSE(fs::exists(d.path / "a"));  // nothing written for an invalid config
}

TEST_CASE("compare --rows stacks the tables of study runs by their parameters", "[study][compare]") {
  TempDir d;
  const auto cfg = write(d, "s.yaml", "name: counter\nseed: 4\nstudy: {name: test_counter, points: 2}\n");
  run(cfg, d, "a", {"seed=2"});
  run(cfg, d, "b", {"seed=1"});
  ResultsIndex index((d.path / "runs/index.sqlite").string());
  const auto runs = index.list(RunFilter{"counter", "completed", {}, ""});
  CompareOptions opt;
  opt.group_by = {"seed"};
  opt.format = "csv";
  const std::string csv = stack_run_tables(runs, opt);
  std::istringstream in(csv);
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  REQUIRE(lines.size() == 5);
  REQUIRE(lines[0] == "seed,i,value");
  REQUIRE(lines[1].rfind("1,0,", 0) == 0);  // seed 1 first (numeric order), then seed 2
  REQUIRE(lines[3].rfind("2,0,", 0) == 0);
  opt.format = "markdown";
  opt.metrics = {"value"};
  const std::string md = stack_run_tables(runs, opt);
  REQUIRE(md.find("| seed |") == 0);
  REQUIRE(md.find(" i ") == std::string::npos);
  opt.metrics = {"nope"};
  REQUIRE_THROWS_WITH(stack_run_tables(runs, opt), Catch::Contains("no column 'nope'"));
}

TEST_CASE("study plots are drawn as PNG and SVG when matplotlib is available", "[study][plot]") {
  TempDir d;
  const std::string probe = plot_python() + " -c 'import matplotlib' >/dev/null 2>&1";
  if (std::system(probe.c_str()) != 0) {
    WARN("matplotlib not importable by " << plot_python() << ": plot drawing not tested");
    return;
  }
  const auto cfg = write(d, "s.yaml", "name: counter\nseed: 4\nstudy: {name: test_counter, points: 3}\n");
  run(cfg, d, "a");
  REQUIRE(fs::file_size(d.path / "a/plots/values.png") > 1000);
  REQUIRE(slurp(d.path / "a/plots/values.svg").find("<svg") != std::string::npos);
}

TEST_CASE("Table round-trips through CSV and rejects malformed text with its line", "[study][table]") {
  Table t;
  t.columns = {"a", "b"};
  t.add({1.5, std::nan("")});
  t.add({-2, 1e-7});
  const Table u = Table::from_csv(t.csv(), "t.csv");
  REQUIRE(u.columns == t.columns);
  REQUIRE(u.rows[0][0] == 1.5);
  REQUIRE(std::isnan(u.rows[0][1]));
  REQUIRE(u.rows[1][1] == 1e-7);
  REQUIRE_THROWS_WITH(t.add({1}), Catch::Contains("row of 1 values for 2 columns"));
  REQUIRE_THROWS_WITH(Table::from_csv("a,b\n1,x\n", "f.csv"), Catch::Contains("f.csv:2") && Catch::Contains("'x'"));
  REQUIRE_THROWS_WITH(Table::from_csv("a,b\n1\n", "f.csv"), Catch::Contains("f.csv:2: expected 2 fields"));
}
