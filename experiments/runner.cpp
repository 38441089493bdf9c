#include "experiments/runner.h"

#include "experiments/progress.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <iomanip>
#include <sstream>

namespace engram::experiments {

void register_builtins();

namespace fs = std::filesystem;

Built build_problem(Config& cfg) {
  register_builtins();
  Section root = cfg.root();
  const std::uint64_t seed = cfg.seed();
  (void)root.integer("seed");
  (void)root.string("name", "");
  (void)root.string("description", "");
  Built b;
  Section task_cfg = root.section("task");
  b.task = lookup_component(tasks(), task_cfg)(task_cfg, Rng(seed, "task"));
  Section model_cfg = root.section("model");
  Rng model_rng(seed, "model");
  b.model = lookup_component(models(), model_cfg)(model_cfg, *b.task, model_rng);
  b.trainer = read_trainer_options(root.section("trainer"), *b.task);
  return b;
}

namespace {

std::string status_line(double loss, const Metrics* eval, const std::string& metric) {
  std::ostringstream ss;
  ss << std::fixed << std::setprecision(4) << "loss " << loss;
  if (eval) {
    auto it = eval->find(metric);
    if (it != eval->end()) ss << "  " << metric << " " << it->second;
  }
  return ss.str();
}

std::string summary_json(const TrainResult& r, const std::string& experiment, std::uint64_t seed) {
  nlohmann::json j;
  j["experiment"] = experiment;
  j["seed"] = seed;
  j["status"] = r.status;
  j["steps"] = r.step;
  j["best_step"] = r.best_step;
  j["seconds"] = r.seconds;
  j["final"] = nlohmann::json::object();
  for (const auto& [k, v] : r.final_metrics) j["final"][k] = v;
  j["best"] = nlohmann::json::object();
  for (const auto& [k, v] : r.best_metrics) j["best"][k] = v;
  if (!r.message.empty()) j["message"] = r.message;
  return j.dump(2) + "\n";
}

std::string join_lines(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += x + "\n";
  return s;
}

}  // namespace

RunOutcome run_experiment(const RunRequest& req, std::ostream& out) {
  const bool resume = !req.resume.empty();
  Config cfg = resume ? Config::load(req.resume + "/config.yaml") : Config::load(req.config, req.overrides);
  Built built = build_problem(cfg);
  // Every section has been read: anything left over is a typo.
  Section root = cfg.root();
  root.section("task").finish();
  root.section("model").finish();
  root.finish();

  const std::string experiment = cfg.experiment_name();
  std::string resolved = cfg.to_yaml();
  if (!resolved.empty() && resolved.back() != '\n') resolved += '\n';
  const std::string config_hash = hash_hex(resolved, 16);
  const std::string dir_path = resume ? req.resume
                               : !req.out.empty() ? req.out
                                                  : default_run_path(req.runs_root, experiment, config_hash);
  RunDir dir(dir_path, resume);
  if (!resume) {
    dir.write_text("config.yaml", resolved);
    dir.write_text("overrides.txt", join_lines(req.overrides));
    dir.write_text("meta.json", build_meta_json(cfg.seed(), built.trainer.threads));
  }
  fs::create_directories(req.runs_root);
  ResultsIndex index(req.runs_root + "/index.sqlite");
  RunRecord rec;
  rec.id = fs::path(dir_path).filename().string();
  rec.experiment = experiment;
  rec.dir = fs::absolute(dir_path).lexically_normal().string();
  rec.status = "running";
  rec.started = utc_timestamp_iso();
  rec.config_hash = config_hash;
  rec.params = cfg.flatten();
  index.upsert(rec);

  Trainer trainer(*built.model, *built.task, built.trainer, cfg.section("trainer"), dir, cfg.seed());
  std::unique_ptr<Progress> bar;
  if (req.progress)
    bar = std::make_unique<Progress>(out, stdout_is_terminal(), experiment, built.trainer.steps);
  trainer.on_progress = [&](const TrainProgress& p) {
    if (bar) bar->update(p.step, status_line(p.loss, p.eval, built.trainer.stop_metric), p.eval != nullptr);
    if (p.step == req.interrupt_after_step) request_interrupt();
  };
  TrainResult result;
  try {
    result = trainer.run(resume);
    if (req.interrupt_after_step) clear_interrupt();
  } catch (const std::exception& e) {
    if (bar) bar->finish();
    rec.status = "failed";
    rec.finished = utc_timestamp_iso();
    rec.error = e.what();
    index.upsert(rec);
    dir.log(std::string("error: ") + e.what());
    throw;
  }
  if (bar) bar->finish();
  if (result.status != "failed") {
    NoGradGuard no_grad;
    for (const auto& [name, m] : built.model->inspect()) dir.save_npy("inspect/" + name, m);
  }
  dir.write_text("summary.json", summary_json(result, experiment, cfg.seed()));

  rec.status = result.status == "stopped_early" ? "completed" : result.status;
  rec.finished = utc_timestamp_iso();
  rec.error = result.status == "failed" ? result.message : "";
  rec.summary.clear();
  for (const auto& [k, v] : result.final_metrics) rec.summary["final/" + k] = v;
  for (const auto& [k, v] : result.best_metrics) rec.summary["best/" + k] = v;
  rec.summary["steps"] = double(result.step);
  rec.summary["seconds"] = result.seconds;
  index.upsert(rec);

  RunOutcome o;
  o.dir = dir_path;
  o.status = result.status;
  o.result = result;
  o.exit_code = result.status == "failed" ? 1 : result.status == "interrupted" ? 130 : 0;
  if (!result.message.empty()) out << result.message << "\n";
  return o;
}

}  // namespace engram::experiments
