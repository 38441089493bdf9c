#include "experiments/cli.h"

#include "attention/normalizer.h"
#include "attention/score.h"
#include "attention/sequence.h"
#include "experiments/compare.h"
#include "experiments/optim_config.h"
#include "experiments/python_hooks.h"
#include "experiments/runner.h"
#include "experiments/tasks/babi/babi.h"
#include "experiments/tasks/babi/generator.h"
#include "memory/addressing.h"
#include "networks/controller.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <iomanip>
#include <set>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace engram::experiments {

void register_builtins();

namespace {

std::string self_exe() {
  std::error_code ec;
  auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("engram") : p.string();
}

// Runs each override list as `engram run CONFIG <overrides>` in a worker process, at most
// `jobs` at a time. Returns the worst exit status.
int run_multirun(const std::string& config, const std::vector<std::vector<std::string>>& combos,
                 const std::string& runs_root, int jobs, const std::vector<std::string>& plugins, std::ostream& out,
                 std::ostream& err) {
  const std::string exe = self_exe();
  std::vector<pid_t> running;
  int worst = 0;
  size_t next = 0;
  const auto wait_one = [&] {
    int status = 0;
    const pid_t pid = ::wait(&status);
    if (pid < 0) return;
    running.erase(std::remove(running.begin(), running.end(), pid), running.end());
    const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    worst = std::max(worst, code);
  };
  out << "multirun: " << combos.size() << " runs, " << jobs << " worker process" << (jobs > 1 ? "es" : "") << "\n" << std::flush;
  while (next < combos.size() || !running.empty()) {
    if (next < combos.size() && static_cast<int>(running.size()) < jobs) {
      std::vector<std::string> args{exe, "run", config, "--runs-root", runs_root, "--no-progress"};
      for (const auto& p : plugins) args.insert(args.end(), {"--plugin", p});
      for (const auto& o : combos[next]) args.push_back(o);
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      pid_t pid;
      if (::posix_spawn(&pid, exe.c_str(), nullptr, nullptr, argv.data(), environ) != 0) {
        err << "engram: cannot start a worker process\n";
        return 1;
      }
      running.push_back(pid);
      ++next;
    } else {
      wait_one();
    }
  }
  return worst;
}

void print_runs(const std::vector<RunRecord>& runs, std::ostream& out) {
  out << std::left << std::setw(30) << "id" << std::setw(20) << "experiment" << std::setw(12) << "status"
      << std::setw(22) << "started" << "summary\n";
  for (const auto& r : runs) {
    std::ostringstream s;
    int shown = 0;
    for (const auto& [k, v] : r.summary)
      if (k.rfind("final/", 0) == 0 && shown++ < 3) s << k.substr(6) << "=" << std::setprecision(4) << v << " ";
    out << std::left << std::setw(30) << r.id << std::setw(20) << r.experiment << std::setw(12) << r.status
        << std::setw(22) << r.started << s.str() << "\n";
  }
}

std::vector<std::pair<std::string, std::string>> parse_params(const std::vector<std::string>& kvs) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& kv : kvs) {
    const auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) throw ConfigError("--param '" + kv + "': expected key=value");
    out.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
  }
  return out;
}

}  // namespace

