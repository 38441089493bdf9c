#include "experiments/study.h"

#include "experiments/progress.h"
#include "experiments/run_dir.h"
#include "experiments/trainer.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <sstream>

#ifndef ENGRAM_SOURCE_DIR
#define ENGRAM_SOURCE_DIR "."
#endif
#ifndef ENGRAM_PYTHON_EXECUTABLE
#define ENGRAM_PYTHON_EXECUTABLE "/usr/bin/python3"
#endif

namespace engram::experiments {

namespace fs = std::filesystem;

Registry<StudyFactory>& studies() {
  static Registry<StudyFactory> r("study", "studies", "experiments without gradient training (study.name)");
  return r;
}

// ---- Plot -------------------------------------------------------------------------------

nlohmann::json to_json(const Plot& p) {
  nlohmann::json j;
  j["name"] = p.name;
  j["title"] = p.title;
  j["xlabel"] = p.xlabel;
  j["ylabel"] = p.ylabel;
  j["logx"] = p.logx;
  j["logy"] = p.logy;
  j["series"] = nlohmann::json::array();
  for (const auto& s : p.series) {
    nlohmann::json js;
    js["label"] = s.label;
    js["x"] = s.x;
    js["y"] = s.y;
    if (!s.err.empty()) js["err"] = s.err;
    js["theory"] = s.theory;
    j["series"].push_back(js);
  }
  j["vlines"] = nlohmann::json::array();
  for (const auto& [label, x] : p.vlines) j["vlines"].push_back({{"label", label}, {"x", x}});
  if (!p.image.empty()) j["image"] = p.image;
  if (!p.bars.empty()) {
    j["bars"] = nlohmann::json::array();
    for (const auto& [label, v] : p.bars) j["bars"].push_back({{"label", label}, {"value", v}});
  }
  return j;
}

// ---- StudyContext -----------------------------------------------------------------------

StudyContext::StudyContext(ThreadPool& pool, Rng rng, RunDir* dir, Progress* progress, std::uint64_t total_points)
    : pool_(pool), rng_(std::move(rng)), dir_(dir), progress_(progress), total_(total_points) {
  if (!dir_) return;
  // Points finished before a crash or Ctrl-C; a torn last line (a crash while it was appended)
  // is dropped from the file before new points are appended after it.
  bool torn = false;
  const std::string path = dir_->file("points.jsonl");
  const auto lines = read_record_lines(path, &torn);
  std::string kept;
  for (const auto& line : lines) {
    const auto j = nlohmann::json::parse(line);
    memo_[j.at("key").get<std::string>()] = j.at("values").get<std::vector<double>>();
    kept += line + "\n";
  }
  if (torn) fileio::write_atomic(path, kept);
  points_ = fileio::Appender(path);
}

StudyContext::~StudyContext() = default;

std::vector<double> StudyContext::point(const std::string& key, const std::function<std::vector<double>()>& compute) {
  std::vector<double> values;
  if (auto it = memo_.find(key); it != memo_.end()) {
    values = it->second;
  } else {
    if (interrupt_requested()) throw StudyInterrupted();
    values = compute();
    ++computed_;
    memo_[key] = values;
    if (dir_) {
      nlohmann::json j{{"key", key}, {"values", values}};
      points_.append(j.dump() + "\n");
    }
  }
  ++done_;
  if (progress_) progress_->update(std::min(done_, total_), key);
  return values;
}

// ---- config helpers ---------------------------------------------------------------------

std::vector<double> number_list(Section& cfg, const std::string& key, std::vector<double> def) {
  if (!cfg.has(key)) {
    (void)cfg.strings(key, {});
    return def;
  }
  std::vector<double> out;
  for (const auto& s : cfg.strings(key, {})) {
    try {
      size_t used = 0;
      const double v = std::stod(s, &used);
      if (used != s.size() || !std::isfinite(v)) throw std::invalid_argument(s);
      out.push_back(v);
    } catch (const std::exception&) {
      throw ConfigError(cfg.source(key) + ": " + cfg.path() + "." + key + ": '" + s + "' is not a finite number");
    }
  }
  if (out.empty()) throw ConfigError(cfg.source(key) + ": " + cfg.path() + "." + key + ": needs at least one value");
  return out;
}

std::vector<double> integer_list(Section& cfg, const std::string& key, std::vector<double> def, double lo, double hi) {
  std::vector<double> v = number_list(cfg, key, std::move(def));
  for (double x : v)
    if (x < lo || x > hi || x != std::floor(x))
      cfg.fail(key, std::isinf(hi) ? "must be integers >= " + num_str(lo) + ", got " + num_str(x)
                                   : "must be integers in [" + num_str(lo) + ", " + num_str(hi) + "], got " + num_str(x));
  return v;
}

// ---- outputs ----------------------------------------------------------------------------

std::string plot_python() {
  if (const char* p = std::getenv("ENGRAM_PYTHON"); p && *p) return p;
  return ENGRAM_PYTHON_EXECUTABLE;
}

std::string plot_script() {
  if (const char* p = std::getenv("ENGRAM_PLOTTER"); p && *p) return p;
  return std::string(ENGRAM_SOURCE_DIR) + "/python/engram/plotting.py";
}

namespace {

std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

}  // namespace

std::vector<std::string> write_study_outputs(const StudyResult& r, const RunDir& dir) {
  std::vector<std::string> log;
  dir.write_text("table.csv", r.table.csv());
  dir.write_text("table.md", r.table.markdown());
  log.push_back("table: " + dir.file("table.csv"));
  for (auto& line : draw_plots(r.plots, dir.path())) log.push_back(std::move(line));
  return log;
}

std::vector<std::string> draw_plots(const std::vector<Plot>& plots, const std::string& dir) {
  std::vector<std::string> log;
  if (plots.empty()) return log;
  fs::create_directories(dir + "/plots");
  std::string args;
  for (const auto& p : plots) {
    const std::string json = dir + "/plots/" + p.name + ".json";
    fileio::write_atomic(json, to_json(p).dump(1) + "\n");
    args += " " + shell_quote(json);
  }
  const std::string script = plot_script();
  if (!fs::exists(script)) {
    log.push_back("plots not drawn: " + script + " not found (set ENGRAM_PLOTTER); data in plots/*.json");
    return log;
  }
  const std::string errfile = dir + "/plots/plotting.log";
  const std::string cmd = shell_quote(plot_python()) + " " + shell_quote(script) + args + " >" + shell_quote(errfile) + " 2>&1";
  const int rc = std::system(cmd.c_str());
  if (rc != 0) {
    log.push_back("plots not drawn (" + plot_python() + " " + script + " failed, see " + errfile + "); data in plots/*.json");
  } else {
    for (const auto& p : plots) log.push_back("plot: " + dir + "/plots/" + p.name + ".png (.svg)");
  }
  return log;
}

}  // namespace engram::experiments
