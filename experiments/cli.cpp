// The `engram` command: one function per subcommand, each declaring its options and running
// them; cli_main parses, runs the chosen one and maps errors to exit statuses.
#include "experiments/cli.h"

#include "core/catalogue.h"
#include "experiments/study.h"
#include "experiments/compare.h"
#include "experiments/comparison.h"
#include "experiments/progress.h"
#include "experiments/trainer.h"
#include "experiments/python_hooks.h"
#include "experiments/run_state.h"
#include "experiments/runner.h"
#include "experiments/tasks/babi/generator.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cerrno>
#include <filesystem>
#include <functional>
#include <iomanip>
#include <memory>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace engram::experiments {

namespace {

namespace fs = std::filesystem;

std::string self_exe() {
  std::error_code ec;
  auto p = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("engram") : p.string();
}

// Starts `args` (args[0] looked up on PATH when `search`; its stdout to /dev/null when `quiet`:
// errors still reach stderr); returns the pid.
pid_t spawn(std::vector<std::string> args, bool search, bool quiet = false) {
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid;
  posix_spawn_file_actions_t actions;
  ::posix_spawn_file_actions_init(&actions);
  if (quiet) ::posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  const int rc = search ? ::posix_spawnp(&pid, args[0].c_str(), &actions, nullptr, argv.data(), environ)
                        : ::posix_spawn(&pid, args[0].c_str(), &actions, nullptr, argv.data(), environ);
  ::posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("cannot start " + args[0] + ": " + std::strerror(rc));
  return pid;
}

int exit_status(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status); }

// What every subcommand shares.
struct Context {
  std::string runs_root = "runs";
  std::ostream& out;
  std::ostream& err;
  std::string index() const { return index_path(runs_root); }
};

using Action = std::function<int()>;

void add_runs_root(CLI::App* sc, Context& ctx) {
  sc->add_option("--runs-root", ctx.runs_root, "folder of run directories and index.sqlite")->capture_default_str();
}

// ---- run -------------------------------------------------------------------------------------

struct RunArgs {
  std::string config, out_dir, resume, launcher = "local", scheduler;
  std::vector<std::string> overrides, plugins;
  bool multirun = false, no_progress = false, rerun = false, skip_done = false, check = false;
  int jobs = 1;
};

// Runs each override list as `engram run CONFIG <overrides> --skip-done` in a worker process,
// at most `jobs` at a time; `done(i, status)` is called as combination i ends. After Ctrl-C
// (when the caller installed the interrupt handlers) no new worker starts; the running ones
// checkpoint and stop. Returns the worst exit status.
int run_workers(const RunArgs& a, const std::vector<std::vector<std::string>>& combos, Context& ctx,
                const std::function<void(size_t, int)>& done = {}) {
  const std::string exe = self_exe();
  std::vector<std::pair<pid_t, size_t>> running;
  int worst = 0;
  size_t next = 0;
  if (!done)
    ctx.out << "multirun: " << combos.size() << " runs, " << a.jobs << " worker process" << (a.jobs > 1 ? "es" : "")
            << "\n" << std::flush;
  while ((next < combos.size() && !interrupt_requested()) || !running.empty()) {
    if (next < combos.size() && !interrupt_requested() && static_cast<int>(running.size()) < a.jobs) {
      std::vector<std::string> args{exe, "run", a.config, "--runs-root", ctx.runs_root, "--no-progress"};
      if (!a.rerun) args.push_back("--skip-done");
      for (const auto& p : a.plugins) args.insert(args.end(), {"--plugin", p});
      for (const auto& o : combos[next]) args.push_back(o);
      running.emplace_back(spawn(args, false, static_cast<bool>(done)), next);
      ++next;
      continue;
    }
    int status = 0;
    const pid_t pid = ::wait(&status);
    if (pid < 0) {
      if (errno == EINTR) continue;
      break;
    }
    const auto it = std::find_if(running.begin(), running.end(), [&](const auto& r) { return r.first == pid; });
    if (it == running.end()) continue;
    const size_t which = it->second;
    running.erase(it);
    worst = std::max(worst, exit_status(status));
    if (done) done(which, exit_status(status));
  }
  if (next < combos.size()) worst = std::max(worst, 130);
  return worst;
}

