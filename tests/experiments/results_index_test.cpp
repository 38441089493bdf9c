#include "experiments/results_index.h"
#include "tests/test_util.h"

#include <sqlite3.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

using namespace engram::experiments;
namespace fs = std::filesystem;
using Catch::Matchers::Contains;

namespace {

using engram::test::TempDir;

// A fresh directory under the system temp dir, removed at the end of the test.

RunRecord make_run(const std::string& id, const std::string& experiment, const std::string& started,
                   const std::string& status = "completed") {
  RunRecord r;
  r.id = id;
  r.experiment = experiment;
  r.dir = "runs/" + id;
  r.status = status;
  r.started = started;
  if (status != "running") r.finished = started;  // good enough for the tests
  r.config_hash = "hash-" + id;
  return r;
}

}  // namespace

TEST_CASE("upsert then get returns every field", "[index]") {
  TempDir tmp;
  ResultsIndex index(tmp.file("runs/index.sqlite"));  // creates the missing runs/ directory
  CHECK(fs::exists(tmp.file("runs/index.sqlite")));

  RunRecord r = make_run("20261120-221500-a1b2c3", "babi_memn2n", "2026-11-20T22:15:00Z");
  r.dir = tmp.file("runs/20261120-221500-a1b2c3");
  r.params = {{"model.hops", "3"}, {"seed", "0"}, {"memory.slots", "50"}};  // order is kept
  r.summary = {{"final/val/accuracy", 0.9125}, {"best/val/loss", 0.25}};
  r.error = "";
  index.upsert(r);

  const auto got = index.get(r.id);
  REQUIRE(got.has_value());
  CHECK(got->id == r.id);
  CHECK(got->experiment == "babi_memn2n");
  CHECK(got->dir == r.dir);
  CHECK(got->status == "completed");
  CHECK(got->started == "2026-11-20T22:15:00Z");
  CHECK(got->finished == r.finished);
  CHECK(got->config_hash == r.config_hash);
  CHECK(got->params == r.params);
  CHECK(got->summary == r.summary);
  CHECK(got->error.empty());

  CHECK_FALSE(index.get("no-such-run").has_value());
  CHECK_FALSE(index.get("").has_value());
}

TEST_CASE("list filters by experiment, status and params, ordered by start time", "[index]") {
  TempDir tmp;
  ResultsIndex index(tmp.file("index.sqlite"));
  // Inserted out of order on purpose.
  auto a = make_run("r3", "hopfield", "2026-01-03T00:00:00Z");
  a.params = {{"rule", "hebb"}, {"seed", "0"}};
  auto b = make_run("r1", "hopfield", "2026-01-01T00:00:00Z", "failed");
  b.params = {{"rule", "storkey"}, {"seed", "0"}};
  b.error = "diverged";
  auto c = make_run("r2", "hopfield", "2026-01-02T00:00:00Z");
  c.params = {{"rule", "hebb"}, {"seed", "1"}};
  auto d = make_run("r4", "ntm_copy", "2026-01-04T00:00:00Z", "running");
  d.params = {{"rule", "hebb"}, {"seed", "0"}};
  for (const auto& r : {a, b, c, d}) index.upsert(r);

  auto ids = [](const std::vector<RunRecord>& runs) {
    std::vector<std::string> out;
    for (const auto& r : runs) out.push_back(r.id);
    return out;
  };
  using V = std::vector<std::string>;
  CHECK(ids(index.list()) == V{"r1", "r2", "r3", "r4"});
  CHECK(ids(index.list({"hopfield", "", {}})) == V{"r1", "r2", "r3"});
  CHECK(ids(index.list({"", "completed", {}})) == V{"r2", "r3"});
  CHECK(ids(index.list({"", "", {{"rule", "hebb"}}})) == V{"r2", "r3", "r4"});
  CHECK(ids(index.list({"", "", {{"rule", "hebb"}, {"seed", "0"}}})) == V{"r3", "r4"});
  CHECK(ids(index.list({"hopfield", "completed", {{"rule", "hebb"}, {"seed", "0"}}})) == V{"r3"});
  CHECK(ids(index.list({"", "", {{"rule", "oja"}}})).empty());
  CHECK(ids(index.list({"", "", {{"no.such.key", "0"}}})).empty());
  CHECK(ids(index.list({"nope", "", {}})).empty());
  CHECK(index.list({"", "failed", {}}).at(0).error == "diverged");
  CHECK(index.list().at(1).params == c.params);  // details are loaded for every listed run
  CHECK_THROWS_AS(index.list({"", "complete", {}}), std::invalid_argument);  // typo in status
}

