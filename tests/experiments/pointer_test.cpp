// The pointer tasks and model (experiments/tasks/pointer/, models/pointer_net.cpp): the sort
// task's answers recomputed independently, seeded and reproducible per example id, splits that
// do not move when another changes; option errors at their lines; the pointer network learns to
// sort short lists through the engine, and its metrics and attention heat map are what it decodes.
#include "experiments/runner.h"
#include "experiments/tasks/pointer/geometry.h"
#include "experiments/tasks/pointer/pointer_task.h"
#include "experiments/tasks/pointer/sort.h"
#include "tests/experiments/task_fixtures.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <cmath>
#include <numeric>
#include <set>
#include <sstream>

using namespace engram;
using namespace engram::experiments;
using namespace engram::experiments::pointer;
using Catch::Contains;

namespace {

std::unique_ptr<Task> build_task(const std::string& task_yaml, std::uint64_t seed = 5) {
  return test::build_task(task_yaml, seed, "ptr.yaml");
}
const SortTask& sort_task(const std::unique_ptr<Task>& t) { return test::as_family<SortTask>(t); }
std::string task_error(const std::string& yaml) { return test::task_error(yaml, "ptr.yaml"); }

// The values an example was made from, read back from its features.
std::vector<double> values_of(const PointerExample& e, bool integers, int max_value) {
  std::vector<double> v;
  for (Index i = 0; i < e.input.rows(); ++i)
    v.push_back(integers ? std::round(e.input(i, 0) * max_value) : static_cast<double>(e.input(i, 0)));
  return v;
}

// The test optimality gap of a REINFORCE run on TSP 6 (seed 4, 100 validation and 100 test
// instances, batch 32, 2 threads, one evaluation at the end) of `model` after `steps` steps;
// `trainer` adds keys to the trainer's mapping (the optimizer among them).
double tsp6_reinforce_gap(test::TempDir& d, const std::string& name, int steps, const std::string& model,
                          const std::string& trainer) {
  const RunOutcome out = test::run_yaml(d, name + ".yaml", "name: " + name + R"(
seed: 4
task: {name: tsp, min_n: 6, max_n: 6, val_size: 100, test_size: 100}
model: )" + model + R"(
trainer: {steps: )" + std::to_string(steps) + ", batch: 32, threads: 2, eval_every: " + std::to_string(steps) +
                                             ", log_every: 100, " + trainer + R"(,
          early_stopping: {metric: val/optimality_gap, mode: min, patience: 0}}
)");
  return out.result.final_metrics.at("test/optimality_gap");
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
  const RunOutcome out = test::run_yaml(d, "p.yaml", R"(name: p
seed: 3
task: {name: sort, values: floats, min_n: 5, max_n: 5, val_size: 200, test_size: 200}
model: {name: pointer_net, embed: 32, encoder: {name: lstm, hidden: 32}, score: {name: additive, hidden: 32}}
trainer: {steps: 400, batch: 32, threads: 2, eval_every: 400, log_every: 100, optimizer: {name: adam, lr: 0.003},
          early_stopping: {metric: val/error, mode: min, patience: 0}}
)");
  const auto& m = out.result.final_metrics;
  // chance: 1/5! = 0.8% of lists sorted; a pointer net with masks gets most of them
  CHECK(m.at("test/sequence_accuracy") > 0.8);
  CHECK(m.at("test/error") == Approx(1 - m.at("test/sequence_accuracy")));
  CHECK(m.at("test/token_accuracy") >= m.at("test/sequence_accuracy"));
  CHECK(m.at("val/loss") < 0.3);
}