int run_sweep(RunArgs& a, Context& ctx) {
  if (!a.resume.empty() || !a.out_dir.empty()) throw ConfigError("engram run -m: --resume and --out apply to single runs");
  const auto all = expand_multirun(a.overrides);
  std::unique_ptr<ResultsIndex> index;
  if (!a.rerun && fs::exists(ctx.index())) index = std::make_unique<ResultsIndex>(ctx.index());
  size_t done = 0;
  for (const auto& c : all) {  // validate every combination before starting any
    Config cfg = Config::load(a.config, c);
    validate_config(cfg);
    if (index && existing_runs(*index, cfg.experiment_name(), config_hash(cfg)).done) ++done;
  }
  if (done)
    ctx.out << "multirun: " << done << " of " << all.size() << " runs already completed in " << ctx.runs_root
            << " (skipped; --rerun to run them again)\n";
  if (a.launcher == "dask") {
    ctx.out << std::flush;
    return python_hooks().launch_sweep(
        {"dask", fs::absolute(a.config).string(), all, ctx.runs_root, a.jobs, a.scheduler, a.plugins, self_exe()});
  }
  return run_workers(a, all, ctx);
}

// engram run --check: builds what the command would run (the run, every combination of a sweep,
// every cell of a comparison: task, model and trainer, data read, every key known) and writes
// nothing; ConfigError (file:line, key) for the first problem.
int check_config(const RunArgs& a, Context& ctx) {
  if (!a.resume.empty() || !a.out_dir.empty()) throw ConfigError("engram run --check: --resume and --out write runs; check a CONFIG");
  if (!a.multirun && is_comparison(a.config, a.overrides)) {  // (with -m, as run_sweep: each combination a run)
    const ComparisonSpec spec = read_comparison(a.config, a.overrides);
    const auto cells = comparison_cells(spec);  // validates every cell
    ctx.out << "config ok: comparison " << spec.name << ", " << spec.readers.size() << " readers x " << spec.loads.size()
            << " loads x " << spec.seeds.size() << " seeds = " << cells.size() << " runs\n";
    return 0;
  }
  const auto all = a.multirun ? expand_multirun(a.overrides) : std::vector<std::vector<std::string>>{a.overrides};
  std::string name;
  for (const auto& c : all) {
    Config cfg = Config::load(a.config, c);
    validate_config(cfg);
    name = cfg.experiment_name();
  }
  ctx.out << "config ok: " << name << (all.size() > 1 ? ", " + std::to_string(all.size()) + " runs" : std::string()) << "\n";
  return 0;
}

// ---- comparisons (experiments/comparison.h) --------------------------------------------------

// The comparison's table from the index, written to <runs_root>/<name>/comparison and printed;
// its directory is the last line.
int render_comparison(const ComparisonSpec& spec, const std::vector<ComparisonCell>& cells, Context& ctx) {
  const ComparisonTable table = collect_comparison(spec, cells, ResultsIndex(ctx.index()));
  const std::string dir = (fs::path(ctx.runs_root) / spec.name / "comparison").string();
  const auto lines = write_comparison(table, dir);
  ctx.out << "\n" << table.markdown() << "\n";
  for (const auto& line : lines) ctx.out << line << "\n";
  ctx.out << dir << "\n";
  return 0;
}

