// After a training run the runner saves the model's inspect() matrices as <run>/inspect/*.npy and
// draws each as a heat map (<name>.png, .svg) with python/engram/plotting.py; without the plotter
// the run completes all the same and its log says why there are no pictures.
#include "experiments/runner.h"
#include "experiments/study.h"

#include "tests/test_util.h"

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

using namespace engram;
using namespace engram::experiments;
namespace fs = std::filesystem;

namespace {

struct TempDir : engram::test::TempDir {
  TempDir() : engram::test::TempDir("engram-inspect") {}
};
using engram::test::slurp;

// A two-step NTM run on short copy episodes.
RunOutcome run_ntm(const TempDir& d, const std::string& out) {
  const fs::path cfg = d.path / "ntm.yaml";
  std::ofstream(cfg) << "name: ntm_inspect\nseed: 1\n"
                        "task: {name: copy, min_length: 1, max_length: 3, eval_lengths: [4], val_size: 4, eval_size: 2}\n"
                        "model: {name: ntm, controller: {hidden: 8}, memory: {slots: 8, width: 4}}\n"
                        "trainer: {steps: 2, batch: 2, eval_every: 2}\n";
  std::ostringstream log;
  RunRequest req;
  req.config = cfg.string();
  req.out = (d.path / out).string();
  req.runs_root = (d.path / "runs").string();
  req.progress = false;
  return run_experiment(req, log);
}

}  // namespace

TEST_CASE("the inspect matrices of a training run are drawn as heat maps when matplotlib is available",
          "[runner][plot]") {
  TempDir d;
  const std::string probe = plot_python() + " -c 'import matplotlib, numpy' >/dev/null 2>&1";
  if (std::system(probe.c_str()) != 0) {
    WARN("matplotlib not importable by " << plot_python() << ": heat map drawing not tested");
    return;
  }
  REQUIRE(run_ntm(d, "a").status == "completed");
  for (const std::string name : {"val0_read_weights", "val0_write_weights", "val0_input", "val0_output"}) {
    INFO(name);
    CHECK(fs::exists(d.path / ("a/inspect/" + name + ".npy")));
    CHECK(fs::file_size(d.path / ("a/inspect/" + name + ".png")) > 1000);
    CHECK(slurp(d.path / ("a/inspect/" + name + ".svg")).find("<svg") != std::string::npos);
  }
  CHECK_THAT(slurp(d.path / "a/log.txt"), Catch::Contains("inspect heat maps: "));
}

TEST_CASE("a run without the plotter keeps its inspect arrays and logs why there are no heat maps", "[runner][plot]") {
  TempDir d;
  const char* old = std::getenv("ENGRAM_PLOTTER");
  const std::string saved = old ? old : "";
  ::setenv("ENGRAM_PLOTTER", (d.path / "no_such_plotter.py").c_str(), 1);
  const RunOutcome o = run_ntm(d, "b");
  if (old) ::setenv("ENGRAM_PLOTTER", saved.c_str(), 1);
  else ::unsetenv("ENGRAM_PLOTTER");
  CHECK(o.status == "completed");
  CHECK(fs::exists(d.path / "b/inspect/val0_read_weights.npy"));
  CHECK_FALSE(fs::exists(d.path / "b/inspect/val0_read_weights.png"));
  CHECK_THAT(slurp(d.path / "b/log.txt"), Catch::Contains("inspect heat maps not drawn") &&
                                              Catch::Contains("no_such_plotter.py not found"));
}
