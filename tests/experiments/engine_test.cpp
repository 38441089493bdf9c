// The experiment engine end to end: reproducibility, resumption, failure handling, bad input.
#include "core/allocator.h"
#include "core/checkpoint.h"
#include "experiments/cli.h"
#include "experiments/results_index.h"
#include "experiments/runner.h"

#include "tests/test_util.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace engram;
using namespace engram::experiments;
namespace fs = std::filesystem;

namespace {

struct TempDir : engram::test::TempDir {
  TempDir() : engram::test::TempDir("engram-engine") {}
};
using engram::test::slurp;

const char* kConfig = R"(name: kvtest
seed: 3
task: {name: kv_retrieval, pairs: 6, key_dim: 8, classes: 5, noise: 0.3, val_size: 64}
model: {name: kv_attention, hidden: 16}
trainer:
  steps: 80
  batch: 8
  threads: 1
  eval_every: 20
  log_every: 5
  clip_norm: 5
  optimizer: {name: adam, lr: 0.01}
  schedule: {name: step, every: 30, gamma: 0.5}
)";

fs::path write_config(const TempDir& d, const std::string& text = kConfig, const std::string& name = "kv.yaml") {
  const fs::path p = d.path / name;
  std::ofstream(p) << text;
  return p;
}

RunOutcome run(const TempDir& d, const std::string& out, std::vector<std::string> overrides = {},
               std::uint64_t interrupt_after = 0) {
  RunRequest r;
  r.config = (d.path / "kv.yaml").string();
  r.overrides = std::move(overrides);
  r.out = (d.path / out).string();
  r.runs_root = (d.path / "runs").string();
  r.progress = false;
  r.interrupt_after_step = interrupt_after;
  std::ostringstream sink;
  return run_experiment(r, sink);
}

int cli(std::vector<std::string> args, std::string* out = nullptr, std::string* err = nullptr) {
  std::vector<char*> argv;
  static std::string prog = "engram";
  argv.push_back(prog.data());
  for (auto& a : args) argv.push_back(a.data());
  std::ostringstream o, e;
  const int code = cli_main(static_cast<int>(argv.size()), argv.data(), o, e);
  if (out) *out = o.str();
  if (err) *err = e.str();
  return code;
}

}  // namespace

TEST_CASE("the same config and seed give identical metrics and checkpoints", "[engine][determinism]") {
  TempDir d;
  write_config(d);
  const auto a = run(d, "a");
  const auto b = run(d, "b");
  REQUIRE(a.status == "completed");
  CHECK(slurp(d.path / "a/metrics.jsonl") == slurp(d.path / "b/metrics.jsonl"));
  CHECK(slurp(d.path / "a/checkpoints/last.ck") == slurp(d.path / "b/checkpoints/last.ck"));
  CHECK(slurp(d.path / "a/config.yaml") == slurp(d.path / "b/config.yaml"));
  // meta.json names the allocator the numbers were timed with
  CHECK_THAT(slurp(d.path / "a/meta.json"), Catch::Contains("\"allocator\": \"" + engram::allocator_name() + "\""));
  // and it learned something: accuracy well above chance (1/5)
  CHECK(a.result.final_metrics.at("val/accuracy") > 0.6);
  // another seed gives other numbers
  run(d, "c", {"seed=4"});
  CHECK(slurp(d.path / "a/metrics.jsonl") != slurp(d.path / "c/metrics.jsonl"));
}

TEST_CASE("1 and 2 threads give identical results", "[engine][determinism]") {
  TempDir d;
  write_config(d);
  run(d, "one", {"trainer.threads=1"});
  run(d, "two", {"trainer.threads=2"});
  CHECK(slurp(d.path / "one/metrics.jsonl") == slurp(d.path / "two/metrics.jsonl"));
  CHECK(slurp(d.path / "one/checkpoints/last.ck") == slurp(d.path / "two/checkpoints/last.ck"));
}