// engram run COMPARISON: every cell not yet done in the index, as worker processes (or on Dask),
// with a bar over the cells; then the table. Ctrl-C stops starting cells; run again to resume.
int run_comparison(RunArgs& a, Context& ctx) {
  if (!a.resume.empty() || !a.out_dir.empty()) throw ConfigError("engram run: --resume and --out apply to single runs, not comparisons");
  const ComparisonSpec spec = read_comparison(a.config, a.overrides);
  const std::vector<ComparisonCell> cells = comparison_cells(spec);
  std::vector<std::vector<std::string>> todo;
  std::vector<size_t> todo_cell;
  {
    std::unique_ptr<ResultsIndex> index;
    if (!a.rerun && fs::exists(ctx.index())) index = std::make_unique<ResultsIndex>(ctx.index());
    for (size_t i = 0; i < cells.size(); ++i)
      if (!index || !existing_runs(*index, cells[i].experiment, cells[i].config_hash).done) {
        todo.push_back(cells[i].overrides);
        todo_cell.push_back(i);
      }
  }
  ctx.out << "comparison " << spec.name << ": " << spec.readers.size() << " readers x " << spec.loads.size() << " loads x "
          << spec.seeds.size() << " seeds = " << cells.size() << " runs, " << (cells.size() - todo.size())
          << " already done in " << ctx.runs_root << "\n" << std::flush;
  int worst = 0;
  if (!todo.empty() && a.launcher == "dask") {
    worst = python_hooks().launch_sweep(
        {"dask", fs::absolute(a.config).string(), todo, ctx.runs_root, a.jobs, a.scheduler, a.plugins, self_exe()});
  } else if (!todo.empty()) {
    install_interrupt_handlers();
    Progress bar(ctx.out, !a.no_progress && stdout_is_terminal(), "comparison", todo.size());
    size_t finished = 0;
    worst = run_workers(a, todo, ctx, [&](size_t i, int status) {
      const ComparisonCell& c = cells[todo_cell[i]];
      bar.update(++finished, c.reader + " " + spec.load_key + "=" + c.load + " seed " + std::to_string(c.seed) +
                                 (status == 0 ? "" : " (exit " + std::to_string(status) + ")"), true);
    });
    bar.finish();
    if (interrupt_requested()) {
      ctx.err << "comparison interrupted: finished runs are kept; run the same command again to resume\n";
      return 130;
    }
  }
  render_comparison(spec, cells, ctx);
  return worst;
}

Action add_run(CLI::App& app, Context& ctx) {
  auto a = std::make_shared<RunArgs>();
  auto* sc = app.add_subcommand("run", "run an experiment config; prints the run directory last");
  sc->add_option("config", a->config, "experiment config (YAML)");
  sc->add_option("overrides", a->overrides, "key.sub=value, +key=value; with -m, a=1,2,3 sweeps");
  sc->add_flag("--rerun", a->rerun, "with -m: also run combinations already completed in the index");
  sc->add_flag("--skip-done", a->skip_done,
               "skip the run when the index holds it completed (or running elsewhere); resume it when it died");
  sc->add_flag("-m,--multirun", a->multirun, "expand comma-separated override values into a sweep");
  sc->add_option("--jobs", a->jobs, "worker processes for -m and comparisons")->check(CLI::Range(1, 256));
  sc->add_option("--out", a->out_dir, "run directory (default: RUNS_ROOT/<experiment>/<time>-<hash>)");
  sc->add_option("--resume", a->resume, "continue the run in this directory from its last checkpoint");
  sc->add_flag("--no-progress", a->no_progress, "no progress bar or periodic lines");
  sc->add_flag("--check", a->check,
               "build the run (every combination with -m, every cell of a comparison: data read, every key known), "
               "write nothing, print 'config ok' or the first error");
  // Python (a build with ENGRAM_BUILD_PYTHON; experiments/python_hooks.h)
  sc->add_option("--plugin", a->plugins, "Python file registering components (engram.register_score, ...); repeatable")
      ->allow_extra_args(false);
  sc->add_option("--launcher", a->launcher, "where -m runs: local worker processes, or dask (Dask distributed)")
      ->check(CLI::IsMember({"local", "dask"}));
  sc->add_option("--scheduler", a->scheduler, "with --launcher dask: a scheduler address (default: a local cluster of --jobs workers)");
  add_runs_root(sc, ctx);
  return [sc, a, &ctx]() -> int {
    if (!*sc) return -1;
    if (a->resume.empty() && a->config.empty()) throw ConfigError("engram run: give a CONFIG file (or --resume RUN_DIR)");
    if (!a->plugins.empty() || a->launcher == "dask") {
      const PythonHooks& py = python_hooks();
      if (!py.load_plugins)
        throw ConfigError("engram run: --plugin and --launcher dask need a build with Python (ENGRAM_BUILD_PYTHON=ON)");
      for (auto& p : a->plugins) p = fs::absolute(p).string();
      py.load_plugins(a->plugins);
    }
    if (a->launcher == "dask" && !a->multirun && !is_comparison(a->config, a->overrides))
      throw ConfigError("engram run: --launcher dask applies to sweeps (-m) and comparisons");
    if (a->check) return check_config(*a, ctx);
    if (a->multirun) return run_sweep(*a, ctx);
    if (a->resume.empty() && is_comparison(a->config, a->overrides)) return run_comparison(*a, ctx);
    install_interrupt_handlers();
    RunRequest req{a->config, a->overrides, a->out_dir, ctx.runs_root, a->resume, !a->no_progress};
    req.skip_done = a->skip_done;
    const RunOutcome o = run_experiment(req, ctx.out);
    if (!o.dir.empty()) ctx.out << o.dir << "\n";
    return o.exit_code;
  };
}