TEST_CASE("a run goes from running to completed, the update replaces params and summary", "[index]") {
  TempDir tmp;
  ResultsIndex index(tmp.file("index.sqlite"));
  auto other = make_run("other", "exp", "2026-01-01T00:00:00Z");
  other.params = {{"seed", "1"}};
  other.summary = {{"acc", 0.5}};
  index.upsert(other);

  auto r = make_run("run", "exp", "2026-01-02T00:00:00Z", "running");
  r.params = {{"seed", "0"}, {"stale", "x"}};
  r.summary = {{"partial/loss", 1.5}};
  index.upsert(r);
  CHECK(index.get("run")->status == "running");
  CHECK(index.get("run")->finished.empty());
  CHECK(index.list({"", "running", {}}).size() == 1);

  r.status = "completed";
  r.finished = "2026-01-02T01:00:00Z";
  r.params = {{"seed", "0"}};
  r.summary = {{"final/val/accuracy", 0.91}, {"final/val/loss", std::nan("")}};
  index.upsert(r);

  const auto got = index.get("run");
  REQUIRE(got.has_value());
  CHECK(got->status == "completed");
  CHECK(got->finished == "2026-01-02T01:00:00Z");
  CHECK(got->params == r.params);  // "stale" is gone
  REQUIRE(got->summary.size() == 2);
  CHECK(got->summary.at("final/val/accuracy") == 0.91);
  CHECK(std::isnan(got->summary.at("final/val/loss")));  // NaN survives the round trip
  CHECK(index.list().size() == 2);                       // updated, not duplicated
  CHECK(index.list({"", "running", {}}).empty());
  CHECK(index.get("other")->params == other.params);  // the other run is untouched
  CHECK(index.get("other")->summary == other.summary);
}

TEST_CASE("find_completed finds a completed run of the same experiment and config hash", "[index]") {
  TempDir tmp;
  ResultsIndex index(tmp.file("index.sqlite"));
  auto failed = make_run("f", "sweep", "2026-01-01T00:00:00Z", "failed");
  failed.config_hash = "abc";
  auto running = make_run("r", "sweep", "2026-01-02T00:00:00Z", "running");
  running.config_hash = "abc";
  auto other_exp = make_run("o", "other", "2026-01-03T00:00:00Z");
  other_exp.config_hash = "abc";
  index.upsert(failed);
  index.upsert(running);
  index.upsert(other_exp);
  CHECK_FALSE(index.find_completed("sweep", "abc").has_value());  // failed/running do not count

  running.status = "completed";
  running.finished = "2026-01-02T02:00:00Z";
  running.summary = {{"acc", 0.7}};
  index.upsert(running);
  const auto done = index.find_completed("sweep", "abc");
  REQUIRE(done.has_value());
  CHECK(done->id == "r");
  CHECK(done->summary.at("acc") == 0.7);
  CHECK(index.find_completed("other", "abc")->id == "o");
  CHECK_FALSE(index.find_completed("sweep", "def").has_value());
  CHECK_FALSE(index.find_completed("nope", "abc").has_value());
}

TEST_CASE("get by run directory and by unique id prefix", "[index]") {
  TempDir tmp;
  ResultsIndex index(tmp.file("index.sqlite"));
  auto a = make_run("20261120-221500-a1b2c3", "e", "2026-11-20T22:15:00Z");
  a.dir = tmp.file("runs/20261120-221500-a1b2c3");
  auto b = make_run("20261120-221500-a1ffff", "e", "2026-11-20T22:15:01Z");
  b.dir = tmp.file("runs/20261120-221500-a1ffff");
  auto c = make_run("20261121-080000-0d0d0d", "e", "2026-11-21T08:00:00Z");
  c.dir = "relative/runs/c";
  for (const auto& r : {a, b, c}) index.upsert(r);

  // By directory: as stored, with a trailing slash, with "." segments, relative to the cwd.
  CHECK(index.get(a.dir)->id == a.id);
  CHECK(index.get(a.dir + "/")->id == a.id);
  CHECK(index.get((tmp.path / "runs" / "." / "20261120-221500-a1ffff").string())->id == b.id);
  CHECK(index.get(fs::relative(a.dir, fs::current_path()).string())->id == a.id);
  CHECK(index.get("relative/runs/c")->id == c.id);
  CHECK(index.get("./relative/runs/c/")->id == c.id);

  // By prefix.
  CHECK(index.get("20261121")->id == c.id);
  CHECK(index.get("20261120-221500-a1b")->id == a.id);
  CHECK_THROWS_AS(index.get("20261120-221500-a1"), std::invalid_argument);
  CHECK_THROWS_WITH(index.get("2026112"),
                    Contains("ambiguous") && Contains(a.id) && Contains(b.id) && Contains(c.id));
  CHECK_FALSE(index.get("2027").has_value());
  CHECK_FALSE(index.get("%").has_value());  // no LIKE/GLOB wildcards
}

