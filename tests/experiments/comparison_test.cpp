// The comparison config (experiments/comparison.h): its section read with file:line errors, its
// cells as overrides of the comparison file (validated as the runs they will be), and the table,
// capacities and marks rendered from index records. Running a comparison end to end (worker
// processes, resume, determinism) is tests/python/test_comparison.py, through the engram binary.
#include "experiments/comparison.h"
#include "experiments/runner.h"
#include "tests/test_util.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <set>

using namespace engram;
using namespace engram::experiments;
using Catch::Contains;

namespace {

const char* kComparison = R"(name: cmp_test
seed: 0
task:
  name: babi
  task: 1
  memory_size: 40
  data: {generate: {stories: 20, test_stories: 5, statements: 5, questions: 2, distance: uniform}}
model: ~
trainer: {epochs: 1, batch: 8, eval_every: epoch, log_every: epoch}
comparison:
  readers:
    mem: {name: memn2n, dim: 8, hops: 1}
    hop: {name: hopfield_reader, dim: 8}
  load: {key: task.data.generate.statements, values: [5, 10]}
  seeds: [3, 4]
)";

RunRecord record(const ComparisonCell& c, double error, bool plateau) {
  RunRecord r;
  r.id = c.reader + c.load + std::to_string(c.seed);
  r.experiment = c.experiment;
  r.dir = "/nowhere/" + r.id;
  r.status = "completed";
  r.started = "2026-12-06T00:00:0" + std::to_string(c.seed) + "Z";
  r.config_hash = c.config_hash;
  r.summary = {{"best/test/error", error}, {"plateau", plateau ? 1.0 : 0.0}, {"parameters", 100}, {"state_size", 40}};
  // retention: older facts recalled worse
  for (int q = 1; q <= 4; ++q) r.summary["best/test/error/age_q" + std::to_string(q)] = error * q / 4;
  return r;
}