// ---- ls / show / compare ---------------------------------------------------------------------

std::vector<std::pair<std::string, std::string>> parse_params(const std::vector<std::string>& kvs) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& kv : kvs) {
    const auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) throw ConfigError("--param '" + kv + "': expected key=value");
    out.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
  }
  return out;
}

void print_runs(const std::vector<RunRecord>& runs, const std::vector<std::string>& seen, std::ostream& out) {
  out << std::left << std::setw(30) << "id" << std::setw(20) << "experiment" << std::setw(12) << "status"
      << std::setw(22) << "started" << "summary\n";
  for (size_t i = 0; i < runs.size(); ++i) {
    const RunRecord& r = runs[i];
    std::ostringstream s;
    int shown = 0;
    for (const auto& [k, v] : r.summary)
      if (k.rfind("final/", 0) == 0 && shown++ < 3) s << k.substr(6) << "=" << std::setprecision(4) << v << " ";
    out << std::left << std::setw(30) << r.id << std::setw(20) << r.experiment << std::setw(12) << seen[i]
        << std::setw(22) << r.started << s.str() << "\n";
  }
}

Action add_ls(CLI::App& app, Context& ctx) {
  struct Args {
    std::string experiment, status;
    std::vector<std::string> params;
  };
  auto a = std::make_shared<Args>();
  auto* sc = app.add_subcommand("ls", "list runs in the index, with what the disk says of them");
  sc->add_option("--experiment", a->experiment, "only this experiment");
  sc->add_option("--status", a->status, "running | completed | failed | interrupted | died | missing")
      ->check(CLI::IsMember({"running", "completed", "failed", "interrupted", "died", "missing"}));
  sc->add_option("--param", a->params, "key=value that runs must have (repeatable)");
  add_runs_root(sc, ctx);
  return [sc, a, &ctx]() -> int {
    if (!*sc) return -1;
    ResultsIndex index(ctx.index());
    std::vector<RunRecord> runs;
    std::vector<std::string> seen;
    for (auto& r : index.list(RunFilter{a->experiment, "", parse_params(a->params), ""})) {
      std::string s = observed_status(r);
      if (!a->status.empty() && s != a->status) continue;
      seen.push_back(std::move(s));
      runs.push_back(std::move(r));
    }
    print_runs(runs, seen, ctx.out);
    return 0;
  };
}

Action add_show(CLI::App& app, Context& ctx) {
  auto run = std::make_shared<std::string>();
  auto* sc = app.add_subcommand("show", "show one run: its record, summary and what the disk says of it");
  sc->add_option("run", *run, "run id, id prefix or directory")->required();
  add_runs_root(sc, ctx);
  return [sc, run, &ctx]() -> int {
    if (!*sc) return -1;
    ResultsIndex index(ctx.index());
    const auto r = index.get(*run);
    if (!r) throw ConfigError("engram show: no run '" + *run + "' in " + ctx.index());
    nlohmann::json j = *r;
    j["observed_status"] = observed_status(*r);
    ctx.out << j.dump(2) << "\n";
    return 0;
  };
}