TEST_CASE("bad records are rejected with the field named", "[index]") {
  TempDir tmp;
  ResultsIndex index(tmp.file("index.sqlite"));
  auto r = make_run("x", "e", "2026-01-01T00:00:00Z");
  r.status = "done";
  CHECK_THROWS_WITH(index.upsert(r), Contains("status 'done'"));
  r.status = "completed";
  r.params = {{"seed", "0"}, {"seed", "1"}};
  CHECK_THROWS_WITH(index.upsert(r), Contains("param 'seed' twice"));
  r.params.clear();
  r.id.clear();
  CHECK_THROWS_AS(index.upsert(r), std::invalid_argument);
  CHECK(index.list().empty());  // nothing half-written
}

TEST_CASE("the index persists across connections and reopening", "[index]") {
  TempDir tmp;
  const auto path = tmp.file("index.sqlite");
  {
    ResultsIndex w(path);
    auto r = make_run("keep", "e", "2026-01-01T00:00:00Z");
    r.params = {{"seed", "3"}};
    w.upsert(r);
    ResultsIndex reader(path);  // a second connection sees the committed write at once
    CHECK(reader.get("keep")->params == r.params);
  }
  ResultsIndex again(path);
  CHECK(again.get("keep").has_value());
  CHECK(again.path() == path);
  ResultsIndex moved = std::move(again);
  CHECK(moved.list().size() == 1);
}

TEST_CASE("concurrent writer processes lose no rows", "[index][concurrency]") {
  TempDir tmp;
  // The file does not exist yet: the eight children also race to create the schema.
  const auto path = tmp.file("runs/index.sqlite");
  constexpr int kWorkers = 8, kRuns = 500;

  std::vector<pid_t> children;
  for (int w = 0; w < kWorkers; ++w) {
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      int code = 0;
      try {
        ResultsIndex index(path);  // each process opens its own connection
        for (int i = 0; i < kRuns; ++i) {
          RunRecord r;
          r.id = "w" + std::to_string(w) + "-" + std::to_string(i);
          r.experiment = "stress";
          r.dir = "runs/" + r.id;
          r.status = "completed";
          r.started = "2026-01-01T00:" + std::string(i / 60 < 10 ? "0" : "") + std::to_string(i / 60) + ":" +
                      std::string(i % 60 < 10 ? "0" : "") + std::to_string(i % 60) + "Z";
          r.finished = r.started;
          r.config_hash = r.id;
          r.params = {{"worker", std::to_string(w)}, {"i", std::to_string(i)}, {"seed", std::to_string(i % 5)}};
          r.summary = {{"acc", w + i / 100.0}};
          index.upsert(r);
        }
      } catch (...) {
        code = 1;
      }
      ::_exit(code);  // no Catch2 teardown, no stdio flush in the child
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
  }

  ResultsIndex index(path);
  const auto all = index.list();
  REQUIRE(all.size() == kWorkers * kRuns);
  std::set<std::string> ids;
  for (const auto& r : all) {
    ids.insert(r.id);
    REQUIRE(r.params.size() == 3);
    CHECK(r.params[0].first == "worker");
    CHECK(r.id == "w" + r.params[0].second + "-" + r.params[1].second);
    CHECK(r.summary.size() == 1);
  }
  CHECK(ids.size() == kWorkers * kRuns);
  for (int w = 0; w < kWorkers; ++w) CHECK(index.list({"stress", "", {{"worker", std::to_string(w)}}}).size() == kRuns);
  CHECK(index.list({"", "", {{"seed", "0"}}}).size() == kWorkers * kRuns / 5);
  CHECK(index.get("w3-49")->summary.at("acc") == Approx(3.49));
  CHECK(index.get("w7-499")->summary.at("acc") == Approx(11.99));
}