TEST_CASE("a run interrupted halfway and resumed matches the uninterrupted run exactly", "[engine][resume]") {
  TempDir d;
  write_config(d);
  run(d, "full");
  for (std::uint64_t at : {std::uint64_t{37}, std::uint64_t{40}}) {  // between and at evaluations
    const std::string name = "cut" + std::to_string(at);
    const auto cut = run(d, name, {}, at);
    REQUIRE(cut.status == "interrupted");
    CHECK(cut.exit_code == 130);
    CHECK(cut.result.step == at);
    // resume (from the directory alone: config.yaml is the resolved config)
    RunRequest r;
    r.resume = (d.path / name).string();
    r.runs_root = (d.path / "runs").string();
    r.progress = false;
    std::ostringstream sink;
    const auto resumed = run_experiment(r, sink);
    REQUIRE(resumed.status == "completed");
    CHECK(slurp(d.path / name / "metrics.jsonl") == slurp(d.path / "full/metrics.jsonl"));
    CHECK(slurp(d.path / name / "checkpoints/last.ck") == slurp(d.path / "full/checkpoints/last.ck"));
    CHECK(slurp(d.path / name / "checkpoints/best.ck") == slurp(d.path / "full/checkpoints/best.ck"));
  }
  ResultsIndex index((d.path / "runs/index.sqlite").string());
  CHECK(index.get("cut37")->status == "completed");
}

TEST_CASE("a NaN loss stops the run and keeps the last good checkpoint", "[engine][failure]") {
  TempDir d;
  write_config(d);
  const auto r = run(d, "nan", {"trainer.optimizer={name: sgd, lr: 1e30}", "trainer.clip_norm=0",
                                "trainer.eval_every=1"});
  REQUIRE(r.status == "failed");
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.result.message, Catch::Contains("NaN") || Catch::Contains("infinite"));
  CHECK_THAT(r.result.message, Catch::Contains("last.ck"));
  const Checkpoint ck = Checkpoint::load((d.path / "nan/checkpoints/last.ck").string());
  const auto st = ck.get_u64s("trainer/state");
  CHECK(st[0] >= 1);
  CHECK(st[0] < 80);
  ResultsIndex index((d.path / "runs/index.sqlite").string());
  const auto rec = index.get("nan");
  REQUIRE(rec);
  CHECK(rec->status == "failed");
  CHECK_THAT(rec->error, Catch::Contains("loss"));
}

TEST_CASE("bad input exits with status 2 and names the key and file:line", "[engine][errors]") {
  TempDir d;
  const auto cfg = write_config(d).string();
  const std::string root = (d.path / "runs").string();
  std::string out, err;
  struct Case {
    std::vector<std::string> args;
    std::vector<std::string> expect;
  };
  std::vector<Case> cases = {
      {{"run", cfg, "model.hiden=3"}, {"model.hiden", "did you mean model.hidden"}},
      {{"run", cfg, "trainer.batch=abc"}, {"trainer.batch", "abc"}},
      {{"run", cfg, "trainer.batch=0"}, {"override 'trainer.batch=0'", "must be in [1, "}},
      {{"run", cfg, "model.hidden"}, {"model.hidden", "key=value"}},
      {{"run", (d.path / "missing.yaml").string()}, {"missing.yaml"}},
      {{"run", cfg, "task.name=kv_retreival"}, {"override 'task.name=kv_retreival'", "did you mean 'kv_retrieval'"}},
      {{"run", cfg, "trainer.optimizer.name=adamw"}, {"trainer.optimizer.name", "did you mean adam"}},
      {{"run", cfg, "+trainer.early_stopping={metric: val/acc}"}, {"val/acc", "val/accuracy"}},
      {{"run", cfg, "trainer.schedule={name: multistep, milestones: [30, 20]}"}, {"trainer.schedule.milestones", "must increase"}},
      {{"run", cfg, "trainer.schedule={name: multistep, milestones: [a]}"}, {"trainer.schedule.milestones", "positive integers"}},
      {{"run", cfg, "trainer.schedule={name: multistep}"}, {"trainer.schedule.milestones", "at least one"}},
  };
  for (auto& c : cases) {
    c.args.push_back("--runs-root");
    c.args.push_back(root);
    INFO(c.args[2]);
    CHECK(cli(c.args, &out, &err) == 2);
    for (const auto& e : c.expect) CHECK_THAT(err, Catch::Contains(e));
  }
  // an unknown key in the file itself names its line
  write_config(d, std::string(kConfig) + "extra_key: 1\n", "typo.yaml");
  CHECK(cli({"run", (d.path / "typo.yaml").string(), "--runs-root", root}, &out, &err) == 2);
  CHECK_THAT(err, Catch::Contains("typo.yaml:14") && Catch::Contains("extra_key"));
  // a bad value in the file names the file and line of that value
  std::string bad = kConfig;
  bad.replace(bad.find("batch: 8"), 8, "batch: -3");
  write_config(d, bad, "bad.yaml");
  CHECK(cli({"run", (d.path / "bad.yaml").string(), "--runs-root", root}, &out, &err) == 2);
  CHECK_THAT(err, Catch::Contains("bad.yaml:7") && Catch::Contains("trainer.batch") && Catch::Contains("-3"));
  // nothing was recorded as a successful run
  if (fs::exists(d.path / "runs/index.sqlite")) {
    ResultsIndex index((d.path / "runs/index.sqlite").string());
    CHECK(index.list({"", "completed", {}}).empty());
  }
}