Action add_compare(CLI::App& app, Context& ctx) {
  struct Args {
    CompareOptions opt;
    std::string experiment, status = "completed";
    std::vector<std::string> params;
    bool rows = false;
    std::string comparison;
    std::vector<std::string> overrides;
  };
  auto a = std::make_shared<Args>();
  auto* sc = app.add_subcommand("compare", "table of metrics grouped by parameters, mean and std over seeds");
  sc->add_option("--comparison", a->comparison, "a comparison config: render its table, plots and capacities from the index");
  sc->add_option("overrides", a->overrides, "with --comparison: the overrides it was run with");
  sc->add_option("--experiment", a->experiment, "only this experiment");
  sc->add_option("--status", a->status, "only runs with this status (default completed)");
  sc->add_option("--param", a->params, "key=value that runs must have (repeatable)");
  sc->add_option("--by", a->opt.group_by, "parameter keys to group by (repeatable)");
  sc->add_option("--metric", a->opt.metrics, "summary metrics to show (default all)");
  sc->add_option("--format", a->opt.format, "markdown | csv")->check(CLI::IsMember({"markdown", "csv"}));
  sc->add_option("--precision", a->opt.precision, "digits")->check(CLI::Range(0, 12));
  sc->add_option("--best", a->opt.best, "METRIC:min|max: show each group's best run (restarts) instead of mean ± std");
  sc->add_flag("--rows", a->rows, "stack the tables (table.csv) of study runs instead of grouping summaries");
  add_runs_root(sc, ctx);
  return [sc, a, &ctx]() -> int {
    if (!*sc) return -1;
    if (!a->comparison.empty()) {
      const ComparisonSpec spec = read_comparison(a->comparison, a->overrides);
      return render_comparison(spec, comparison_cells(spec), ctx);
    }
    if (!a->overrides.empty()) throw ConfigError("engram compare: overrides apply to --comparison only");
    ResultsIndex index(ctx.index());
    const auto runs = index.list(RunFilter{a->experiment, a->status, parse_params(a->params), ""});
    ctx.out << (a->rows ? stack_run_tables(runs, a->opt) : compare_runs(runs, a->opt));
    return 0;
  };
}

// ---- list ------------------------------------------------------------------------------------

Action add_list(CLI::App& app, Context& ctx) {
  auto kind = std::make_shared<std::string>();
  auto* sc = app.add_subcommand("list", "registered components: every kind with its count, or the names of one kind");
  sc->add_option("kind", *kind, "a kind (engram list shows them all)");
  return [sc, kind, &ctx]() -> int {
    if (!*sc) return -1;
    const Catalogue& cat = catalogue();
    if (kind->empty()) {
      for (const auto& k : cat.kinds())
        ctx.out << std::left << std::setw(14) << k.name << std::setw(5) << k.entries().size() << k.description << "\n";
      return 0;
    }
    const auto k = cat.find(*kind);
    if (!k) {
      std::string names;
      for (const auto& x : cat.kinds()) names += (names.empty() ? "" : ", ") + x.name;
      throw ConfigError("engram list: unknown kind '" + *kind + "'; kinds: " + names);
    }
    for (const auto& [n, d] : k->entries()) ctx.out << std::left << std::setw(20) << n << " " << d << "\n";
    return 0;
  };
}

// ---- babi-generate ---------------------------------------------------------------------------

