#include "experiments/compare.h"

#include <catch2/catch.hpp>

#include <algorithm>

using namespace engram::experiments;
using Catch::Matchers::Contains;

namespace {

RunRecord run(std::vector<std::pair<std::string, std::string>> params, std::map<std::string, double> summary) {
  static int next = 0;
  RunRecord r;
  r.id = "run" + std::to_string(next++);
  r.experiment = "babi";
  r.status = "completed";
  r.params = std::move(params);
  r.summary = std::move(summary);
  return r;
}

// Five runs, two attention scores, seeds differ within a score.
//   dot:    acc 0.90, 0.92, 0.94  -> mean 0.92, deviations -0.02, 0, 0.02,
//                                    var = 0.0008 / 2 = 0.0004, std = 0.0200
//           loss 0.30, 0.20 (seed 2 has none) -> mean 0.25, var = 0.005 / 1, std = 0.070711
//   cosine: acc 0.80, 0.84 -> mean 0.82, var = 0.0008 / 1, std = 0.028284
//           loss 0.50, 0.40 -> mean 0.45, std = 0.070711
std::vector<RunRecord> score_runs() {
  return {
      run({{"model.score", "dot"}, {"seed", "0"}}, {{"val/acc", 0.90}, {"val/loss", 0.30}}),
      run({{"model.score", "cosine"}, {"seed", "0"}}, {{"val/acc", 0.80}, {"val/loss", 0.50}}),
      run({{"model.score", "dot"}, {"seed", "1"}}, {{"val/acc", 0.92}, {"val/loss", 0.20}}),
      run({{"model.score", "cosine"}, {"seed", "1"}}, {{"val/acc", 0.84}, {"val/loss", 0.40}}),
      run({{"model.score", "dot"}, {"seed", "2"}}, {{"val/acc", 0.94}}),
  };
}

}  // namespace

TEST_CASE("markdown table: mean ± sample std per group, n shown when a metric is missing", "[compare]") {
  CompareOptions o;
  o.group_by = {"model.score"};
  o.metrics = {"val/acc", "val/loss"};
  const std::string expected =
      "| model.score | n |         val/acc |              val/loss |\n"
      "|-------------|--:|----------------:|----------------------:|\n"
      "| cosine      | 2 | 0.8200 ± 0.0283 |       0.4500 ± 0.0707 |\n"
      "| dot         | 3 | 0.9200 ± 0.0200 | 0.2500 ± 0.0707 (n=2) |\n";
  CHECK(compare_runs(score_runs(), o) == expected);

  // Empty metrics = all metrics present in any run, in name order: the same table.
  o.metrics.clear();
  CHECK(compare_runs(score_runs(), o) == expected);

  // Precision is digits after the point.
  o.metrics = {"val/acc"};
  o.precision = 2;
  CHECK(compare_runs(score_runs(), o) ==
        "| model.score | n |     val/acc |\n"
        "|-------------|--:|------------:|\n"
        "| cosine      | 2 | 0.82 ± 0.03 |\n"
        "| dot         | 3 | 0.92 ± 0.02 |\n");
}

TEST_CASE("csv table: <metric>_mean and <metric>_std columns", "[compare]") {
  CompareOptions o;
  o.group_by = {"model.score"};
  o.format = "csv";
  CHECK(compare_runs(score_runs(), o) ==
        "model.score,n,val/acc_mean,val/acc_std,val/loss_mean,val/loss_std\n"
        "cosine,2,0.8200,0.0283,0.4500,0.0707\n"
        "dot,3,0.9200,0.0200,0.2500,0.0707\n");
}

TEST_CASE("a single run shows just the mean, no group_by makes one group", "[compare]") {
  // acc 0.7 alone: no std. All five runs of score_runs in one group:
  //   acc 0.90 0.80 0.92 0.84 0.94: mean 4.40 / 5 = 0.88; deviations .02 -.08 .04 -.04 .06,
  //   squares .0004 .0064 .0016 .0016 .0036 = .0136, var = .0136 / 4 = .0034, std = 0.058310
  CompareOptions o;
  o.metrics = {"val/acc"};
  CHECK(compare_runs({run({{"seed", "0"}}, {{"val/acc", 0.7}})}, o) ==
        "| n | val/acc |\n"
        "|--:|--------:|\n"
        "| 1 |  0.7000 |\n");
  CHECK(compare_runs(score_runs(), o) ==
        "| n |         val/acc |\n"
        "|--:|----------------:|\n"
        "| 5 | 0.8800 ± 0.0583 |\n");
  o.format = "csv";
  CHECK(compare_runs({run({{"seed", "0"}}, {{"val/acc", 0.7}})}, o) == "n,val/acc_mean,val/acc_std\n1,0.7000,\n");
}