TEST_CASE("a file that is not a database gives an error naming it", "[index]") {
  TempDir tmp;
  const auto path = tmp.file("index.sqlite");
  {
    std::ofstream out(path, std::ios::binary);
    for (int i = 0; i < 100; ++i) out << "this is a metrics.jsonl line, not an SQLite database\n";
  }
  CHECK_THROWS_AS(ResultsIndex(path), std::runtime_error);
  CHECK_THROWS_WITH(ResultsIndex(path), Contains(path) && Contains("not a database"));

  // A path under a regular file cannot be created.
  const auto blocked = tmp.file("index.sqlite/inner/index.sqlite");
  CHECK_THROWS_WITH(ResultsIndex(blocked), Contains(blocked));
}

TEST_CASE("an index with damaged b-tree pages is an error naming it, never a write that vanishes", "[index]") {
  // Found by the results_index fuzzer: indexes whose pages have cells pointing outside the page,
  // rows with NULL in NOT NULL columns, a root page the header disagrees with, rows out of their
  // key's order (which passes quick_check). SQLite opened them, took a run's upsert without
  // error and then returned the run without its metrics. Each must now fail loudly, at open.
  for (const char* name : {"metrics-cells-outside-their-page.sqlite", "cells-outside-their-page-2.sqlite",
                           "null-in-not-null-columns.sqlite", "root-page-disagrees-with-header.sqlite",
                           "rows-out-of-key-order.sqlite"}) {
    INFO(name);
    TempDir tmp;
    const auto path = tmp.file("index.sqlite");
    fs::copy_file(fs::path(ENGRAM_SOURCE_DIR) / "fuzz" / "regressions" / "results_index" / name, path);
    std::string error;
    bool read_back = false;
    try {
      ResultsIndex index(path);
      RunRecord r = make_run("fuzz", "e", "2026-01-01T00:00:00Z");
      r.summary = {{"m", 0.5}};
      index.upsert(r);
      const auto got = index.get("fuzz");
      read_back = got && got->summary.count("m") == 1 && got->summary.at("m") == 0.5;
    } catch (const std::runtime_error& e) {
      error = e.what();
    }
    CHECK_FALSE(read_back);  // (this file is damaged where the write goes)
    CHECK_THAT(error, Contains(path) && Contains("is damaged (SQLite's integrity_check: ") &&
                          Contains("move it aside and engram starts a new one"));
  }
}

TEST_CASE("an index with a trigger engram never made is refused, not trusted with writes", "[index]") {
  // A valid database passes integrity_check; a trigger in it could delete every metric written.
  TempDir tmp;
  const auto path = tmp.file("index.sqlite");
  { ResultsIndex index(path); }
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  REQUIRE(sqlite3_exec(db, "CREATE TRIGGER eat AFTER INSERT ON metrics BEGIN DELETE FROM metrics; END",
                       nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
  CHECK_THROWS_WITH(ResultsIndex(path), Contains(path) && Contains("has a trigger 'eat'") &&
                                            Contains("move it aside and engram starts a new one"));
}

TEST_CASE("RunRecord converts to and from JSON", "[index]") {
  RunRecord r = make_run("j", "e", "2026-01-01T00:00:00Z", "failed");
  r.params = {{"a", "1"}, {"b", "x"}};
  r.summary = {{"acc", 0.5}, {"loss", std::nan("")}};
  r.error = "out of memory";
  const nlohmann::json j = r;
  CHECK(j.at("params").at("b") == "x");
  CHECK(j.at("summary").at("loss").is_null());
  const auto back = j.get<RunRecord>();
  CHECK(back.id == r.id);
  CHECK(back.status == "failed");
  CHECK(back.error == r.error);
  CHECK(back.params == r.params);
  CHECK(back.summary.at("acc") == 0.5);
  CHECK(std::isnan(back.summary.at("loss")));
  CHECK_THROWS(nlohmann::json{{"experiment", "e"}}.get<RunRecord>());  // "id" is required
}
