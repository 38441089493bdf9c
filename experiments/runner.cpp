#include "experiments/runner.h"

#include "core/op_count.h"

#include "experiments/progress.h"
#include "experiments/run_state.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <iomanip>
#include <optional>
#include <sstream>

namespace engram::experiments {

namespace fs = std::filesystem;

Built build_problem(Config& cfg) {
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

// The multiply-adds of one training example's forward pass and loss (core/op_count.h), what a
// comparison reports as the model's cost beside its parameters; -1 when the model cannot give
// one (no training example).
double forward_multiply_adds(const Model& model) {
  try {
    Rng rng(0, "op-count");
    return count_operations(model.loss(0, rng)).multiply_adds;
  } catch (const std::exception&) {
    return -1;
  }
}


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

// Heat maps of the inspect arrays, <name>.png and .svg next to each <name>.npy, drawn by the
// plotter of the studies (study.h: plot_python, plot_script); returns the line to log, which
// says why when they are not drawn (no Python, no matplotlib: the run is unaffected).
std::string draw_heat_maps(const std::vector<std::string>& npy_files, const std::string& log_file) {
  const auto quote = [](const std::string& s) {
    std::string q = "'";
    for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
  };
  const std::string script = plot_script();
  if (!fs::exists(script)) return "inspect heat maps not drawn: " + script + " not found (set ENGRAM_PLOTTER)";
  std::string cmd = quote(plot_python()) + " " + quote(script) + " --npy";
  for (const auto& f : npy_files) cmd += " " + quote(f);
  cmd += " >" + quote(log_file) + " 2>&1";
  if (std::system(cmd.c_str()) != 0)
    return "inspect heat maps not drawn (" + plot_python() + " " + script + " failed, see " + log_file + ")";
  return "inspect heat maps: " + fs::path(npy_files.front()).parent_path().string() + "/*.png (.svg)";
}

std::string join_lines(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += x + "\n";
  return s;
}

}  // namespace

namespace {

// Marks the run failed in the index and its log, as far as the disk allows: when the failure is
// the disk itself (full, read-only), these writes fail too and the original error is what the
// caller reports; the run then shows in `engram ls` as died (its lock is gone), never as running.
void record_failure(ResultsIndex& index, RunRecord& rec, RunDir& dir, const std::string& what) noexcept {
  try {
    rec.status = "failed";
    rec.finished = utc_timestamp_iso();
    rec.error = what;
    index.upsert(rec);
  } catch (...) {
  }
  try {
    dir.log("error: " + what);
  } catch (...) {
  }
}

struct StudySpec {
  std::unique_ptr<Study> study;
  int threads = 1;
};

StudySpec build_study(Config& cfg) {
  Section root = cfg.root();
  (void)root.integer("seed");
  (void)root.string("name", "");
  (void)root.string("description", "");
  Section sc = root.section("study");
  StudySpec s;
  s.threads = static_cast<int>(sc.integer("threads", 2, 1, 256));
  s.study = lookup_component(studies(), sc)(sc);
  sc.finish();
  root.finish();
  return s;
}

// What every run shares: the resolved config, its directory, its index record.
struct RunSetup {
  Config cfg;
  std::string experiment, dir_path;
  RunRecord rec;
};

RunSetup open_run(Config cfg, const RunRequest& req, bool resume, int threads, RunDir*& dir_out,
                  std::unique_ptr<RunDir>& dir_holder, std::unique_ptr<ResultsIndex>& index) {
  RunSetup s{std::move(cfg), "", "", {}};
  const std::string db = index_path(req.runs_root);  // refuses an empty root before anything is written
  s.experiment = s.cfg.experiment_name();
  const std::string resolved = resolved_yaml(s.cfg);
  const std::string config_hash = hash_hex(resolved, 16);
  s.dir_path = resume ? req.resume
               : !req.out.empty() ? req.out
                                  : default_run_path(req.runs_root, s.experiment, config_hash);
  dir_holder = std::make_unique<RunDir>(s.dir_path, resume);
  dir_out = dir_holder.get();
  if (!resume) {
    dir_out->write_text("config.yaml", resolved);
    dir_out->write_text("overrides.txt", join_lines(req.overrides));
    dir_out->write_text("meta.json", build_meta_json(s.cfg.seed(), threads));
  }
  fs::create_directories(req.runs_root);
  index = std::make_unique<ResultsIndex>(db);
  s.rec.id = fs::path(s.dir_path).filename().string();
  s.rec.experiment = s.experiment;
  s.rec.dir = fs::absolute(s.dir_path).lexically_normal().string();
  s.rec.status = "running";
  s.rec.started = utc_timestamp_iso();
  s.rec.config_hash = config_hash;
  s.rec.params = s.cfg.flatten();
  index->upsert(s.rec);
  return s;
}

RunOutcome run_study(Config cfg, const RunRequest& req, bool resume, std::ostream& out) {
  StudySpec spec = build_study(cfg);
  RunDir* dir = nullptr;
  std::unique_ptr<RunDir> dir_holder;
  std::unique_ptr<ResultsIndex> index;
  RunSetup s = open_run(std::move(cfg), req, resume, spec.threads, dir, dir_holder, index);
  ThreadPool pool(spec.threads);
  std::unique_ptr<Progress> bar;
  if (req.progress) bar = std::make_unique<Progress>(out, stdout_is_terminal(), s.experiment, spec.study->points());
  StudyContext ctx(pool, Rng(s.cfg.seed(), "study"), dir, bar.get(), spec.study->points());
  const auto t0 = std::chrono::steady_clock::now();
  RunOutcome o;
  o.dir = s.dir_path;
  nlohmann::json summary;
  summary["experiment"] = s.experiment;
  summary["seed"] = s.cfg.seed();
  try {
    const StudyResult r = spec.study->run(ctx);
    if (bar) bar->finish();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    for (const auto& line : write_study_outputs(r, *dir)) {
      dir->log(line);
      if (req.progress) out << line << "\n";
    }
    o.status = "completed";
    s.rec.summary = r.summary;
    s.rec.summary["seconds"] = seconds;
    summary["status"] = "completed";
    summary["seconds"] = seconds;
    summary["points_computed"] = ctx.computed();
    summary["summary"] = nlohmann::json::object();
    for (const auto& [k, v] : r.summary) summary["summary"][k] = v;
  } catch (const StudyInterrupted&) {
    if (bar) bar->finish();
    o.status = "interrupted";
    o.exit_code = 130;
    o.result.message = "interrupted; finished points are kept in points.jsonl: engram run --resume " + s.dir_path;
    summary["status"] = "interrupted";
    clear_interrupt();
  } catch (const std::exception& e) {
    if (bar) bar->finish();
    record_failure(*index, s.rec, *dir, e.what());
    throw;
  }
  o.result.status = o.status;
  dir->write_text("summary.json", summary.dump(2) + "\n");
  s.rec.status = o.status;
  s.rec.finished = utc_timestamp_iso();
  index->upsert(s.rec);
  if (!o.result.message.empty()) out << o.result.message << "\n";
  return o;
}

}  // namespace

bool is_study(Config& cfg) { return cfg.root().has("study"); }

std::string resolved_yaml(const Config& cfg) {
  std::string resolved = cfg.to_yaml();
  if (!resolved.empty() && resolved.back() != '\n') resolved += '\n';
  return resolved;
}

std::string config_hash(const Config& cfg) { return hash_hex(resolved_yaml(cfg), 16); }

void validate_config(Config& cfg) {
  if (is_study(cfg)) {
    build_study(cfg);
    return;
  }
  build_problem(cfg);
  Section root = cfg.root();
  root.section("task").finish();
  root.section("model").finish();
  root.finish();
}

namespace {

// A sweep's run (RunRequest::skip_done): takes the claim on its combination and decides. Returns
// an outcome when the run is to be skipped (done, or busy elsewhere); else, when a run of it died
// or was interrupted, sets req.resume to it.
std::optional<RunOutcome> sweep_decision(RunRequest& req, std::optional<Claim>& claim, std::ostream& out) {
  Config probe = Config::load(req.config, req.overrides);
  const std::string experiment = probe.experiment_name(), hash = config_hash(probe);
  claim = Claim::try_take(req.runs_root, experiment, hash);
  RunOutcome skip;
  if (!claim) {
    skip.status = "busy";
    out << "another process is running this combination of " << experiment << " now: skipped\n";
    return skip;
  }
  if (!fs::exists(index_path(req.runs_root))) return std::nullopt;
  const ExistingRuns existing = existing_runs(ResultsIndex(index_path(req.runs_root)), experiment, hash);
  if (existing.done) {
    skip.status = "skipped";
    skip.dir = existing.done->dir;
    out << "already completed: " << skip.dir << "\n";
    return skip;
  }
  if (existing.resumable) {
    out << "resuming the run that " << (observed_status(*existing.resumable) == "died" ? "died" : "was interrupted")
        << ": " << existing.resumable->dir << "\n";
    req.resume = existing.resumable->dir;
  }
  return std::nullopt;
}

// After training: the inspect arrays (and their heat maps), summary.json and the index record.
RunOutcome finish_run(const TrainResult& result, Model& model, RunSetup& s, RunDir& dir, ResultsIndex& index,
                      const RunRequest& req, std::ostream& out) {
  if (result.status != "failed") {
    NoGradGuard no_grad;
    std::vector<std::string> saved;
    for (const auto& [name, m] : model.inspect()) {
      dir.save_npy("inspect/" + name, m);
      saved.push_back(dir.file("inspect/" + name + ".npy"));
    }
    if (!saved.empty()) {
      const std::string line = draw_heat_maps(saved, dir.file("inspect/plotting.log"));
      dir.log(line);
      if (req.progress) out << line << "\n";
    }
  }
  dir.write_text("summary.json", summary_json(result, s.experiment, s.cfg.seed()));
  RunRecord& rec = s.rec;
  rec.status = result.status == "stopped_early" ? "completed" : result.status;
  rec.finished = utc_timestamp_iso();
  rec.error = result.status == "failed" ? result.message : "";
  rec.summary.clear();
  for (const auto& [k, v] : result.final_metrics) rec.summary["final/" + k] = v;
  for (const auto& [k, v] : result.best_metrics) rec.summary["best/" + k] = v;
  rec.summary["steps"] = double(result.step);
  rec.summary["seconds"] = result.seconds;
  // what a comparison reports beside the error: the model's size, its memory, and whether
  // training reached its plateau (early stopping) or ran out of its budget of steps
  rec.summary["parameters"] = double(model.num_parameters());
  if (const double state = model.state_size(); state >= 0) rec.summary["state_size"] = state;
  if (const double macs = forward_multiply_adds(model); macs >= 0) rec.summary["multiply_adds"] = macs;
  rec.summary["plateau"] = result.status == "stopped_early" ? 1.0 : 0.0;
  index.upsert(rec);

  RunOutcome o;
  o.dir = s.dir_path;
  o.status = result.status;
  o.result = result;
  o.exit_code = result.status == "failed" ? 1 : result.status == "interrupted" ? 130 : 0;
  if (!result.message.empty()) out << result.message << "\n";
  return o;
}

}  // namespace

RunOutcome run_experiment(const RunRequest& request, std::ostream& out) {
  RunRequest req = request;
  std::optional<Claim> claim;  // a sweep's hold on this combination, for the whole run
  if (req.skip_done && req.resume.empty())
    if (auto skipped = sweep_decision(req, claim, out)) return *skipped;
  const bool resume = !req.resume.empty();
  Config cfg = resume ? Config::load(req.resume + "/config.yaml") : Config::load(req.config, req.overrides);
  if (is_study(cfg)) return run_study(std::move(cfg), req, resume, out);
  Built built = build_problem(cfg);
  // Every section has been read: anything left over is a typo.
  Section root = cfg.root();
  root.section("task").finish();
  root.section("model").finish();
  root.finish();
  for (const auto& w : cfg.warnings()) out << "warning: " << w << "\n";

  RunDir* dirp = nullptr;
  std::unique_ptr<RunDir> dir_holder;
  std::unique_ptr<ResultsIndex> index;
  RunSetup s = open_run(std::move(cfg), req, resume, built.trainer.threads, dirp, dir_holder, index);
  RunDir& dir = *dirp;
  for (const auto& w : s.cfg.warnings()) dir.log("warning: " + w);

  Trainer trainer(*built.model, *built.task, built.trainer, s.cfg.section("trainer"), dir, s.cfg.seed());
  std::unique_ptr<Progress> bar;
  if (req.progress) bar = std::make_unique<Progress>(out, stdout_is_terminal(), s.experiment, built.trainer.steps);
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
    record_failure(*index, s.rec, dir, e.what());
    throw;
  }
  if (bar) bar->finish();
  return finish_run(result, *built.model, s, dir, *index, req, out);
}

}  // namespace engram::experiments