int cli_main(int argc, char** argv, std::ostream& out, std::ostream& err) {
  CLI::App app{"engram: memory-augmented networks and associative memory"};
  app.require_subcommand(1);
  std::string runs_root = "runs";
  app.add_option("--runs-root", runs_root, "folder of run directories and index.sqlite")->capture_default_str();

  // run
  auto* run = app.add_subcommand("run", "run an experiment config; prints the run directory last");
  std::string config, out_dir, resume;
  std::vector<std::string> overrides;
  bool multirun = false, no_progress = false;
  int jobs = 1;
  run->add_option("config", config, "experiment config (YAML)");
  run->add_option("overrides", overrides, "key.sub=value, +key=value; with -m, a=1,2,3 sweeps");
  bool rerun = false;
  run->add_flag("--rerun", rerun, "with -m: also run combinations already completed in the index");
  run->add_flag("-m,--multirun", multirun, "expand comma-separated override values into a sweep");
  run->add_option("--jobs", jobs, "worker processes for -m")->check(CLI::Range(1, 256));
  run->add_option("--out", out_dir, "run directory (default: RUNS_ROOT/<experiment>/<time>-<hash>)");
  run->add_option("--resume", resume, "continue the run in this directory from its last checkpoint");
  run->add_flag("--no-progress", no_progress, "no progress bar or periodic lines");
  run->add_option("--runs-root", runs_root, "folder of run directories and index.sqlite");
  // Python (a build with ENGRAM_BUILD_PYTHON; experiments/python_hooks.h)
  std::vector<std::string> plugins;
  std::string launcher = "local", scheduler;
  run->add_option("--plugin", plugins, "Python file registering components (engram.register_score, ...); repeatable")
      ->allow_extra_args(false);
  run->add_option("--launcher", launcher, "where -m runs: local worker processes, or dask (Dask distributed)")
      ->check(CLI::IsMember({"local", "dask"}));
  run->add_option("--scheduler", scheduler, "with --launcher dask: a scheduler address (default: a local cluster of --jobs workers)");

  // ls / show / compare
  auto* ls = app.add_subcommand("ls", "list runs in the index");
  std::string f_experiment, f_status;
  std::vector<std::string> f_params;
  for (auto* sc : {ls}) {
    sc->add_option("--experiment", f_experiment, "only this experiment");
    sc->add_option("--status", f_status, "running | completed | failed | interrupted");
    sc->add_option("--param", f_params, "key=value that runs must have (repeatable)");
    sc->add_option("--runs-root", runs_root, "folder of run directories and index.sqlite");
  }
  auto* show = app.add_subcommand("show", "show one run: its record and summary");
  std::string show_run;
  show->add_option("run", show_run, "run id, id prefix or directory")->required();
  show->add_option("--runs-root", runs_root, "folder of run directories and index.sqlite");
  auto* cmp = app.add_subcommand("compare", "table of metrics grouped by parameters, mean and std over seeds");
  CompareOptions copt;
  std::string c_status = "completed";
  cmp->add_option("--experiment", f_experiment, "only this experiment");
  cmp->add_option("--status", c_status, "only runs with this status (default completed)");
  cmp->add_option("--param", f_params, "key=value that runs must have (repeatable)");
  cmp->add_option("--by", copt.group_by, "parameter keys to group by (repeatable)");
  cmp->add_option("--metric", copt.metrics, "summary metrics to show (default all)");
  cmp->add_option("--format", copt.format, "markdown | csv")->check(CLI::IsMember({"markdown", "csv"}));
  cmp->add_option("--precision", copt.precision, "digits")->check(CLI::Range(0, 12));
  cmp->add_option("--best", copt.best, "METRIC:min|max: show each group's best run (restarts) instead of mean ± std");
  bool c_rows = false;
  cmp->add_flag("--rows", c_rows, "stack the tables (table.csv) of study runs instead of grouping summaries");
  cmp->add_option("--runs-root", runs_root, "folder of run directories and index.sqlite");

  // list
  auto* list = app.add_subcommand("list", "registered names of a kind, one per line");
  std::string kind;
  list->add_option("kind", kind, "tasks | models | studies | scores | normalizers | encoders | poolers | addressing | controllers | optimizers | schedules")->required();

  // babi-generate
  auto* bgen = app.add_subcommand("babi-generate", "write generated bAbI-style task files DIR/qaN_generated_{train,test}.txt");
  babi::GenerateRequest greq;
  bgen->add_option("--task", greq.tasks, "1 2 3 6 7 8 19, or all (repeatable)")->required();
  bgen->add_option("--out", greq.out, "output directory")->required();
  bgen->add_option("--seed", greq.seed, "the same text as a run with this seed and task.data.generate");
  bgen->add_option("--stories", greq.stories, "training stories per task (default 1000)");
  bgen->add_option("--test-stories", greq.test_stories, "test stories per task (default 0: no test file)");
  bgen->add_option("--statements", greq.statements, "statements per story (default per task)");
  bgen->add_option("--questions", greq.questions, "questions per story (default per task)");
  bgen->add_option("--actors", greq.actors, "actors asked about");
  bgen->add_option("--objects", greq.objects, "objects that can be carried");
  bgen->add_option("--places", greq.places, "places (rooms)");
  bgen->add_option("--distractors", greq.distractors, "share of distractor statements, [0, 0.9]");
  bgen->add_option("--path-length", greq.path_length, "task 19: steps of the asked paths");

  // plot
  auto* plot = app.add_subcommand("plot", "learning curves, study plots and heat maps of runs (python/engram/plotting.py)");
  std::vector<std::string> plot_runs, plot_metrics;
  std::string plot_out;
  plot->add_option("runs", plot_runs, "run ids, id prefixes or directories")->required();
  plot->add_option("--metric", plot_metrics, "split/name to draw, e.g. val/accuracy (repeatable; default: all)")
      ->allow_extra_args(false);
  plot->add_option("--out", plot_out, "output directory (default: RUN/plots for one run, ./plots for several)");
  plot->add_option("--runs-root", runs_root, "folder of run directories and index.sqlite");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    out << app.help();
    return 0;
  } catch (const CLI::CallForAllHelp& e) {
    out << app.help("", CLI::AppFormatMode::All);
    return 0;
  } catch (const CLI::ParseError& e) {
    err << "engram: " << e.what() << "\n";
    return 2;
  }

  try {
    if (runs_root.empty()) throw ConfigError("engram: --runs-root is empty; give a folder (the default is 'runs')");
    if (*run) {
      if (resume.empty() && config.empty()) throw ConfigError("engram run: give a CONFIG file (or --resume RUN_DIR)");
      if (!plugins.empty() || launcher == "dask") {
        const PythonHooks& py = python_hooks();
        if (!py.load_plugins)
          throw ConfigError("engram run: --plugin and --launcher dask need a build with Python (ENGRAM_BUILD_PYTHON=ON)");
        for (auto& p : plugins) p = std::filesystem::absolute(p).string();
        py.load_plugins(plugins);
      }
      if (launcher == "dask" && !multirun) throw ConfigError("engram run: --launcher dask applies to sweeps (-m)");
      if (multirun) {
        if (!resume.empty() || !out_dir.empty()) throw ConfigError("engram run -m: --resume and --out apply to single runs");
        const auto all = expand_multirun(overrides);
        std::vector<std::vector<std::string>> combos;
        std::set<std::pair<std::string, std::string>> done;  // (experiment, config hash) completed
        // (the dask launcher skips completed runs itself, per worker: it gets every combination)
        if (!rerun && launcher != "dask" && std::filesystem::exists(index_path(runs_root))) {
          ResultsIndex index(index_path(runs_root));
          for (const auto& r : index.list(RunFilter{"", "completed", {}})) done.insert({r.experiment, r.config_hash});
        }
        for (const auto& c : all) {  // validate every combination before starting any
          Config cfg = Config::load(config, c);
          validate_config(cfg);
          if (!done.count({cfg.experiment_name(), config_hash(cfg)})) combos.push_back(c);
        }
        if (combos.size() < all.size())
          out << "multirun: " << all.size() - combos.size() << " of " << all.size()
              << " runs already completed in " << runs_root << " (skipped; --rerun to run them again)\n";
        if (launcher == "dask") {
          out << std::flush;
          return python_hooks().launch_sweep(
              {"dask", std::filesystem::absolute(config).string(), combos, runs_root, jobs, scheduler, plugins, self_exe()});
        }
        return run_multirun(config, combos, runs_root, jobs, plugins, out, err);
      }
      install_interrupt_handlers();
      RunRequest req{config, overrides, out_dir, runs_root, resume, !no_progress};
      const RunOutcome o = run_experiment(req, out);
      out << o.dir << "\n";
      return o.exit_code;
    }
    if (*ls || *cmp) {
      ResultsIndex index(index_path(runs_root));
      RunFilter f{f_experiment, *cmp ? c_status : f_status, parse_params(f_params)};
      const auto runs = index.list(f);
      if (*ls) print_runs(runs, out);
      else out << (c_rows ? stack_run_tables(runs, copt) : compare_runs(runs, copt));
      return 0;
    }
    if (*show) {
      ResultsIndex index(index_path(runs_root));
      const auto r = index.get(show_run);
      if (!r) throw ConfigError("engram show: no run '" + show_run + "' in " + index_path(runs_root));
      nlohmann::json j = *r;
      out << j.dump(2) << "\n";
      return 0;
    }
    if (*plot) {
      // each run by id, prefix or directory; the drawing is python/engram/plotting.py's
      std::unique_ptr<ResultsIndex> index;
      std::vector<std::string> args{plot_python(), plot_script(), "--runs"};
      for (const auto& r : plot_runs) {
        if (std::filesystem::is_directory(r)) {
          args.push_back(r);
          continue;
        }
        if (!index) index = std::make_unique<ResultsIndex>(index_path(runs_root));
        const auto rec = index->get(r);
        if (!rec) throw ConfigError("engram plot: no run '" + r + "' in " + index_path(runs_root));
        args.push_back(rec->dir);
      }
      for (const auto& m : plot_metrics) args.insert(args.end(), {"--metric", m});
      if (!plot_out.empty()) args.insert(args.end(), {"--out", plot_out});
      std::vector<char*> argv_p;
      for (auto& a : args) argv_p.push_back(a.data());
      argv_p.push_back(nullptr);
      out << std::flush;
      pid_t pid;
      if (::posix_spawnp(&pid, args[0].c_str(), nullptr, nullptr, argv_p.data(), environ) != 0)
        throw std::runtime_error("engram plot: cannot start " + args[0]);
      int status = 0;
      ::waitpid(pid, &status, 0);
      return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
    }
    if (*bgen) {
      for (const auto& p : babi::run_generate(greq)) out << p << "\n";
      return 0;
    }
    if (*list) {
      register_builtins();
      babi::register_babi();
      std::vector<std::pair<std::string, std::string>> rows;
      if (kind == "tasks") for (const auto& e : tasks().entries()) rows.emplace_back(e.name, e.description);
      else if (kind == "models") for (const auto& e : models().entries()) rows.emplace_back(e.name, e.description);
      else if (kind == "scores") for (const auto& e : attention::scores<float>().entries()) rows.emplace_back(e.name, e.description);
      else if (kind == "normalizers") for (const auto& e : attention::normalizers<float>().entries()) rows.emplace_back(e.name, e.description);
      else if (kind == "encoders") for (const auto& e : attention::sequence_encoders<float>().entries()) rows.emplace_back(e.name, e.description);
      else if (kind == "poolers") for (const auto& e : attention::sequence_poolers<float>().entries()) rows.emplace_back(e.name, e.description);
      else if (kind == "addressing") for (const auto& e : memory::addressing_stages<float>().entries()) rows.emplace_back(e.name, e.description);
      else if (kind == "controllers") for (const auto& e : networks::controllers<float>().entries()) rows.emplace_back(e.name, e.description);
      else if (kind == "studies") for (const auto& e : studies().entries()) rows.emplace_back(e.name, e.description);
      else if (kind == "optimizers") for (const auto& n : optimizer_names()) rows.emplace_back(n, "trainer.optimizer.name");
      else if (kind == "schedules") for (const auto& n : schedule_names()) rows.emplace_back(n, "trainer.schedule.name");
      else throw ConfigError("engram list: unknown kind '" + kind + "'; kinds: tasks, models, studies, scores, normalizers, encoders, poolers, addressing, controllers, optimizers, schedules");
      for (const auto& [n, d] : rows) out << std::left << std::setw(20) << n << " " << d << "\n";
      return 0;
    }
  } catch (const ConfigError& e) {
    err << "engram: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    err << "engram: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace engram::experiments