Action add_babi_generate(CLI::App& app, Context& ctx) {
  auto g = std::make_shared<babi::GenerateRequest>();
  auto* sc = app.add_subcommand("babi-generate", "write generated bAbI-style task files DIR/qaN_generated_{train,test}.txt");
  sc->add_option("--task", g->tasks, "1 2 3 6 7 8 19, or all (repeatable)")->required();
  sc->add_option("--out", g->out, "output directory")->required();
  sc->add_option("--seed", g->seed, "the same text as a run with this seed and task.data.generate");
  sc->add_option("--stories", g->stories, "training stories per task (default 1000)");
  sc->add_option("--test-stories", g->test_stories, "test stories per task (default 0: no test file)");
  sc->add_option("--statements", g->statements, "statements per story (default per task)");
  sc->add_option("--questions", g->questions, "questions per story (default per task)");
  sc->add_option("--actors", g->actors, "actors asked about");
  sc->add_option("--objects", g->objects, "objects that can be carried");
  sc->add_option("--places", g->places, "places (rooms)");
  sc->add_option("--distractors", g->distractors, "share of distractor statements, [0, 0.9]");
  sc->add_option("--distance", g->distance, "natural (questions spread over the story) | uniform (tasks 1, 6: asked at the end about a fact anywhere)");
  sc->add_option("--path-length", g->path_length, "task 19: steps of the asked paths");
  return [sc, g, &ctx]() -> int {
    if (!*sc) return -1;
    for (const auto& p : babi::run_generate(*g)) ctx.out << p << "\n";
    return 0;
  };
}

// ---- plot ------------------------------------------------------------------------------------

Action add_plot(CLI::App& app, Context& ctx) {
  struct Args {
    std::vector<std::string> runs, metrics;
    std::string out;
  };
  auto a = std::make_shared<Args>();
  auto* sc = app.add_subcommand("plot", "learning curves, study plots and heat maps of runs (python/engram/plotting.py)");
  sc->add_option("runs", a->runs, "run ids, id prefixes or directories")->required();
  sc->add_option("--metric", a->metrics, "split/name to draw, e.g. val/accuracy (repeatable; default: all)")
      ->allow_extra_args(false);
  sc->add_option("--out", a->out, "output directory (default: RUN/plots for one run, ./plots for several)");
  add_runs_root(sc, ctx);
  return [sc, a, &ctx]() -> int {
    if (!*sc) return -1;
    // each run by id, prefix or directory; the drawing is python/engram/plotting.py's
    std::unique_ptr<ResultsIndex> index;
    std::vector<std::string> args{plot_python(), plot_script(), "--runs"};
    for (const auto& r : a->runs) {
      if (fs::is_directory(r)) {
        args.push_back(r);
        continue;
      }
      if (!index) index = std::make_unique<ResultsIndex>(ctx.index());
      const auto rec = index->get(r);
      if (!rec) throw ConfigError("engram plot: no run '" + r + "' in " + ctx.index());
      args.push_back(rec->dir);
    }
    for (const auto& m : a->metrics) args.insert(args.end(), {"--metric", m});
    if (!a->out.empty()) args.insert(args.end(), {"--out", a->out});
    ctx.out << std::flush;
    const pid_t pid = spawn(args, true);
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
  };
}

}  // namespace

int cli_main(int argc, char** argv, std::ostream& out, std::ostream& err) {
  CLI::App app{"engram: memory-augmented networks and associative memory"};
  app.require_subcommand(1);
  Context ctx{"runs", out, err};
  add_runs_root(&app, ctx);
  const std::vector<Action> actions{add_run(app, ctx),  add_ls(app, ctx),   add_show(app, ctx),
                                    add_compare(app, ctx), add_list(app, ctx), add_babi_generate(app, ctx),
                                    add_plot(app, ctx)};
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    out << app.help();
    return 0;
  } catch (const CLI::CallForAllHelp&) {
    out << app.help("", CLI::AppFormatMode::All);
    return 0;
  } catch (const CLI::ParseError& e) {
    err << "engram: " << e.what() << "\n";
    return 2;
  }
  try {
    if (ctx.runs_root.empty()) throw ConfigError("--runs-root is empty; give a folder (the default is 'runs')");
    for (const auto& act : actions) {
      const int code = act();
      if (code >= 0) return code;
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