TEST_CASE("grouping by two keys orders numeric values numerically", "[compare]") {
  // slots 10, 2, 32 (as strings "10" < "2" < "32", numerically 2 < 10 < 32) x hops 1, 3.
  //   (2, 1):  recall 0.50, 0.60 -> mean 0.55, std sqrt(0.005) = 0.0707
  //   (2, 3):  recall 0.70       -> mean 0.70
  //   (10, 1): recall 0.80, 0.90 -> mean 0.85, std 0.0707
  //   (32, 3): recall 1.00, 1.00 -> mean 1.00, std 0
  std::vector<RunRecord> runs = {
      run({{"memory.slots", "10"}, {"model.hops", "1"}, {"seed", "0"}}, {{"recall", 0.80}}),
      run({{"memory.slots", "32"}, {"model.hops", "3"}, {"seed", "0"}}, {{"recall", 1.00}}),
      run({{"memory.slots", "2"}, {"model.hops", "3"}, {"seed", "0"}}, {{"recall", 0.70}}),
      run({{"memory.slots", "2"}, {"model.hops", "1"}, {"seed", "0"}}, {{"recall", 0.50}}),
      run({{"memory.slots", "10"}, {"model.hops", "1"}, {"seed", "1"}}, {{"recall", 0.90}}),
      run({{"memory.slots", "2"}, {"model.hops", "1"}, {"seed", "1"}}, {{"recall", 0.60}}),
      run({{"memory.slots", "32"}, {"model.hops", "3"}, {"seed", "1"}}, {{"recall", 1.00}}),
  };
  CompareOptions o;
  o.group_by = {"memory.slots", "model.hops"};
  CHECK(compare_runs(runs, o) ==
        "| memory.slots | model.hops | n |          recall |\n"
        "|--------------|------------|--:|----------------:|\n"
        "| 2            | 1          | 2 | 0.5500 ± 0.0707 |\n"
        "| 2            | 3          | 1 |          0.7000 |\n"
        "| 10           | 1          | 2 | 0.8500 ± 0.0707 |\n"
        "| 32           | 3          | 2 | 1.0000 ± 0.0000 |\n");
  o.format = "csv";
  o.precision = 3;
  CHECK(compare_runs(runs, o) ==
        "memory.slots,model.hops,n,recall_mean,recall_std\n"
        "2,1,2,0.550,0.071\n"
        "2,3,1,0.700,\n"
        "10,1,2,0.850,0.071\n"
        "32,3,2,1.000,0.000\n");
}

TEST_CASE("numbers sort before words, runs lacking a group key sort last", "[compare]") {
  std::vector<RunRecord> runs = {
      run({{"lr", "sched"}}, {{"acc", 0.1}}),
      run({{"lr", "1e-3"}}, {{"acc", 0.2}}),
      run({{"seed", "0"}}, {{"acc", 0.3}}),  // no "lr"
      run({{"lr", "0.01"}}, {{"acc", 0.4}}),
      run({{"lr", "-1"}}, {{"acc", 0.5}}),
  };
  CompareOptions o;
  o.group_by = {"lr"};
  o.format = "csv";
  o.precision = 1;
  CHECK(compare_runs(runs, o) ==
        "lr,n,acc_mean,acc_std\n"
        "-1,1,0.5,\n"
        "1e-3,1,0.2,\n"
        "0.01,1,0.4,\n"
        "sched,1,0.1,\n"
        ",1,0.3,\n");
}

TEST_CASE("a metric no run of a group has is shown as missing", "[compare]") {
  // group a: x 1, 2 -> 1.5 ± 0.7071; y only in the first run -> 10 (n=1)
  // group b: x 4 alone; y in no run -> em dash / empty
  std::vector<RunRecord> runs = {
      run({{"g", "a"}}, {{"x", 1.0}, {"y", 10.0}}),
      run({{"g", "a"}}, {{"x", 2.0}}),
      run({{"g", "b"}}, {{"x", 4.0}}),
  };
  CompareOptions o;
  o.group_by = {"g"};
  o.precision = 2;
  CHECK(compare_runs(runs, o) ==
        "| g | n |           x |           y |\n"
        "|---|--:|------------:|------------:|\n"
        "| a | 2 | 1.50 ± 0.71 | 10.00 (n=1) |\n"
        "| b | 1 |        4.00 |           — |\n");
  o.format = "csv";
  CHECK(compare_runs(runs, o) ==
        "g,n,x_mean,x_std,y_mean,y_std\n"
        "a,2,1.50,0.71,10.00,\n"
        "b,1,4.00,,,\n");
}