// The ConfigError of reading the comparison `file` with one override, or "no error".
std::string read_error(const std::string& file, const std::string& override_text) {
  try {
    (void)read_comparison(file, {override_text});
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("a comparison's cells are the comparison file with overrides, one per reader, load and seed", "[comparison]") {
  test::TempDir d("engram-cmp");
  const std::string file = d.write("cmp.yaml", kComparison);
  CHECK(is_comparison(file, {}));
  const ComparisonSpec spec = read_comparison(file, {});
  CHECK(spec.name == "cmp_test");
  CHECK(spec.readers == std::vector<std::string>{"mem", "hop"});
  CHECK(spec.loads == std::vector<std::string>{"5", "10"});
  CHECK(spec.seeds == std::vector<std::uint64_t>{3, 4});
  CHECK(spec.metric == "best/test/error");
  const auto cells = comparison_cells(spec);
  REQUIRE(cells.size() == 8);
  CHECK(cells[0].overrides == std::vector<std::string>{"model=@comparison.readers.mem", "task.data.generate.statements=5", "seed=3",
                                                       "~comparison"});
  CHECK(cells[0].experiment == "cmp_test");
  // distinct configs, distinct hashes; the same cell twice, the same hash
  std::set<std::string> hashes;
  for (const auto& c : cells) hashes.insert(c.config_hash);
  CHECK(hashes.size() == 8);
  CHECK(comparison_cells(spec)[5].config_hash == cells[5].config_hash);
  // the comparison's own overrides reach every cell (and change their hashes)
  const auto other = comparison_cells(read_comparison(file, {"trainer.batch=4"}));
  CHECK(other[0].overrides.front() == "trainer.batch=4");
  CHECK(other[0].config_hash != cells[0].config_hash);
  // a cell's config is an ordinary run config: no comparison section
  Config cell = Config::load(file, cells[2].overrides);
  CHECK(!cell.root().has("comparison"));
  CHECK(cell.section("model").string("name") == "memn2n");
  CHECK(cell.seed() == 3);
}

TEST_CASE("bad comparison configs are errors at the comparison file's lines", "[comparison]") {
  test::TempDir d("engram-cmp");
  const auto err = [&](const std::string& from, const std::string& to) {
    std::string text = kComparison;
    const auto at = text.find(from);
    REQUIRE(at != std::string::npos);
    text.replace(at, from.size(), to);
    const std::string file = d.write("bad.yaml", text);
    try {
      comparison_cells(read_comparison(file, {}));
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK_THAT(err("hops: 1}", "hopz: 1}"), Contains("bad.yaml:12") && Contains("did you mean model.hops") &&
                                               Contains("comparison cell reader 'mem'"));
  CHECK_THAT(err("dim: 8}\n  load", "dim: 8, beta: -1}\n  load"), Contains("bad.yaml:13") && Contains("model.beta"));
  CHECK_THAT(err("values: [5, 10]", "values: [10, 5]"), Contains("bad.yaml:14") && Contains("must increase"));
  CHECK_THAT(err("values: [5, 10]", "values: [5, x]"), Contains("bad.yaml:14") && Contains("'x' is not a finite number"));
  CHECK_THAT(err("seeds: [3, 4]", "seeds: [-1]"), Contains("bad.yaml:15") && Contains("seeds"));
  CHECK_THAT(err("seeds: [3, 4]", "seedz: [3]"), Contains("bad.yaml") && Contains("comparison.seedz"));
  CHECK_THAT(err("    mem:", "    m.e:"), Contains("bad.yaml:12") && Contains("is not a valid reader label"));
  CHECK_THAT(err("    mem: {name: memn2n, dim: 8, hops: 1}", "    mem: memn2n"), Contains("must be a model section"));
  CHECK_THAT(err("key: task.data.generate.statements", "key: task.data.generate.statementz"),
             Contains("unknown key task.data.generate.statementz"));
  CHECK_THAT(err("    hop: {name: hopfield_reader, dim: 8}\n", ""), Contains("no error"));  // one reader is enough
  CHECK_THAT(err("    mem: {name: memn2n, dim: 8, hops: 1}\n    hop: {name: hopfield_reader, dim: 8}\n", "    {}\n"),
             Contains("needs at least one reader"));
}

TEST_CASE("the table: mean ± std over seeds, budget marks, capacity at the target", "[comparison]") {
  test::TempDir d("engram-cmp");
  const std::string file = d.write("cmp.yaml", kComparison);
  const ComparisonSpec spec = read_comparison(file, {"+comparison.target=0.1"});
  const auto cells = comparison_cells(spec);
  ResultsIndex index(d.file("runs/index.sqlite"));
  // mem: 0.02/0.04 at 5, 0.5/0.7 at 10 (one seed stopped by its budget); hop: 0.3 at 5 (did not learn)
  for (const auto& c : cells) {
    const double e = c.reader == "mem" ? (c.load == "5" ? (c.seed == 3 ? 0.02 : 0.04) : (c.seed == 3 ? 0.5 : 0.7)) : 0.3;
    if (c.reader == "hop" && c.load == "10" && c.seed == 4) continue;  // not run yet
    index.upsert(record(c, e, !(c.reader == "mem" && c.load == "10" && c.seed == 4)));
  }
  const ComparisonTable t = collect_comparison(spec, cells, index);
  REQUIRE(t.cells.size() == 2);
  CHECK(t.capacity(0) == Approx(5.0));
  CHECK(!t.capacity(1).has_value());
  const std::string md = t.markdown();
  INFO(md);
  CHECK_THAT(md, Contains("| mem | 100 | 40 | 0.030 ± 0.014 | 0.600 ± 0.141* | 5 |"));
  CHECK_THAT(md, Contains("| hop | 100 | 40 | 0.300 ± 0.000 | 0.300 (n=1) | did not learn |"));
  CHECK_THAT(md, Contains("| reader | parameters | state (numbers) | statements=5 | statements=10 | capacity |"));
  CHECK_THAT(md, Contains("Retention at statements=10: best/test/error by where the supporting fact lies"));
  CHECK_THAT(md, Contains("| mem | 0.150 | 0.300 | 0.450 | 0.600 |"));  // seeds' mean per quarter
  CHECK_THAT(md, Contains("| hop | 0.075 | 0.150 | 0.225 | 0.300 |"));
  const std::string csv = t.csv();
  CHECK_THAT(csv, Contains("mem,task.data.generate.statements,10,0.6,0.141421,2,2,1,100,40"));
  CHECK_THAT(csv, Contains("hop,task.data.generate.statements,10,0.3,,1,2,0,100,40"));
  // outputs: table, summary with each reader's capacity, plots' data
  const auto lines = write_comparison(t, d.file("out"));
  CHECK(std::filesystem::exists(d.file("out/table.md")));
  CHECK(std::filesystem::exists(d.file("out/plots/error_vs_load.json")));
  CHECK(std::filesystem::exists(d.file("out/plots/capacity.json")));
  CHECK(std::filesystem::exists(d.file("out/plots/retention.json")));
  const std::string summary = test::slurp(d.file("out/summary.json"));
  CHECK_THAT(summary, Contains("\"capacity\": 5.0"));
  CHECK_THAT(summary, Contains("\"learned\": false"));
}

TEST_CASE("max_load cuts a reader's loads, theory rows, capacity per parameter and per byte", "[comparison]") {
  test::TempDir d("engram-cmp");
  const std::string file = d.write("cmp.yaml", kComparison);
  const ComparisonSpec spec =
      read_comparison(file, {"+comparison.max_load={hop: 5}", "+comparison.target=0.1", "+comparison.retention_load=5"});
  CHECK(spec.theory_metric() == "best/test/theory_error");
  const auto cells = comparison_cells(spec);
  CHECK(cells.size() == 6);  // hop runs at 5 only
  CHECK(std::none_of(cells.begin(), cells.end(), [](const ComparisonCell& c) { return c.reader == "hop" && c.load == "10"; }));
  ResultsIndex index(d.file("runs/index.sqlite"));
  for (const auto& c : cells) {
    RunRecord r = record(c, c.reader == "mem" ? (c.load == "5" ? 0.0 : 0.5) : 0.05, true);
    if (c.reader == "hop") {
      r.summary["best/test/theory_error"] = 0.04;
      r.summary["parameters"] = 0;
    }
    index.upsert(r);
  }
  const ComparisonTable t = collect_comparison(spec, cells, index);
  CHECK(t.capacity(1) == Approx(5.0));
  CHECK(t.capacity_is_bound(1));  // it held at the largest load it ran at
  CHECK(!t.capacity_is_bound(0));
  CHECK(t.theory_capacity(1) == Approx(5.0));
  CHECK(!t.theory_capacity(0).has_value());
  const std::string md = t.markdown();
  INFO(md);
  // mem: capacity 5 with 100 parameters = 50 per 1k; 40 numbers = 160 bytes: 5 / 160 * 1024 = 32 per KiB
  CHECK_THAT(md, Contains("| mem | 100 | 40 | 0.000 ± 0.000 | 0.500 ± 0.000 | 5 | 50.000 | 32.000 |"));
  CHECK_THAT(md, Contains("| hop | 0 | 40 | 0.050 ± 0.000 | · | ≥ 5 | — | 32.000 |"));
  CHECK_THAT(md, Contains("| ↳ theory | | | 0.040 ± 0.000 | · | 5 | | |"));
  CHECK_THAT(md, Contains("· = not run (comparison.max_load)"));
  CHECK_THAT(md, Contains("Retention at statements=5:"));
  CHECK_THAT(md, Contains("| hop | 0.013 | 0.025 | 0.038 | 0.050 |"));  // hop ran at 5: its retention is there
  CHECK_THAT(t.csv(), Contains("hop,task.data.generate.statements,10,,,0,0,0,,,1,"));
  write_comparison(t, d.file("out"));
  const std::string summary = test::slurp(d.file("out/summary.json"));
  CHECK_THAT(summary, Contains("\"capacity_per_parameter\": 0.05"));
  CHECK_THAT(summary, Contains("\"theory_capacity\": 5.0"));
  CHECK_THAT(test::slurp(d.file("out/plots/error_vs_load.json")), Contains("hop (theory)"));
  // max_load names a reader, at least the smallest load
  const auto bad = [&](const std::string& o) { return read_error(file, o); };
  CHECK_THAT(bad("+comparison.max_load={ntm: 5}"), Contains("not a reader"));
  CHECK_THAT(bad("+comparison.max_load={hop: 2}"), Contains("at least the smallest load"));
  CHECK_THAT(bad("+comparison.retention_load=7"), Contains("must be one of load.values"));
}

TEST_CASE("match_parameters adds each listed reader again at a parameter count within the tolerance", "[comparison]") {
  test::TempDir d("engram-cmp");
  const std::string file = d.write("cmp.yaml", kComparison);
  const ComparisonSpec spec = read_comparison(file, {"+comparison.match_parameters={target: 3000, keys: {mem: dim, hop: dim}}"});
  REQUIRE(spec.readers == std::vector<std::string>{"mem", "hop", "mem-matched", "hop-matched"});
  for (const std::string r : {"mem-matched", "hop-matched"}) {
    INFO(r);
    CHECK(std::abs(spec.matched_parameters.at(r) - 3000) <= 600);
    const auto cells = comparison_cells(spec);
    const auto it = std::find_if(cells.begin(), cells.end(), [&](const ComparisonCell& c) { return c.reader == r; });
    REQUIRE(it != cells.end());
    Config cfg = Config::load(file, it->overrides);
    CHECK(double(build_problem(cfg).model->num_parameters()) == spec.matched_parameters.at(r));
    CHECK(cfg.section("model").integer("dim", 0) != 8);
  }
  const auto bad = [&](const std::string& o) { return read_error(file, o); };
  CHECK_THAT(bad("+comparison.match_parameters={target: 3000, tolerance: 0, keys: {mem: dim}}"), Contains("closest: dim="));
  CHECK_THAT(bad("+comparison.match_parameters={target: 3000, keys: {mem: dimz}}"), Contains("not a key of the reader"));
  CHECK_THAT(bad("+comparison.match_parameters={target: 3000, keys: {ntm: dim}}"), Contains("not a reader"));
}
