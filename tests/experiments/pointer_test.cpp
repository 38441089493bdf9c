// The pointer tasks and model (experiments/tasks/pointer/, models/pointer_net.cpp): the sort
// task's answers recomputed independently, seeded and reproducible per example id, splits that
// do not move when another changes; option errors at their lines; the pointer network learns to
// sort short lists through the engine, and its metrics and attention heat map are what it decodes.
#include "experiments/runner.h"
#include "experiments/tasks/pointer/sort.h"
#include "tests/test_util.h"

#include <catch2/catch.hpp>

#include <fstream>
#include <set>

using namespace engram;
using namespace engram::experiments;
using namespace engram::experiments::pointer;
using Catch::Contains;

namespace {

std::unique_ptr<Task> build_task(const std::string& task_yaml, std::uint64_t seed = 5) {
  Config cfg = Config::parse("seed: " + std::to_string(seed) + "\ntask: " + task_yaml + "\n", "ptr.yaml");
  Section s = cfg.section("task");
  return tasks().get(s.string("name"))(s, Rng(seed, "task"));
}

const SortTask& sort_task(const std::unique_ptr<Task>& t) {
  auto* s = dynamic_cast<const SortTask*>(t.get());
  REQUIRE(s != nullptr);
  return *s;
}

std::string task_error(const std::string& yaml) {
  try {
    (void)build_task(yaml);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

// The values an example was made from, read back from its features.
std::vector<double> values_of(const PointerExample& e, bool integers, int max_value) {
  std::vector<double> v;
  for (Index i = 0; i < e.input.rows(); ++i)
    v.push_back(integers ? std::round(e.input(i, 0) * max_value) : static_cast<double>(e.input(i, 0)));
  return v;
}

}  // namespace

TEST_CASE("sort task: the target puts the values in ascending order, checked pair by pair", "[pointer][sort]") {
  for (const std::string values : {"integers", "floats"}) {
    INFO(values);
    auto t = build_task("{name: sort, values: " + values + ", min_n: 3, max_n: 12, max_value: 50, val_size: 40, test_size: 30, eval_lengths: [20]}");
    const SortTask& s = sort_task(t);
    CHECK(s.eval_splits() == std::vector<std::string>{"val", "test", "n20"});
    CHECK(s.permutation());
    std::set<size_t> lengths;
    for (const std::string split : {"val", "test", "n20"}) {
      CHECK(s.split(split).size() == (split == "val" ? 40u : 30u));
      for (const PointerExample& e : s.split(split)) {
        const std::vector<double> v = values_of(e, values == "integers", 50);
        lengths.insert(v.size());
        if (split == "n20") CHECK(v.size() == 20);
        // a permutation, and every consecutive pair in order (strictly for distinct integers)
        std::vector<int> sorted = e.target;
        std::sort(sorted.begin(), sorted.end());
        for (size_t i = 0; i < sorted.size(); ++i) CHECK(sorted[i] == static_cast<int>(i));
        for (size_t k = 1; k < e.target.size(); ++k) {
          const double a = v[static_cast<size_t>(e.target[k - 1])], b = v[static_cast<size_t>(e.target[k])];
          if (values == "integers") CHECK(a < b);
          else CHECK(a <= b);
        }
        if (values == "integers") CHECK(std::set<double>(v.begin(), v.end()).size() == v.size());
      }
    }
    CHECK(lengths.size() > 5);  // lengths drawn over min_n..max_n
    for (size_t n : lengths) CHECK(((n >= 3 && n <= 12) || n == 20));
  }
}

TEST_CASE("sort task: binary features are the value's bits, examples reproducible by id and seed", "[pointer][sort]") {
  auto t = build_task("{name: sort, max_value: 999, features: binary, val_size: 5, test_size: 5}");
  const SortTask& s = sort_task(t);
  CHECK(s.input_size() == 11);  // value / 999 and 10 bits
  const PointerExample e = s.train_example(17);
  for (Index i = 0; i < e.input.rows(); ++i) {
    const auto v = static_cast<long long>(std::round(e.input(i, 0) * 999));
    for (int b = 0; b < 10; ++b) CHECK(e.input(i, 1 + b) == ((v >> b) & 1 ? 1.0f : -1.0f));
  }
  CHECK(s.train_example(17).input == e.input);
  CHECK(s.train_example(18).input != e.input);
  auto again = build_task("{name: sort, max_value: 999, features: binary, val_size: 5, test_size: 5}");
  auto other_seed = build_task("{name: sort, max_value: 999, features: binary, val_size: 5, test_size: 5}", 6);
  CHECK(sort_task(again).split("test")[3].input == s.split("test")[3].input);
  CHECK(sort_task(other_seed).split("test")[3].input != s.split("test")[3].input);
  // a split does not move when another split's size changes
  auto bigger_val = build_task("{name: sort, max_value: 999, features: binary, val_size: 50, test_size: 5}");
  CHECK(sort_task(bigger_val).split("test")[4].input == s.split("test")[4].input);
}

TEST_CASE("sort task: bad options are errors at their lines", "[pointer][sort][errors]") {
  CHECK_THAT(task_error("{name: sort, min_n: 5, max_n: 3}"), Contains("ptr.yaml:2") && Contains("task.max_n must be >= min_n (5)"));
  CHECK_THAT(task_error("{name: sort, max_n: 12, max_value: 9}"), Contains("task.max_n") && Contains("distinct integers"));
  CHECK_THAT(task_error("{name: sort, values: ints}"), Contains("task.values"));
  CHECK_THAT(task_error("{name: sort, features: digits}"), Contains("task.features"));
  CHECK_THAT(task_error("{name: sort, val_size: 0}"), Contains("task.val_size"));
}

TEST_CASE("pointer_net learns to sort 5 numbers, its metrics are what it decodes", "[pointer][learning]") {
  test::TempDir d("pointer-learn");
  std::ofstream(d.path / "p.yaml") << R"(name: p
seed: 3
task: {name: sort, values: floats, min_n: 5, max_n: 5, val_size: 200, test_size: 200}
model: {name: pointer_net, embed: 32, encoder: {name: lstm, hidden: 32}, score: {name: additive, hidden: 32}}
trainer: {steps: 400, batch: 32, threads: 2, eval_every: 400, log_every: 100, optimizer: {name: adam, lr: 0.003},
          early_stopping: {metric: val/error, mode: min, patience: 0}}
)";
  RunRequest r;
  r.config = (d.path / "p.yaml").string();
  r.runs_root = (d.path / "runs").string();
  r.progress = false;
  std::ostringstream sink;
  const RunOutcome out = run_experiment(r, sink);
  const auto& m = out.result.final_metrics;
  // chance: 1/5! = 0.8% of lists sorted; a pointer net with masks gets most of them
  CHECK(m.at("test/sequence_accuracy") > 0.8);
  CHECK(m.at("test/error") == Approx(1 - m.at("test/sequence_accuracy")));
  CHECK(m.at("test/token_accuracy") >= m.at("test/sequence_accuracy"));
  CHECK(m.at("val/loss") < 0.3);
}

TEST_CASE("pointer_net: config errors name the key, a pointer model needs a pointer task", "[pointer][errors]") {
  const auto error = [](const std::string& model, const std::string& task = "{name: sort, val_size: 2, test_size: 2}") {
    try {
      Config c = Config::parse("seed: 1\ntask: " + task + "\nmodel: " + model + "\n", "m.yaml");
      (void)build_problem(c);
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  CHECK_THAT(error("{name: pointer_net, encoder: {name: gru, hiden: 8}}"), Contains("m.yaml:3") && Contains("hiden"));
  CHECK_THAT(error("{name: pointer_net, score: {name: additiv}}"), Contains("m.yaml:3") && Contains("additiv"));
  CHECK_THAT(error("{name: pointer_net, beam: 0}"), Contains("model.beam"));
  CHECK_THAT(error("{name: pointer_net}", "{name: copy, val_size: 2}"), Contains("needs a pointer task"));
  CHECK(error("{name: pointer_net, embed: 8, encoder: {name: gru, hidden: 8, bidirectional: true}, score: bilinear, beam: 3}") == "(no error)");
}
