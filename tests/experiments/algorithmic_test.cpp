// The generated bit-sequence tasks (experiments/tasks/algorithmic/): every episode's layout is
// checked by an independent reading of its input (copy: the target is the input sequence after
// the delimiter; associative recall: the answer found again by searching the input for the query;
// priority sort: the sort redone from the input's priority channel; repeat copy: the repeated
// block, the count and the end marker), determinism by seed, masks, eval splits, wrong_bits on
// hand examples, config errors with file:line, and lstm_seq learning copy end to end.
#include "experiments/runner.h"
#include "experiments/tasks/algorithmic/associative_recall.h"
#include "experiments/tasks/algorithmic/copy.h"
#include "experiments/tasks/algorithmic/priority_sort.h"
#include "experiments/tasks/algorithmic/repeat_copy.h"

#include "core/ops.h"
#include "core/optim.h"
#include "core/parallel.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <set>

using namespace engram;
using namespace engram::experiments;
using namespace engram::experiments::algorithmic;

namespace {

// The task of `task_yaml` (the body of a `task:` mapping) from an in-memory config "alg.yaml".
std::unique_ptr<Task> build_task(const std::string& task_yaml, std::uint64_t seed = 5) {
  Config cfg = Config::parse("seed: " + std::to_string(seed) + "\ntask:\n" + task_yaml, "alg.yaml");
  Section s = cfg.section("task");
  return lookup_component(tasks(), s)(s, Rng(cfg.seed(), "task"));
}

const BitSequenceTask& bits_task(const std::unique_ptr<Task>& t) {
  auto* b = dynamic_cast<const BitSequenceTask*>(t.get());
  REQUIRE(b != nullptr);
  return *b;
}

// Every episode a task produces: some training episodes and every split.
std::vector<BitSequenceExample> episodes_of(const BitSequenceTask& t, int train = 50) {
  std::vector<BitSequenceExample> all;
  for (int i = 0; i < train; ++i) all.push_back(t.train_example(static_cast<std::uint64_t>(i)));
  for (const auto& s : t.eval_splits())
    for (const auto& e : t.split(s)) all.push_back(e);
  return all;
}

bool is_binary(const MatF& m) { return ((m.array() == 0.0f) || (m.array() == 1.0f)).all(); }

// (Eigen's == needs equal shapes: episodes of different lengths are compared by shape first)
bool same_episode(const BitSequenceExample& a, const BitSequenceExample& b) {
  const auto same = [](const MatF& x, const MatF& y) { return x.rows() == y.rows() && x.cols() == y.cols() && x == y; };
  return a.length == b.length && same(a.input, b.input) && same(a.target, b.target) && same(a.mask, b.mask);
}

// The config error message of building `task_yaml`.
std::string task_error(const std::string& task_yaml) {
  try {
    build_task(task_yaml);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("copy: the target is the input sequence after the delimiter", "[algorithmic][copy]") {
  auto t = build_task("  name: copy\n  min_length: 1\n  max_length: 20\n  val_size: 40\n  eval_size: 5\n");
  const BitSequenceTask& task = bits_task(t);
  REQUIRE(task.input_size() == 9);
  REQUIRE(task.output_size() == 8);
  CHECK(task.family() == "bit_sequence");
  CHECK(task.train_size() == 0);
  CHECK(task.eval_splits() == std::vector<std::string>{"val", "len40", "len60", "len80"});
  std::set<int> lengths;
  for (const auto& e : episodes_of(task, 200)) {
    const Index T = e.input.rows(), L = e.length;
    lengths.insert(e.length);
    REQUIRE(T == 2 * L + 1);
    REQUIRE(e.target.rows() == T);
    REQUIRE(e.mask.rows() == T);
    CHECK(is_binary(e.input));
    CHECK(is_binary(e.target));
    // the delimiter: channel 8, exactly at step L
    CHECK(e.input.col(8).sum() == 1);
    CHECK(e.input(L, 8) == 1);
    CHECK(e.input.row(L).leftCols(8).isZero());
    // the answer phase has zero input; the target there is the input sequence, in order
    CHECK(e.input.bottomRows(L).isZero());
    CHECK(e.target.bottomRows(L) == e.input.topLeftCorner(L, 8));
    CHECK(e.target.topRows(L + 1).isZero());
    CHECK(e.mask.topRows(L + 1).isZero());
    CHECK((e.mask.bottomRows(L).array() == 1).all());
  }
  CHECK(*lengths.begin() == 1);   // the training range is covered
  CHECK(lengths.count(20) == 1);
  for (int L : {40, 60, 80}) {
    const auto& split = task.split("len" + std::to_string(L));
    CHECK(split.size() == 5);
    for (const auto& e : split) CHECK(e.length == L);
  }
  CHECK(task.split("val").size() == 40);
  for (const auto& e : task.split("val")) CHECK(e.length <= 20);
  // the bits are fair coins
  double ones = 0, count = 0;
  for (const auto& e : task.split("val")) {
    ones += e.target.sum();
    count += double(e.mask.sum()) * 8;
  }
  CHECK(ones / count == Approx(0.5).margin(0.05));
  CHECK_THROWS_WITH(task.split("len41"), Catch::Contains("unknown split 'len41'") && Catch::Contains("len40"));
}

TEST_CASE("copy: eval lengths and bits come from the config", "[algorithmic][copy]") {
  auto t = build_task("  name: copy\n  bits: 3\n  eval_lengths: [20, 40, 60, 80]\n  val_size: 4\n");
  const BitSequenceTask& task = bits_task(t);
  CHECK(task.input_size() == 4);
  CHECK(task.output_size() == 3);
  CHECK(task.eval_splits() == std::vector<std::string>{"val", "len20", "len40", "len60", "len80"});
  CHECK(task.split("len20").size() == 4);  // eval_size defaults to val_size
  auto none = build_task("  name: copy\n  eval_lengths: []\n  val_size: 4\n");
  CHECK(bits_task(none).eval_splits() == std::vector<std::string>{"val"});
}

TEST_CASE("repeat copy: the block repeated n times, then the end marker", "[algorithmic][repeat_copy]") {
  auto t = build_task("  name: repeat_copy\n  val_size: 30\n  eval_size: 4\n");
  const BitSequenceTask& task = bits_task(t);
  REQUIRE(task.input_size() == 10);
  REQUIRE(task.output_size() == 9);
  CHECK(task.eval_splits() == std::vector<std::string>{"val", "len20", "rep20"});
  // the count channel of n under the training range 1..10: mean 5.5, variance (100 - 1) / 12
  const auto count_value = [](int n) { return float((n - 5.5) / std::sqrt(99.0 / 12)); };
  std::set<int> repeats_seen;
  for (const auto& e : episodes_of(task, 200)) {
    const Index L = e.length, T = e.input.rows();
    // the delimiter step: its position gives L, its count channel gives n
    REQUIRE(e.input(L, 8) == 1);
    CHECK(e.input.col(8).sum() == 1);
    CHECK(e.input.row(L).leftCols(8).isZero());
    const Index n = (T - L - 2) / L;
    REQUIRE(T == L + 1 + n * L + 1);
    repeats_seen.insert(static_cast<int>(n));
    CHECK(e.input(L, 9) == Approx(count_value(static_cast<int>(n))).margin(1e-6));
    CHECK(e.input.col(9).cwiseAbs().sum() == Approx(std::abs(e.input(L, 9))));  // only on that step
    CHECK(e.input.bottomRows(T - L - 1).isZero());
    const MatF block = e.input.topLeftCorner(L, 8);
    for (Index r = 0; r < n; ++r) {
      CHECK(e.target.block(L + 1 + r * L, 0, L, 8) == block);
      CHECK(e.target.block(L + 1 + r * L, 8, L, 1).isZero());
    }
    // the end marker: last step, end channel only
    CHECK(e.target(T - 1, 8) == 1);
    CHECK(e.target.row(T - 1).leftCols(8).isZero());
    CHECK(e.target.topRows(L + 1).isZero());
    CHECK(e.mask.topRows(L + 1).isZero());
    CHECK((e.mask.bottomRows(n * L + 1).array() == 1).all());
  }
  CHECK(repeats_seen.count(1) == 1);
  CHECK(repeats_seen.count(10) == 1);
  CHECK(repeats_seen.count(20) == 1);  // rep20
  for (const auto& e : task.split("len20")) CHECK(e.length == 20);
  for (const auto& e : task.split("rep20")) CHECK(e.input.rows() == e.length + 1 + 20 * e.length + 1);
  // a one-value range has no spread: std 1
  CHECK(repeat_count_value(3, 3, 3) == 0.0f);
  CHECK(repeat_count_value(5, 3, 3) == 2.0f);
}

TEST_CASE("associative recall: the answer is the item after the query item", "[algorithmic][associative_recall]") {
  auto t = build_task("  name: associative_recall\n  val_size: 50\n  eval_size: 10\n");
  const BitSequenceTask& task = bits_task(t);
  REQUIRE(task.input_size() == 8);
  REQUIRE(task.output_size() == 6);
  CHECK(task.eval_splits() == std::vector<std::string>{"val", "items12"});
  const Index m = 3, bits = 6;
  std::set<int> counts;
  for (const auto& e : episodes_of(task, 200)) {
    // read the episode back: item delimiters on channel 6, query delimiters on channel 7
    std::vector<MatF> items;
    Index t = 0;
    while (e.input(t, 6) == 1) {
      CHECK(e.input.row(t).leftCols(bits).isZero());
      items.push_back(e.input.block(t + 1, 0, m, bits));
      CHECK(e.input.block(t + 1, 6, m, 2).isZero());
      t += m + 1;
    }
    REQUIRE(static_cast<int>(items.size()) == e.length);
    counts.insert(e.length);
    REQUIRE(e.input(t, 7) == 1);
    const MatF query = e.input.block(t + 1, 0, m, bits);
    REQUIRE(e.input(t + m + 1, 7) == 1);
    const Index answer_at = t + m + 2;
    REQUIRE(e.input.rows() == answer_at + m);
    CHECK(e.input.bottomRows(m).isZero());
    CHECK(e.input.col(6).sum() == e.length);
    CHECK(e.input.col(7).sum() == 2);
    // search the items for the query; the answer is the one after it
    std::vector<size_t> hits;
    for (size_t k = 0; k < items.size(); ++k)
      if (items[k] == query) hits.push_back(k);
    REQUIRE(hits.size() == 1);            // items are distinct
    REQUIRE(hits[0] + 1 < items.size());  // never the last item
    CHECK(e.target.bottomRows(m) == items[hits[0] + 1]);
    CHECK(e.target.topRows(answer_at).isZero());
    CHECK(e.mask.topRows(answer_at).isZero());
    CHECK((e.mask.bottomRows(m).array() == 1).all());
  }
  CHECK(counts == std::set<int>{2, 3, 4, 5, 6, 12});
  // the layout from hand-made items
  MatF a = MatF::Zero(1, 2), b = MatF::Ones(1, 2), c(1, 2);
  c << 1, 0;
  const BitSequenceExample e = associative_recall_episode({a, b, c}, 1);
  CHECK(e.input.rows() == 3 * 2 + 3 + 1);
  CHECK(e.target.row(9) == c);
  CHECK(e.input.row(7) == (MatF(1, 4) << 1, 1, 0, 0).finished());  // the query b
  CHECK_THROWS_WITH(associative_recall_episode({a, b}, 1), Catch::Contains("query in [0, items - 2]"));
}

TEST_CASE("priority sort: the top vectors in descending priority", "[algorithmic][priority_sort]") {
  auto t = build_task("  name: priority_sort\n  eval_inputs: [24]\n  val_size: 30\n  eval_size: 5\n");
  const BitSequenceTask& task = bits_task(t);
  REQUIRE(task.input_size() == 10);
  REQUIRE(task.output_size() == 8);
  CHECK(task.eval_splits() == std::vector<std::string>{"val", "inputs24"});
  double lo = 1, hi = -1;
  for (const auto& e : episodes_of(task, 100)) {
    const Index N = e.length, M = 16;
    REQUIRE(e.input.rows() == N + 1 + M);
    CHECK(e.input(N, 9) == 1);
    CHECK(e.input.col(9).sum() == 1);
    CHECK(e.input.row(N).leftCols(9).isZero());
    CHECK(e.input.bottomRows(M).isZero());
    // redo the sort from the priority channel
    std::vector<std::pair<float, Index>> by_priority;
    for (Index k = 0; k < N; ++k) {
      by_priority.emplace_back(e.input(k, 8), k);
      lo = std::min(lo, double(e.input(k, 8)));
      hi = std::max(hi, double(e.input(k, 8)));
    }
    std::sort(by_priority.begin(), by_priority.end(),
              [](const auto& x, const auto& y) { return x.first > y.first || (x.first == y.first && x.second < y.second); });
    for (Index k = 0; k < M; ++k)
      CHECK(e.target.row(N + 1 + k) == e.input.row(by_priority[static_cast<size_t>(k)].second).leftCols(8));
    CHECK(e.target.topRows(N + 1).isZero());
    CHECK(e.mask.topRows(N + 1).isZero());
    CHECK((e.mask.bottomRows(M).array() == 1).all());
  }
  CHECK(lo >= -1);
  CHECK(lo < -0.9);
  CHECK(hi < 1);
  CHECK(hi > 0.9);
  for (const auto& e : task.split("inputs24")) CHECK(e.length == 24);
  for (const auto& e : task.split("val")) CHECK(e.length == 20);
  // ties keep the input order
  MatF v(3, 1);
  v << 1, 0, 1;
  const BitSequenceExample tie = priority_sort_episode(v, {0.5f, 0.9f, 0.5f}, 3);
  CHECK(tie.target.bottomRows(3) == (MatF(3, 1) << 0, 1, 1).finished());
}

TEST_CASE("episodes depend on the seed and the id only", "[algorithmic][determinism]") {
  for (const std::string name : {"copy", "repeat_copy", "associative_recall", "priority_sort"}) {
    INFO(name);
    const std::string yaml = "  name: " + name + "\n  val_size: 6\n  eval_size: 3\n";
    auto a = build_task(yaml, 11), b = build_task(yaml, 11), c = build_task(yaml, 12);
    const BitSequenceTask &ta = bits_task(a), &tb = bits_task(b), &tc = bits_task(c);
    // the same id gives the same episode, in any order of requests
    const BitSequenceExample late = ta.train_example(7);
    for (std::uint64_t id : {0u, 3u, 7u}) CHECK(same_episode(ta.train_example(id), tb.train_example(id)));
    CHECK(same_episode(late, tb.train_example(7)));
    CHECK(!same_episode(ta.train_example(0), ta.train_example(1)));
    CHECK(!same_episode(ta.train_example(0), tc.train_example(0)));
    for (const auto& s : ta.eval_splits()) {
      REQUIRE(ta.split(s).size() == tb.split(s).size());
      for (size_t i = 0; i < ta.split(s).size(); ++i) CHECK(same_episode(ta.split(s)[i], tb.split(s)[i]));
      CHECK(!same_episode(ta.split(s)[0], tc.split(s)[0]));
    }
    // the validation set is not the first training episodes
    CHECK(!same_episode(ta.split("val")[0], ta.train_example(0)));
  }
  // a split does not change when another split is added
  auto few = build_task("  name: copy\n  eval_lengths: [40]\n  val_size: 6\n", 11);
  auto more = build_task("  name: copy\n  eval_lengths: [20, 40]\n  val_size: 6\n", 11);
  CHECK(same_episode(bits_task(few).split("len40")[2], bits_task(more).split("len40")[2]));
  CHECK(same_episode(bits_task(few).split("val")[0], bits_task(more).split("val")[0]));
}

TEST_CASE("wrong_bits counts thresholded mismatches on scored steps only", "[algorithmic][metric]") {
  BitSequenceExample e;
  e.input = MatF::Zero(3, 1);
  e.target.resize(3, 2);
  e.target << 1, 1,   // not scored
      1, 0,           //
      0, 1;
  e.mask.resize(3, 1);
  e.mask << 0, 1, 1;
  MatF z(3, 2);
  z << -5, -5,        // wrong, but not scored
      2, -1,          // right
      0.5, 3;         // first bit wrong (0.5 >= 0 reads as 1)
  CHECK(wrong_bits(z, e) == 1);
  z(2, 1) = -0.1f;    // second bit wrong too
  CHECK(wrong_bits(z, e) == 2);
  z.row(1) << -2, 0;  // both wrong: logit 0 is probability 0.5, read as 1
  CHECK(wrong_bits(z, e) == 4);
  CHECK(wrong_bits(MatF::Zero(3, 2), BitSequenceExample{MatF::Zero(3, 1), MatF::Ones(3, 2), MatF::Ones(3, 1), 1}) == 0);
  CHECK_THROWS_WITH(wrong_bits(MatF::Zero(3, 3), e), Catch::Contains("[3 x 3]") && Catch::Contains("[3 x 2]"));
  // the masked loss reads the scored steps only
  Var<float> logits(z);
  const float expected = [&] {
    double s = 0;
    for (Index t = 1; t < 3; ++t)
      for (Index j = 0; j < 2; ++j) {
        const double p = 1 / (1 + std::exp(-double(z(t, j))));
        s -= e.target(t, j) * std::log(p) + (1 - e.target(t, j)) * std::log(1 - p);
      }
    return float(s / 4);
  }();
  CHECK(masked_bce(logits, e).item() == Approx(expected).epsilon(1e-5));
}

TEST_CASE("bad task configs are errors naming the key and file:line", "[algorithmic][errors]") {
  CHECK_THAT(task_error("  name: copy\n  min_length: 5\n  max_length: 2\n"),
             Catch::Contains("alg.yaml:5: task.max_length must be >= task.min_length (5), got 2"));
  CHECK_THAT(task_error("  name: copy\n  bits: 0\n"), Catch::Contains("alg.yaml:4: task.bits"));
  CHECK_THAT(task_error("  name: copy\n  eval_lengths: [40, x]\n"),
             Catch::Contains("alg.yaml:4: task.eval_lengths must be a list of integers, got 'x'"));
  CHECK_THAT(task_error("  name: copy\n  eval_lengths: [40, 40]\n"),
             Catch::Contains("alg.yaml:4: task.eval_lengths lists 40 twice"));
  CHECK_THAT(task_error("  name: copy\n  eval_lengths: [0]\n"), Catch::Contains("alg.yaml:4: task.eval_lengths entries must be in [1,"));
  CHECK_THAT(task_error("  name: copy\n  lenght: 3\n"),
             Catch::Contains("alg.yaml:4: unknown key task.lenght"));
  CHECK_THAT(task_error("  name: repeat_copy\n  min_repeats: 4\n  max_repeats: 3\n"),
             Catch::Contains("alg.yaml:5: task.max_repeats must be >= task.min_repeats (4), got 3"));
  CHECK_THAT(task_error("  name: associative_recall\n  min_items: 1\n"), Catch::Contains("alg.yaml:4: task.min_items"));
  CHECK_THAT(task_error("  name: associative_recall\n  bits: 1\n  item_length: 1\n"),
             Catch::Contains("alg.yaml:5: task.item_length x bits gives only 2 distinct items"));
  CHECK_THAT(task_error("  name: priority_sort\n  inputs: 10\n  outputs: 12\n"),
             Catch::Contains("alg.yaml:5: task.outputs must be <= task.inputs (10), got 12"));
  CHECK_THAT(task_error("  name: priority_sort\n  eval_inputs: [8]\n"),
             Catch::Contains("alg.yaml:4: task.eval_inputs entries must be in [16,"));
  // a model of another family is rejected by name
  Config cfg = Config::parse("seed: 1\ntask: {name: copy, val_size: 2}\nmodel: {name: kv_attention}\n", "m.yaml");
  CHECK_THROWS_WITH(build_problem(cfg), Catch::Contains("needs a kv_retrieval task, got a bit_sequence task"));
  Config bad = Config::parse("seed: 1\ntask: {name: copy, val_size: 2}\nmodel:\n  name: lstm_seq\n  controller: {name: lstm, hiden: 8}\n",
                             "m.yaml");
  CHECK_THROWS_WITH(build_problem(bad), Catch::Contains("m.yaml:5") && Catch::Contains("hiden"));
}

TEST_CASE("lstm_seq reports every split and learns copy at lengths 1..3", "[algorithmic][lstm_seq][train]") {
  const auto t0 = std::chrono::steady_clock::now();
  Config cfg = Config::parse(R"(seed: 0
task: {name: copy, min_length: 1, max_length: 3, eval_lengths: [6], val_size: 64, eval_size: 16}
model:
  name: lstm_seq
  controller: {name: lstm, hidden: 32}
)", "copy.yaml");
  Built b = build_problem(cfg);
  Model& model = *b.model;
  ThreadPool pool(1);
  const Metrics before = model.evaluate("val", pool);
  CHECK(before.count("loss") == 1);
  CHECK(before.count("bits_per_seq") == 1);
  CHECK(before.count("error") == 1);
  CHECK(model.evaluate("len6", pool).count("bits_per_seq") == 1);
  CHECK_THROWS_WITH(model.evaluate("len7", pool), Catch::Contains("unknown split"));

  const ParameterList<float> params = model.named_parameters();
  Adam<float> opt(params, AdamOptions{0.01});
  const std::uint64_t batch = 16;
  Metrics after;
  for (std::uint64_t step = 0; step < 1500; ++step) {
    opt.zero_grad();
    accumulate_gradients<float>(pool, params, static_cast<Index>(batch), [&](Index i) {
      Rng rng(0, "unused");  // lstm_seq draws nothing
      return scale(model.loss(step * batch + static_cast<std::uint64_t>(i), rng), 1.0f / float(batch));
    });
    clip_grad_norm(params, 10.0);
    opt.step();
    if (step % 100 == 99) {
      after = model.evaluate("val", pool);
      if (after.at("bits_per_seq") < 0.05) break;
    }
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  INFO("val after training: loss " << after.at("loss") << ", bits/seq " << after.at("bits_per_seq") << ", error "
                                   << after.at("error") << " (" << seconds << " s)");
  INFO("lstm_seq on copy 1..3: val bits/seq " << before.at("bits_per_seq") << " -> " << after.at("bits_per_seq")
                                               << ", error " << after.at("error") << " in " << seconds << " s");
  CHECK(after.at("bits_per_seq") < 0.5);
  CHECK(after.at("bits_per_seq") < before.at("bits_per_seq") / 10);
  const auto shown = model.inspect();
  REQUIRE(shown.count("val0_output") == 1);
  CHECK(shown.at("val0_output").rows() == shown.at("val0_target").rows());
  CHECK(shown.at("val0_input").cols() == 9);
  CHECK(shown.at("val0_mask").cols() == 1);
  CHECK(((shown.at("val0_output").array() >= 0) && (shown.at("val0_output").array() <= 1)).all());
}
