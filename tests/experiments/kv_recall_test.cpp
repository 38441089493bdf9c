// Associative recall under load (experiments/tasks/kv_recall.h, models/associative_memory.cpp):
// stories of distinct random keys, seeded and reproducible, read back exactly as bits; the
// option errors at their lines; stored memories measured against their theory through the engine
// (a model without parameters is evaluated once, at its plateau); a trained story reader reads
// the same stories and learns short ones.
#include "experiments/runner.h"
#include "experiments/tasks/kv_recall.h"
#include "tests/test_util.h"

#include <catch2/catch.hpp>

#include <fstream>
#include <set>

using namespace engram;
using namespace engram::experiments;
using Catch::Contains;

namespace {

Config config(const std::string& task, const std::string& model) {
  return Config::parse("name: kv\nseed: 4\ntask: " + task + "\nmodel: " + model +
                           "\ntrainer: {epochs: 30, batch: 16, threads: 1, eval_every: epoch, log_every: epoch,"
                           " optimizer: {name: adam, lr: 0.01}, early_stopping: {metric: val/error, mode: min, patience: 4}}\n",
                       "kv.yaml");
}

const KvRecallTask& kv_task(const Built& b) {
  auto* t = dynamic_cast<const KvRecallTask*>(b.task.get());
  REQUIRE(t != nullptr);
  return *t;
}

std::string config_error(const std::string& task, const std::string& model = "{name: associative_memory}") {
  try {
    Config c = config(task, model);
    (void)build_problem(c);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

// One run of the engine on `task` and `model` in directory d.
RunOutcome run(const test::TempDir& d, const std::string& task, const std::string& model, const std::string& trainer) {
  std::ofstream(d.path / "kv.yaml") << "name: kv\nseed: 4\ntask: " << task << "\nmodel: " << model << "\ntrainer: " << trainer << "\n";
  RunRequest r;
  r.config = (d.path / "kv.yaml").string();
  r.runs_root = (d.path / "runs").string();
  r.progress = false;
  std::ostringstream sink;
  return run_experiment(r, sink);
}

}  // namespace

TEST_CASE("kv_recall: distinct keys, uniform questions, exact bits, same seed same stories", "[kv_recall]") {
  Config c = config("{name: kv_recall, pairs: 8, key_bits: 4, value_bits: 3, stories: 50, questions: 4, val_stories: 20, test_stories: 30}",
                    "{name: associative_memory}");
  const Built b = build_problem(c);
  const KvRecallTask& t = kv_task(b);
  CHECK(t.split("train").size() == 200);
  CHECK(t.split("val").size() == 80);  // questions per story in every split
  CHECK(t.split("test").size() == 120);
  CHECK(t.answers().size() == 8);
  CHECK(t.sentence_length() == 7);
  std::set<int> asked;
  for (const auto& e : t.split("train")) {
    const KvPairs kv = t.kv_pairs(e);
    REQUIRE(kv.keys.rows() == 8);
    std::set<std::vector<float>> keys;
    for (Index p = 0; p < 8; ++p) keys.insert(std::vector<float>(kv.keys.row(p).data(), kv.keys.row(p).data() + 4));
    CHECK(keys.size() == 8);  // distinct: the query names one pair
    const int p = e.supporting.at(0);
    asked.insert(p);
    CHECK(kv.query == kv.keys.row(p));
    CHECK(kv.answer == kv.values.row(p));
  }
  CHECK(asked.size() == 8);  // every position is asked about
  Config again = config("{name: kv_recall, pairs: 8, key_bits: 4, value_bits: 3, stories: 50, questions: 4, val_stories: 20, test_stories: 30}",
                        "{name: associative_memory}");
  const Built b2 = build_problem(again);
  CHECK(kv_task(b2).split("test")[7].story == t.split("test")[7].story);
  CHECK(kv_task(b2).split("train")[3].answer == t.split("train")[3].answer);
  babi::Example bad = t.split("val")[0];
  bad.story[0][0] = 3;  // a bit of key bit 1 in the place of bit 0
  CHECK_THROWS_WITH(t.kv_pairs(bad), Contains("not bit 0"));
}

TEST_CASE("kv_recall and associative_memory options are errors at their lines", "[kv_recall]") {
  CHECK_THAT(config_error("{name: kv_recall, pairs: 20, key_bits: 4}"), Contains("kv.yaml:3") && Contains("fewer than pairs"));
  CHECK_THAT(config_error("{name: kv_recall, value_bits: 13}"), Contains("value_bits"));
  CHECK_THAT(config_error("{name: kv_recall, pairs: 4, questions: 5}"), Contains("questions"));
  CHECK_THAT(config_error("{name: kv_recall, pairs: 1000000, key_bits: 32, stories: 100000}"),
             Contains("kv.yaml:3") && Contains("above the limit") && Contains("MiB"));
  CHECK_THAT(config_error("{name: kv_recall}", "{name: associative_memory, memory: hebbian, beta: 2}"),
             Contains("kv.yaml:4") && Contains("modern memory only"));
  CHECK_THAT(config_error("{name: kv_recall}", "{name: associative_memory, memory: hopfield}"), Contains("memory"));
  CHECK_THAT(config_error("{name: kv_retrieval}", "{name: associative_memory}"), Contains("needs a kv_recall task"));
}

TEST_CASE("stored memories: evaluated once, recall against theory, state sizes", "[kv_recall]") {
  test::TempDir d("kv-recall");
  const auto stored = [&](const std::string& task, const std::string& model) {
    return run(d, task, model, "{steps: 100, batch: 4, threads: 2}");
  };

  const std::string task = "{name: kv_recall, pairs: 9, key_bits: 32, value_bits: 4, stories: 2, val_stories: 200, test_stories: 200}";
  const RunOutcome hebb = stored(task, "{name: associative_memory, memory: hebbian}");
  CHECK(hebb.result.status == "stopped_early");  // nothing to train: at its plateau
  CHECK(hebb.result.step == 0);
  const Metrics& m = hebb.result.best_metrics;
  // K 32, P 9: bit error Phi(-2) = 0.0228, recall (1 - 0.0228)^4 = 0.912
  CHECK(m.at("test/theory_error") == Approx(1 - std::pow(1 - 0.02275, 4)).epsilon(0.01));
  CHECK(m.at("test/error") == Approx(m.at("test/theory_error")).margin(0.05));
  CHECK(m.count("test/error/age_q4") == 1);
  const RunOutcome pinv = stored(task, "{name: associative_memory, memory: pseudo_inverse}");
  CHECK(pinv.result.best_metrics.at("test/error") < m.at("test/error"));  // projection rule: no crosstalk at P < N
  CHECK(pinv.result.best_metrics.count("test/theory_error") == 0);
  const RunOutcome modern = stored(task, "{name: associative_memory, memory: modern, beta: 1}");
  CHECK(modern.result.best_metrics.at("test/error") == 0.0);
  // state: N x N weights, or P x N stored patterns
  CHECK_THAT(test::slurp(std::filesystem::path(hebb.dir) / "summary.json"), Contains("no parameters"));
  Config c = config(task, "{name: associative_memory, memory: dense}");
  CHECK(build_problem(c).model->state_size() == 9 * 36);
  Config w = config(task, "{name: associative_memory, memory: storkey}");
  CHECK(build_problem(w).model->state_size() == 36 * 36);
  CHECK(build_problem(w).model->num_parameters() == 0);
}

#if !defined(__SANITIZE_ADDRESS__)
TEST_CASE("a trained story reader reads the same pairs and recalls short stories", "[kv_recall][train]") {
  test::TempDir d("kv-train");
  const RunOutcome o = run(d, "{name: kv_recall, pairs: 3, key_bits: 8, value_bits: 3, stories: 600, val_stories: 100, test_stories: 100}",
                           "{name: memn2n, dim: 24, hops: 1, encoding: bow, random_noise: 0}",
                           "{epochs: 30, batch: 16, threads: 1, eval_every: epoch, log_every: epoch, optimizer: {name: adam, lr: 0.01},"
                           " early_stopping: {metric: val/error, mode: min, patience: 4}}");
  INFO(o.result.status << " at " << o.result.step);
  CHECK(o.result.best_metrics.at("test/error") <= 0.05);
}
#endif