TEST_CASE("cells are escaped for markdown and quoted for csv", "[compare]") {
  std::vector<RunRecord> runs = {run({{"task", "a|b, \"c\""}}, {{"acc", 0.5}})};
  CompareOptions o;
  o.group_by = {"task"};
  o.precision = 1;
  CHECK(compare_runs(runs, o) ==
        "| task      | n | acc |\n"
        "|-----------|--:|----:|\n"
        "| a\\|b, \"c\" | 1 | 0.5 |\n");
  o.format = "csv";
  CHECK(compare_runs(runs, o) == "task,n,acc_mean,acc_std\n\"a|b, \"\"c\"\"\",1,0.5,\n");
}

TEST_CASE("unknown group_by keys, metrics and options are errors naming them", "[compare]") {
  CompareOptions o;
  o.group_by = {"model.scroe"};
  CHECK_THROWS_AS(compare_runs(score_runs(), o), std::invalid_argument);
  CHECK_THROWS_WITH(compare_runs(score_runs(), o),
                    Contains("'model.scroe'") && Contains("model.score, seed"));
  o.group_by = {"model.score"};
  o.metrics = {"val/accuracy"};
  CHECK_THROWS_WITH(compare_runs(score_runs(), o), Contains("'val/accuracy'") && Contains("val/acc, val/loss"));
  o.metrics.clear();
  o.format = "latex";
  CHECK_THROWS_WITH(compare_runs(score_runs(), o), Contains("latex"));
  o.format = "csv";
  o.precision = -1;
  CHECK_THROWS_AS(compare_runs(score_runs(), o), std::invalid_argument);
  o.precision = 4;
  CHECK_THROWS_WITH(compare_runs({}, o), Contains("no runs"));
}

TEST_CASE("best: each group shows its best run by one metric (random restarts)", "[compare]") {
  CompareOptions o;
  o.group_by = {"model.score"};
  o.metrics = {"val/acc", "val/loss"};
  o.best = "val/acc:max";
  // dot: best acc 0.94 is seed 2, which has no loss; cosine: 0.84 (seed 1, loss 0.40)
  CHECK(compare_runs(score_runs(), o) ==
        "| model.score | n | val/acc | val/loss |\n"
        "|-------------|--:|--------:|---------:|\n"
        "| cosine      | 2 |  0.8400 |   0.4000 |\n"
        "| dot         | 3 |  0.9400 |        — |\n");
  o.best = "val/loss:min";  // runs without the metric are skipped
  o.metrics = {"val/acc"};
  CHECK(compare_runs(score_runs(), o) ==
        "| model.score | n | val/acc |\n"
        "|-------------|--:|--------:|\n"
        "| cosine      | 2 |  0.8400 |\n"
        "| dot         | 3 |  0.9200 |\n");
  o.best = "val/acc:median";
  CHECK_THROWS_WITH(compare_runs(score_runs(), o), Contains("METRIC:min or METRIC:max"));
  o.best = "val/accuracy:max";
  CHECK_THROWS_WITH(compare_runs(score_runs(), o), Contains("unknown metric 'val/accuracy'"));
}

TEST_CASE("best: a tie goes to the lower seed whatever order the runs finished in", "[compare]") {
  // three restarts at 0 training error, their validation errors differ; parallel workers finish
  // them in any order, and the table must not change with it
  std::vector<RunRecord> runs = {
      run({{"seed", "2"}}, {{"train/error", 0.0}, {"val/error", 0.07}}),
      run({{"seed", "10"}}, {{"train/error", 0.0}, {"val/error", 0.05}}),
      run({{"seed", "1"}}, {{"train/error", 0.0}, {"val/error", 0.03}}),
      run({{"seed", "0"}}, {{"train/error", 0.1}, {"val/error", 0.01}}),
  };
  CompareOptions o;
  o.group_by = {};
  o.metrics = {"val/error"};
  o.best = "train/error:min";
  o.format = "csv";
  const std::string want = compare_runs(runs, o);
  CHECK_THAT(want, Contains("0.03"));  // seed 1, not seed 2 (listed first) nor 10 (10 > 2 as a number)
  std::sort(runs.begin(), runs.end(), [](const RunRecord& a, const RunRecord& b) { return a.id > b.id; });
  CHECK(compare_runs(runs, o) == want);
  std::rotate(runs.begin(), runs.begin() + 1, runs.end());
  CHECK(compare_runs(runs, o) == want);
}