TEST_CASE("pointer_net with the transformer encoder learns to sort 5 numbers", "[pointer][learning]") {
  test::TempDir d("pointer-transformer");
  const RunOutcome out = test::run_yaml(d, "p.yaml", R"(name: p
seed: 3
task: {name: sort, values: floats, min_n: 5, max_n: 5, val_size: 200, test_size: 200}
model: {name: pointer_net, embed: 32, encoder: {name: transformer, layers: 2, heads: 4, ff: 64, hidden: 32}, score: {name: additive, hidden: 32}}
trainer: {steps: 400, batch: 32, threads: 2, eval_every: 400, log_every: 100, optimizer: {name: adam, lr: 0.003},
          early_stopping: {metric: val/error, mode: min, patience: 0}}
)");
  WARN("transformer-encoded pointer net, sort 5 floats: test sequence accuracy " << out.result.final_metrics.at("test/sequence_accuracy"));
  CHECK(out.result.final_metrics.at("test/sequence_accuracy") > 0.9);  // chance: 1/120
}

TEST_CASE("pointer_net trained by REINFORCE on tour lengths shortens its tours without reading a target", "[pointer][learning][reinforce]") {
  test::TempDir d("pointer-reinforce");
  const auto run = [&](const std::string& name, int steps) {
    return tsp6_reinforce_gap(d, name, steps, "{name: pointer_net, embed: 32, encoder: {name: lstm, hidden: 32}, "
                              "score: {name: additive, hidden: 32}, training: reinforce}", "optimizer: {name: adam, lr: 0.003}");
  };
  const double before = run("untrained", 1);
  const double after = run("trained", 250);
  WARN("REINFORCE on TSP 6: test optimality gap " << before << " untrained, " << after << " after 250 steps");
  // the untrained greedy decoder (masked: valid tours) is about 30% above the optimal tour
  CHECK(before > 0.2);
  CHECK(after < 0.6 * before);
  const auto error = [](const std::string& model, const std::string& task) { return test::problem_error(task, model, "m.yaml"); };
  CHECK_THAT(error("{name: pointer_net, training: reinforce}", "{name: sort, val_size: 2, test_size: 2}"),
             Contains("model.training") && Contains("needs a task with a cost"));
  CHECK_THAT(error("{name: pointer_net, training: rl}", "{name: tsp, min_n: 5, max_n: 5, val_size: 2, test_size: 2}"),
             Contains("model.training") && Contains("teacher or reinforce"));
  const std::string tsp = "{name: tsp, min_n: 5, max_n: 5, val_size: 2, test_size: 2}";
  CHECK_THAT(error("{name: pointer_net, training: reinforce, baseline: critic}", tsp),
             Contains("model.baseline") && Contains("greedy or rollout"));
  CHECK_THAT(error("{name: pointer_net, baseline: rollout}", tsp), Contains("model.baseline") && Contains("training: reinforce"));
  CHECK_THAT(error("{name: pointer_net, training: reinforce, rollout: {every: 5}}", tsp),
             Contains("model.rollout") && Contains("baseline: rollout"));
  CHECK_THAT(error("{name: pointer_net, training: reinforce, baseline: rollout, rollout: {evry: 5}}", tsp),
             Contains("evry"));
  CHECK_THAT(error("{name: pointer_net, training: reinforce, baseline: rollout, rollout: {alpha: 0.9}}", tsp),
             Contains("model.rollout.alpha"));
}

TEST_CASE("pointer_net with Kool et al.'s encoder and decoder learns TSP 6 by REINFORCE", "[pointer][learning][reinforce]") {
  test::TempDir d("pointer-kool");
  const auto run = [&](const std::string& name, int steps) {
    return tsp6_reinforce_gap(d, name, steps, "{name: pointer_net, embed: 32, encoder: {name: transformer, layers: 1, "
                              "heads: 4, ff: 64, decoder: attention}, training: reinforce}",
                              "clip_norm: 1, optimizer: {name: adam, lr: 0.0005}");
  };
  const double before = run("untrained", 1);
  const double after = run("trained", 400);
  WARN("Kool et al.'s model, REINFORCE on TSP 6: test optimality gap " << before << " untrained, " << after << " after 400 steps");
  CHECK(before > 0.1);  // (untrained, its greedy tours are 36% above the optimal ones)
  // (seeds 4 to 8 all reach 1.1-1.9% here; before the encoder's output was normalised across the
  // nodes two of them saturated into a uniform policy and stayed at ~20%: docs/pointer.md)
  CHECK(after < 0.3 * before);
  const auto error = [](const std::string& model) {
    return test::problem_error("{name: tsp, min_n: 5, max_n: 5, val_size: 2, test_size: 2}", model, "m.yaml");
  };
  CHECK_THAT(error("{name: pointer_net, encoder: {name: transformer, heads: 4, decoder: attention}, score: additive}"),
             Contains("model.score") && Contains("decoder: attention"));
  CHECK_THAT(error("{name: pointer_net, encoder: {name: transformer, heads: 4, decoder: attention, hidden: 8}}"),
             Contains("hidden") && Contains("decoder: attention"));
  CHECK_THAT(error("{name: pointer_net, encoder: {name: transformer, heads: 4, decoder: rnn}}"), Contains("decoder") && Contains("rnn"));
}