TEST_CASE("engram list prints registered names with descriptions", "[engine][cli]") {
  std::string out;
  CHECK(cli({"list", "tasks"}, &out) == 0);
  CHECK_THAT(out, Catch::Contains("kv_retrieval"));
  CHECK(cli({"list", "models"}, &out) == 0);
  CHECK_THAT(out, Catch::Contains("kv_attention"));
  CHECK(cli({"list", "optimizers"}, &out) == 0);
  CHECK_THAT(out, Catch::Contains("rmsprop"));
  std::string err;
  CHECK(cli({"list", "widgets"}, &out, &err) == 2);
}

#ifdef ENGRAM_BINARY
TEST_CASE("multirun runs the cartesian product in worker processes, compare groups it", "[engine][multirun]") {
  TempDir d;
  const auto cfg = write_config(d).string();
  const std::string root = (d.path / "runs").string();
  const std::string cmd = std::string(ENGRAM_BINARY) + " run -m " + cfg + " seed=0,1 model.hidden=8,16 --jobs 2 --runs-root " +
                          root + " > " + (d.path / "out.txt").string() + " 2>&1";
  REQUIRE(std::system(cmd.c_str()) == 0);
  ResultsIndex index(root + "/index.sqlite");
  const auto runs = index.list({"kvtest", "completed", {}});
  CHECK(runs.size() == 4);
  CHECK(index.list({"kvtest", "completed", {{"model.hidden", "16"}, {"seed", "1"}}}).size() == 1);
  std::string out;
  CHECK(cli({"compare", "--runs-root", root, "--by", "model.hidden", "--metric", "final/val/accuracy"}, &out) == 0);
  CHECK_THAT(out, Catch::Contains("model.hidden") && Catch::Contains("| 8 ") && Catch::Contains("| 16 "));
  CHECK(cli({"compare", "--runs-root", root, "--by", "model.hidden", "--format", "csv"}, &out) == 0);
  CHECK_THAT(out, Catch::Contains("final/val/accuracy_mean"));
  CHECK(cli({"ls", "--runs-root", root, "--param", "model.hidden=8"}, &out) == 0);
  CHECK(std::count(out.begin(), out.end(), '\n') == 3);  // header + 2 runs

  // the same sweep again, widened by one seed: only the new combinations run
  const std::string again = std::string(ENGRAM_BINARY) + " run -m " + cfg + " seed=0,1,2 model.hidden=8,16 --jobs 2 --runs-root " +
                            root + " > " + (d.path / "again.txt").string() + " 2>&1";
  REQUIRE(std::system(again.c_str()) == 0);
  CHECK_THAT(slurp(d.path / "again.txt"), Catch::Contains("4 of 6 runs already completed"));
  CHECK(index.list({"kvtest", "completed", {}}).size() == 6);
}