TEST_CASE("the paired t-test of the rollout baseline gives the textbook p-values", "[pointer][reinforce]") {
  // references: scipy.stats.ttest_1samp(d, 0).pvalue / 2 (two-sided halved: the mean is negative)
  CHECK(experiments::pointer::paired_t_test_lower({-1, -2, -3, 0, -1}) == Approx(0.025802978905587377).epsilon(1e-9));
  CHECK(experiments::pointer::paired_t_test_lower({-0.5, 0.2, -0.1, -0.3, 0.1, -0.2}) == Approx(0.1308258831497628).epsilon(1e-9));
  CHECK(experiments::pointer::paired_t_test_lower({1, 2, -1}) == 1.0);      // the mean is not negative
  CHECK(experiments::pointer::paired_t_test_lower({-1, -1, -1}) == 1.0);    // no spread: no test
  CHECK(experiments::pointer::paired_t_test_lower({-1}) == 1.0);
}

TEST_CASE("REINFORCE with Kool et al.'s rollout baseline shortens tours, replaces its frozen policy and resumes exactly", "[pointer][learning][reinforce]") {
  test::TempDir d("pointer-rollout");
  const std::string yaml = R"(name: rollout
seed: 4
task: {name: tsp, min_n: 6, max_n: 6, val_size: 100, test_size: 100}
model:
  name: pointer_net
  embed: 32
  encoder: {name: lstm, hidden: 32}
  score: {name: additive, hidden: 32}
  training: reinforce
  baseline: rollout
  rollout: {every: 50, instances: 200, alpha: 0.05}
trainer: {steps: 250, batch: 32, threads: 2, eval_every: 125, log_every: 100, optimizer: {name: adam, lr: 0.003}}
)";
  std::string untrained_yaml = yaml;
  untrained_yaml.replace(untrained_yaml.find("steps: 250"), 10, "steps: 1");
  const double before = test::run_yaml(d, "untrained.yaml", untrained_yaml).result.final_metrics.at("test/optimality_gap");
  const RunOutcome full = test::run_yaml(d, "full.yaml", yaml);
  REQUIRE(full.status == "completed");
  const double gap = full.result.final_metrics.at("test/optimality_gap");
  const double replaced = full.result.final_metrics.at("test/rollout_replacements");
  WARN("REINFORCE with the rollout baseline on TSP 6: test optimality gap " << before << " untrained, " << gap
                                                                            << " after 250 steps, " << replaced
                                                                            << " baseline replacements");
  CHECK(before > 0.2);
  CHECK(gap < 0.7 * before);  // measured: 0.32 -> 0.20 (the greedy self-critical baseline above: 0.18)
  CHECK(replaced >= 1);      // the first check (step 50) already finds the trained policy better
  CHECK(replaced <= 4);      // at most one per check
  // interrupted right after step 120 (between checks 100 and 150) and resumed: the frozen policy
  // and its count come back from the checkpoint, so every number is the same
  std::ofstream(d.path / "cut.yaml") << yaml;
  experiments::RunRequest r;
  r.config = (d.path / "cut.yaml").string();
  r.runs_root = (d.path / "runs-cut").string();
  r.out = (d.path / "cut").string();
  r.progress = false;
  r.interrupt_after_step = 120;
  std::ostringstream sink;
  REQUIRE(experiments::run_experiment(r, sink).status == "interrupted");
  experiments::RunRequest again;
  again.resume = r.out;
  again.runs_root = r.runs_root;
  again.progress = false;
  const RunOutcome resumed = experiments::run_experiment(again, sink);
  REQUIRE(resumed.status == "completed");
  CHECK(resumed.result.final_metrics == full.result.final_metrics);
  const auto slurp = [](const std::filesystem::path& f) {
    std::ifstream in(f, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  CHECK(slurp(d.path / "cut/metrics.jsonl") == slurp(std::filesystem::path(full.dir) / "metrics.jsonl"));
  CHECK(slurp(d.path / "cut/checkpoints/last.ck") == slurp(std::filesystem::path(full.dir) / "checkpoints/last.ck"));
}

TEST_CASE("pointer_net: config errors name the key, a pointer model needs a pointer task", "[pointer][errors]") {
  const auto error = [](const std::string& model, const std::string& task = "{name: sort, val_size: 2, test_size: 2}") {
    return test::problem_error(task, model, "m.yaml");
  };
  CHECK_THAT(error("{name: pointer_net, encoder: {name: gru, hiden: 8}}"), Contains("m.yaml:3") && Contains("hiden"));
  CHECK_THAT(error("{name: pointer_net, score: {name: additiv}}"), Contains("m.yaml:3") && Contains("additiv"));
  CHECK_THAT(error("{name: pointer_net, beam: 0}"), Contains("model.beam"));
  CHECK_THAT(error("{name: pointer_net}", "{name: copy, val_size: 2}"), Contains("needs a pointer task"));
  CHECK(error("{name: pointer_net, embed: 8, encoder: {name: gru, hidden: 8, bidirectional: true}, score: bilinear, beam: 3}") == "(no error)");
}

// ---- planar tasks: convex hull and TSP ------------------------------------------------------

namespace {

MatD random_points(Rng& rng, Index n) {
  MatD p(n, 2);
  for (Index i = 0; i < p.size(); ++i) p.data()[i] = rng.uniform();
  return p;
}

// The strict hull by brute force: edge a -> b is a counter-clockwise hull edge when every other
// point lies strictly to its left; the polygon follows the edges from the smallest index.
std::vector<int> brute_hull(const MatD& p) {
  const int n = static_cast<int>(p.rows());
  std::map<int, int> next;
  for (int a = 0; a < n; ++a)
    for (int b = 0; b < n; ++b) {
      if (a == b) continue;
      bool left = true;
      for (int c = 0; c < n && left; ++c)
        if (c != a && c != b)
          left = (p(b, 0) - p(a, 0)) * (p(c, 1) - p(a, 1)) - (p(b, 1) - p(a, 1)) * (p(c, 0) - p(a, 0)) > 0;
      if (left) next[a] = b;
    }
  std::vector<int> h;
  if (next.empty()) return h;
  for (int v = next.begin()->first; h.empty() || v != h.front(); v = next.at(v)) h.push_back(v);
  return h;
}

// The shortest tour by trying every permutation of cities 1..n-1.
double brute_tour_length(const MatD& p) {
  std::vector<int> t(static_cast<size_t>(p.rows()));
  std::iota(t.begin(), t.end(), 0);
  double best = std::numeric_limits<double>::infinity();
  do best = std::min(best, tour_length(p, t));
  while (std::next_permutation(t.begin() + 1, t.end()));
  return best;
}

}  // namespace

TEST_CASE("convex hull: the monotone chain equals the brute-force hull, canonical start and orientation", "[pointer][hull]") {
  Rng rng(1, "hull");
  for (int trial = 0; trial < 300; ++trial) {
    const MatD p = random_points(rng, 3 + trial % 28);
    const std::vector<int> h = convex_hull(p);
    CHECK(h == brute_hull(p));
    CHECK(h.front() == *std::min_element(h.begin(), h.end()));
    CHECK(canonical_polygon(p, std::vector<int>(h.rbegin(), h.rend())) == h);  // clockwise -> the same
  }
  // the unit square's corners with an inner and an edge point (collinear: not on the strict hull)
  MatD sq(6, 2);
  sq << 1, 1, 0.5, 0.5, 0, 0, 1, 0, 0.5, 0, 0, 1;
  CHECK(convex_hull(sq) == std::vector<int>{0, 5, 2, 3});
  // two points: canonical too (from the smaller index), as the score compares outputs
  MatD two(2, 2);
  two << 0.9, 0.5, 0.1, 0.5;
  CHECK(convex_hull(two) == std::vector<int>{0, 1});
  CHECK(polygon_area(sq, convex_hull(sq)) == Approx(1.0));
}

TEST_CASE("simple polygons: for points in convex position only the hull's cycle is simple", "[pointer][hull]") {
  MatD sq(4, 2);
  sq << 0, 0, 1, 0, 1, 1, 0, 1;
  CHECK(is_simple_polygon(sq, {0, 1, 2, 3}));
  CHECK(is_simple_polygon(sq, {3, 2, 1, 0}));                  // clockwise is still simple
  CHECK_FALSE(is_simple_polygon(sq, {0, 2, 1, 3}));            // a bow tie
  CHECK_FALSE(is_simple_polygon(sq, {0, 1}));                  // fewer than 3 vertices
  CHECK_FALSE(is_simple_polygon(sq, {0, 1, 2, 1}));            // a repeated vertex
  MatD line(3, 2);
  line << 0, 0, 0.5, 0, 1, 0;
  CHECK_FALSE(is_simple_polygon(line, {0, 1, 2}));             // collinear: it folds back on itself
  MatD touch(5, 2);  // a vertex on a non-adjacent edge: the polygon touches itself
  touch << 0, 0, 2, 0, 2, 2, 1, 0, 0, 2;
  CHECK_FALSE(is_simple_polygon(touch, {0, 1, 2, 3, 4}));
  // the star {11/2} on a regular 11-gon goes round twice: it crosses itself, and its shoelace
  // area (winding number 2 over most of the hull) exceeds the hull's
  MatD ring(11, 2);
  std::vector<int> star;
  for (int i = 0; i < 11; ++i) {
    ring.row(i) << std::cos(2 * M_PI * i / 11), std::sin(2 * M_PI * i / 11);
    star.push_back(2 * i % 11);
  }
  CHECK_FALSE(is_simple_polygon(ring, star));
  CHECK(polygon_area(ring, star) > polygon_area(ring, convex_hull(ring)));
  // every ordering of points in convex position: simple exactly when it is the hull's cycle
  Rng rng(4, "simple");
  for (int trial = 0; trial < 40; ++trial) {
    const int n = 4 + trial % 4;
    MatD p(n, 2);
    for (int i = 0; i < n; ++i) {
      const double t = 2 * M_PI * (i + 0.8 * rng.uniform()) / n;
      p.row(i) << std::cos(t), std::sin(t);
    }
    std::vector<int> order(static_cast<size_t>(n));
    std::iota(order.begin(), order.end(), 0);
    int simple = 0;
    do {
      const bool is_hull = canonical_polygon(p, order) == convex_hull(p);
      CHECK(is_simple_polygon(p, order) == is_hull);
      simple += is_hull;
    } while (std::next_permutation(order.begin() + 1, order.end()));
    CHECK(simple == 2);  // the hull, each way round
  }
}

TEST_CASE("tsp: Held-Karp tours are as short as every permutation, in canonical form", "[pointer][tsp]") {
  Rng rng(2, "tsp");
  for (int trial = 0; trial < 60; ++trial) {
    const Index n = 4 + trial % 5;  // 4..8 cities
    const MatD p = random_points(rng, n);
    const std::vector<int> t = optimal_tour(p);
    REQUIRE(is_permutation_of(t, n));
    CHECK(tour_length(p, t) == Approx(brute_tour_length(p)).epsilon(1e-12));
    CHECK(t.front() == 0);
    CHECK(t[1] < t.back());
    CHECK(canonical_tour(std::vector<int>(t.rbegin(), t.rend())) == t);
  }
  CHECK(!is_permutation_of({0, 1, 1}, 3));
  CHECK(!is_permutation_of({0, 1}, 3));
  CHECK_THROWS_WITH(optimal_tour(MatD::Zero(17, 2)), Contains("1 <= n <= 16"));
}

TEST_CASE("tsp: the local search finds Held-Karp's tour on small instances and the published optimal means at 20 and 50 cities", "[pointer][tsp]") {
  Rng rng(3, "tsp-search");
  int exact = 0;
  double worst = 0;
  for (int trial = 0; trial < 300; ++trial) {
    const Index n = 5 + trial % 8;  // 5..12 cities
    const MatD p = random_points(rng, n);
    Rng search = rng.child(static_cast<std::uint64_t>(trial));
    const std::vector<int> t = local_search_tour(p, 8, search);
    REQUIRE(is_permutation_of(t, n));
    CHECK(t == canonical_tour(t));
    const double optimal = tour_length(p, optimal_tour(p)), found = tour_length(p, t);
    CHECK(found >= optimal - 1e-9);
    exact += found <= optimal + 1e-9;
    worst = std::max(worst, found / optimal - 1);
  }
  INFO("exact " << exact << " of 300, worst gap " << worst);
  CHECK(exact >= 294);
  CHECK(worst < 0.03);
  // Uniform instances in the unit square: optimal (Concorde) mean tour lengths 3.83 at 20 cities
  // and 5.69 at 50 (Kool, van Hoof & Welling 2019, Table 1); the standard errors of these means
  // over 200 and 60 instances are about 0.02 and 0.03.
  for (const auto& [n, count, published] : {std::tuple{20, 200, 3.83}, std::tuple{50, 60, 5.69}}) {
    double sum = 0;
    for (int k = 0; k < count; ++k) {
      const MatD p = random_points(rng, n);
      Rng search = rng.child(static_cast<std::uint64_t>(1000 + k));
      sum += tour_length(p, local_search_tour(p, 8, search));
    }
    INFO(n << " cities: mean " << sum / count);
    CHECK(sum / count > published - 0.1);
    CHECK(sum / count < published * 1.02 + 0.06);
  }
  CHECK_THROWS_WITH(local_search_tour(MatD::Zero(4, 3), 8, rng), Contains("[4 x 3]"));
  // the task generates above 12 cities with it
  auto t = build_task("{name: tsp, min_n: 20, max_n: 20, val_size: 5, test_size: 5}");
  const auto& task = dynamic_cast<const PointerTask&>(*t);
  for (const auto& e : task.split("val")) {
    CHECK(is_permutation_of(e.target, 20));
    CHECK(e.reference == Approx(tour_length(e.input.cast<double>(), e.target)));
  }
}

TEST_CASE("planar tasks: targets, metrics of exact and wrong answers", "[pointer][tsp][hull]") {
  auto tsp = build_task("{name: tsp, min_n: 5, max_n: 7, val_size: 20, test_size: 10}");
  const auto& t = dynamic_cast<const PointerTask&>(*tsp);
  CHECK(t.permutation());
  CHECK(t.wants_unmasked());
  const auto& val = t.split("val");
  std::vector<std::vector<int>> exact, worse, invalid;
  for (const PointerExample& e : val) {
    const MatD p = e.input.cast<double>();
    CHECK(e.reference == Approx(brute_tour_length(p)).epsilon(1e-12));
    exact.push_back(std::vector<int>(e.target.rbegin(), e.target.rend()));  // the same tour backwards
    std::vector<int> w = e.target;
    std::swap(w[1], w[2]);
    worse.push_back(w);
    invalid.push_back(std::vector<int>(e.target.size(), 0));
  }
  const Metrics m = t.score(val, exact, exact);
  CHECK(m.at("error") == 0);
  CHECK(m.at("optimality_gap") == Approx(0).margin(1e-12));
  CHECK(m.at("invalid_rate") == 0);
  const Metrics w = t.score(val, worse, invalid);
  CHECK(w.at("optimality_gap") >= 0);
  CHECK(w.at("tour_length") >= m.at("tour_length"));
  CHECK(w.at("invalid_rate") == 1);
  // invalid decoded tours count in error, never as NaN lengths
  const Metrics bad = t.score(val, invalid, invalid);
  CHECK(bad.at("error") == 1);
  CHECK(bad.at("tour_length") == 1e9);
  CHECK(std::isfinite(bad.at("optimality_gap")));

  auto hull = build_task("{name: convex_hull, min_n: 5, max_n: 12, val_size: 20, test_size: 10}");
  const auto& h = dynamic_cast<const PointerTask&>(*hull);
  CHECK(h.end_token());
  CHECK(h.distinct());
  CHECK(!h.permutation());
  std::vector<std::vector<int>> right, partial;
  for (const PointerExample& e : h.split("val")) {
    const Index n = e.input.rows();
    CHECK(e.target.back() == n);  // ends with the end position
    CHECK(std::vector<int>(e.target.begin(), e.target.end() - 1) == brute_hull(e.input.cast<double>()));
    std::vector<int> r(e.target.begin() + 1, e.target.end() - 1);  // the same polygon from its second vertex
    r.push_back(e.target.front());
    r.push_back(static_cast<int>(n));
    right.push_back(r);
    partial.push_back({e.target[0], e.target[1], e.target[2], static_cast<int>(n)});
  }
  const Metrics hm = h.score(h.split("val"), right, {});
  CHECK(hm.at("error") == 0);
  CHECK(hm.at("area_coverage") == Approx(1));
  CHECK(hm.at("polygon_failure_rate") == 0);
  const Metrics hp = h.score(h.split("val"), partial, {});
  CHECK(hp.at("area_coverage") < 1);
  CHECK(hp.at("area_coverage") > 0);
  CHECK(hp.at("polygon_failure_rate") == 0);
  // outputs that are no polygon (two points; the hull with two vertices swapped, which crosses
  // itself when the hull has 4 or more): failures, left out of the coverage
  std::vector<std::vector<int>> broken = right;
  int crossing = 0;
  for (size_t i = 0; i < broken.size(); ++i) {
    const PointerExample& e = h.split("val")[i];
    std::vector<int>& o = broken[i];
    if (i % 2 == 0) {
      o = {e.target[0], e.target[1], static_cast<int>(e.input.rows())};
    } else if (o.size() >= 5) {  // 4 or more vertices and the end position
      std::swap(o[0], o[1]);
      ++crossing;
      CHECK_FALSE(is_simple_polygon(e.input.cast<double>(), std::vector<int>(o.begin(), o.end() - 1)));
    }
  }
  REQUIRE(crossing > 0);
  const Metrics hb = h.score(h.split("val"), broken, {});
  const double failures = static_cast<double>((broken.size() + 1) / 2 + static_cast<size_t>(crossing));
  CHECK(hb.at("polygon_failure_rate") == Approx(failures / static_cast<double>(broken.size())));
  CHECK(hb.at("area_coverage") == Approx(1));  // the rest are the hulls themselves
}

TEST_CASE("convex hull with start leftmost: the same hulls from their smallest x, scored as polygons", "[pointer][hull]") {
  auto by_index = build_task("{name: convex_hull, min_n: 5, max_n: 12, val_size: 30, test_size: 10}");
  auto leftmost = build_task("{name: convex_hull, min_n: 5, max_n: 12, val_size: 30, test_size: 10, start: leftmost}");
  const auto& a = dynamic_cast<const PointerTask&>(*by_index).split("val");
  const auto& b = dynamic_cast<const PointerTask&>(*leftmost).split("val");
  REQUIRE(a.size() == b.size());
  int rotated = 0;
  std::vector<std::vector<int>> index_answers;
  for (size_t i = 0; i < a.size(); ++i) {
    REQUIRE(a[i].input == b[i].input);  // the same points: the option only rotates the answer
    const MatD p = b[i].input.cast<double>();
    const std::vector<int> hull(b[i].target.begin(), b[i].target.end() - 1);
    CHECK(b[i].target.back() == p.rows());
    for (int j : hull) CHECK(p(hull.front(), 0) <= p(j, 0));          // starts at the smallest x
    CHECK(canonical_polygon(p, hull) == brute_hull(p));               // the same polygon, counter-clockwise
    CHECK(b[i].reference == Approx(a[i].reference));
    rotated += hull != std::vector<int>(a[i].target.begin(), a[i].target.end() - 1);
    index_answers.push_back(a[i].target);
  }
  CHECK(rotated > 0);  // in some hulls the smallest index is not the leftmost point
  // an answer in the other start is still the right polygon
  CHECK(dynamic_cast<const PointerTask&>(*leftmost).score(b, index_answers, {}).at("error") == 0);
  CHECK_THAT(task_error("{name: convex_hull, start: rightmost}"), Contains("ptr.yaml:") && Contains("start") && Contains("leftmost"));
  CHECK_THAT(task_error("{name: tsp, start: leftmost}"), Contains("start"));
}

TEST_CASE("planar tasks read the published files, bad lines name the file, line and key", "[pointer][files]") {
  test::TempDir d("pointer-files");
  const auto write = [&](const std::string& name, const std::string& text) {
    std::ofstream(d.path / name) << text;
    return (d.path / name).string();
  };
  // a 4-city file whose tours end by repeating their first city, as the published ones do
  const std::string tours = write("tsp4.txt",
      "0.0 0.0 1.0 1.0 1.0 0.0 0.0 1.0 output 1 3 2 4 1\n"
      "0.1 0.1 0.9 0.1 0.9 0.9 0.1 0.9 output 1 2 3 4 1\n\n");
  const std::vector<PointerFileLine> lines = read_pointer_file(tours);
  REQUIRE(lines.size() == 2);
  CHECK(lines[0].answer == std::vector<int>{0, 2, 1, 3});
  auto t = build_task("{name: tsp, min_n: 4, max_n: 4, val_size: 3, test_size: 3, data: {test_file: " + tours + ", train_file: " + tours + "}}");
  const auto& task = dynamic_cast<const PointerTask&>(*t);
  CHECK(task.split("test").size() == 2);
  CHECK(task.train_size() == 2);
  CHECK(task.split("test")[0].target == std::vector<int>{0, 2, 1, 3});
  CHECK(task.split("test")[0].reference == Approx(4.0));
  CHECK(task.train_example(3).target == task.split("test")[1].target);

  const std::vector<std::pair<std::string, std::string>> bad{
      {"0 0 1 1 1 output 1 2", ":1: 5 coordinates: not x, y pairs"},
      {"0 0 1 1 output 1 2 1\n0 0 1 1 output 1 3", ":2: index 3 is outside 1..2"},
      {"0 0 1 x output 1 2", ":1: 'x' is not a coordinate"},
      {"0 0 1 1 1 0", ":1: no 'output'"},
      {"0 0 1 1 output 1 1.5", ":1: '1.5' is not an index"},
      {"", "no examples"}};
  for (const auto& [text, what] : bad) {
    INFO(text);
    const std::string f = write("bad.txt", text);
    CHECK_THROWS_WITH(read_pointer_file(f), Contains(f) && Contains(what));
  }
  const std::string twice = write("twice.txt", "0 0 1 1 1 0 output 1 2 2 1\n");
  CHECK_THAT(task_error("{name: tsp, min_n: 3, max_n: 3, data: {test_file: " + twice + "}}"),
             Contains("ptr.yaml:2") && Contains("task.data.test_file") && Contains("does not visit each of the 3 cities once"));
  CHECK_THAT(task_error("{name: convex_hull, data: {train_file: " + twice + "}}"),
             Contains("task.data.train_file") && Contains("repeats a point"));
  CHECK_THAT(task_error("{name: tsp, data: {train_file: /nonexistent/tsp.txt}}"), Contains("task.data.train_file") && Contains("/nonexistent/tsp.txt"));
  CHECK_THAT(task_error("{name: tsp, max_n: 101}"), Contains("task.max_n"));
}