TEST_CASE("SIGINT writes a checkpoint and exits cleanly", "[engine][signal]") {
  TempDir d;
  const auto cfg = write_config(d).string();
  const std::string out_dir = (d.path / "long").string();
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::freopen("/dev/null", "w", stdout);
    ::execl(ENGRAM_BINARY, ENGRAM_BINARY, "run", cfg.c_str(), "trainer.steps=100000000", "trainer.eval_every=10",
            "--out", out_dir.c_str(), "--runs-root", (d.path / "runs").string().c_str(), "--no-progress",
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  // wait until the run has written its first checkpoint, then interrupt it
  for (int i = 0; i < 600 && !fs::exists(out_dir + "/checkpoints/last.ck"); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  REQUIRE(fs::exists(out_dir + "/checkpoints/last.ck"));
  ::kill(pid, SIGINT);
  int status = 0;
  ::waitpid(pid, &status, 0);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 130);
  const Checkpoint ck = Checkpoint::load(out_dir + "/checkpoints/last.ck");
  CHECK(ck.get_u64s("trainer/state")[0] > 0);
  CHECK_THAT(slurp(out_dir + "/summary.json"), Catch::Contains("interrupted"));
  ResultsIndex index((d.path / "runs/index.sqlite").string());
  CHECK(index.get("long")->status == "interrupted");
}
#endif

TEST_CASE("a sequence model assembled from registered encoder and pooler names trains from YAML", "[engine][attention]") {
  TempDir d;
  write_config(d, R"(name: seqtest
seed: 1
task: {name: kv_sequence, format: pairs, pairs: 4, keys: 8, values: 4, val_size: 128}
model:
  name: seq_classifier
  d_model: 16
  encoder: {name: self_attention, heads: 2, positional: none}
  pooling: {name: last}
trainer: {steps: 600, batch: 16, threads: 1, eval_every: 300, optimizer: {name: adam, lr: 0.003}}
)", "seq.yaml");
  RunRequest r;
  r.config = (d.path / "seq.yaml").string();
  r.out = (d.path / "seq").string();
  r.runs_root = (d.path / "runs").string();
  r.progress = false;
  std::ostringstream sink;
  const auto o = run_experiment(r, sink);
  REQUIRE(o.status == "completed");
  CHECK(o.result.best_metrics.at("val/accuracy") > 0.8);  // chance is 0.25
  CHECK(fs::exists(d.path / "seq/inspect/val_pooling.npy"));
  CHECK(fs::exists(d.path / "seq/inspect/val0_self_attention.npy"));
  // a typo in the encoder's options names the file and line
  std::string out, err;
  CHECK(cli({"run", r.config, "model.encoder={name: transformer, layrs: 2}", "--runs-root", r.runs_root}, &out, &err) == 2);
  CHECK_THAT(err, Catch::Contains("model.encoder.layrs") && Catch::Contains("did you mean layers"));
  CHECK(cli({"list", "encoders"}, &out) == 0);
  CHECK_THAT(out, Catch::Contains("transformer") && Catch::Contains("self_attention"));
}

TEST_CASE("early_stopping.min_epochs: evaluations of the first epochs do not count toward the patience", "[engine][early_stopping]") {
  TempDir d;
  // lr 1e-12: the validation error never changes after the first evaluation, so patience 1 stops at the second
  write_config(d, "name: es\nseed: 1\ntask: {name: babi, data: {generate: {stories: 40}}}\n"
                  "model: {name: memn2n, dim: 8, hops: 1}\n"
                  "trainer: {epochs: 20, batch: 8, eval_every: epoch, log_every: epoch, optimizer: {name: sgd, lr: 1e-12},"
                  " early_stopping: {metric: val/error, patience: 1}}\n");
  const RunOutcome plain = run(d, "plain");
  REQUIRE(plain.result.status == "stopped_early");
  const std::uint64_t per_epoch = plain.result.step / 2;  // stopped at the end of epoch 2
  REQUIRE(per_epoch > 0);
  CHECK(plain.result.step == 2 * per_epoch);
  const RunOutcome late = run(d, "late", {"+trainer.early_stopping.min_epochs=5"});
  CHECK(late.result.status == "stopped_early");
  CHECK(late.result.step == 5 * per_epoch);  // the first evaluation that counts, at epoch 5, ends it
  std::string err;
  CHECK(cli({"run", (d.path / "kv.yaml").string(), "+trainer.early_stopping.min_epochs=-1"}, nullptr, &err) == 2);
  CHECK_THAT(err, Catch::Contains("trainer.early_stopping.min_epochs must be >= 0"));
}

TEST_CASE("trainer.eval_train: the training split evaluated beside val, without changing the training", "[engine][eval_train]") {
  TempDir d;
  write_config(d, "name: et\nseed: 2\ntask: {name: babi, data: {generate: {stories: 20}}}\n"
                  "model: {name: memn2n, dim: 8, hops: 1}\n"
                  "trainer: {epochs: 4, batch: 8, eval_every: epoch, log_every: epoch, optimizer: {name: adam, lr: 0.02},"
                  " early_stopping: {metric: val/error}}\n");
  const RunOutcome plain = run(d, "plain");
  const RunOutcome with = run(d, "with", {"+trainer.eval_train=true"});
  REQUIRE(with.result.status == "completed");
  // every val metric identical: evaluating the training split draws nothing from training's streams
  for (const auto& [k, v] : plain.result.final_metrics) CHECK(with.result.final_metrics.at(k) == v);
  CHECK(plain.result.final_metrics.count("train/error") == 0);
  const double train_error = with.result.final_metrics.at("train/error");
  CHECK(train_error == Approx(1 - with.result.final_metrics.at("train/accuracy")));
  // one train/error record per evaluation (step 0 is not evaluated), the last one the final metric
  std::vector<double> logged;
  std::istringstream lines(slurp(d.path / "with/metrics.jsonl"));
  for (std::string line; std::getline(lines, line);)
    if (line.find("\"name\":\"error\",\"split\":\"train\"") != std::string::npos)
      logged.push_back(std::stod(line.substr(line.rfind(':') + 1)));
  REQUIRE(logged.size() == 4);
  CHECK(logged.back() == Approx(train_error));
  // selection on it: the best checkpoint is the evaluation with the lowest training error
  const RunOutcome sel = run(d, "sel", {"+trainer.eval_train=true", "trainer.early_stopping.metric=train/error"});
  CHECK(sel.result.best_metrics.at("train/error") == Approx(*std::min_element(logged.begin(), logged.end())));
  std::string err;
  CHECK(cli({"run", (d.path / "kv.yaml").string(), "+trainer.eval_train=maybe"}, nullptr, &err) == 2);
  CHECK_THAT(err, Catch::Contains("trainer.eval_train"));
}

TEST_CASE("trainer.clip_mode spectral clips each parameter on its own, and changes the training", "[engine][clip]") {
  TempDir d;
  write_config(d);
  const RunOutcome global = run(d, "global", {"trainer.clip_norm=0.05", "trainer.steps=20"});
  const RunOutcome spectral = run(d, "spectral", {"trainer.clip_norm=0.05", "trainer.steps=20", "+trainer.clip_mode=spectral"});
  const RunOutcome named = run(d, "named", {"trainer.clip_norm=0.05", "trainer.steps=20", "+trainer.clip_mode=global"});
  CHECK(named.result.final_metrics == global.result.final_metrics);  // global is the default
  CHECK(spectral.result.final_metrics.at("val/loss") != global.result.final_metrics.at("val/loss"));
  std::string err;
  CHECK(cli({"run", (d.path / "kv.yaml").string(), "+trainer.clip_mode=frobenius"}, nullptr, &err) == 2);
  CHECK_THAT(err, Catch::Contains("trainer.clip_mode must be one of global, spectral"));
}
