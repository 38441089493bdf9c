// Fuzzes opening a damaged results index: the input is the database file. Every failure must
// be a std::runtime_error (or invalid_argument) naming the index; nothing may crash.
#include "experiments/results_index.h"
#include "fuzz/fuzz_util.h"

#include <cstdint>
#include <filesystem>

using namespace engram::experiments;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, size_t size) {
  const auto dir = engram::fuzz::scratch();
  std::error_code ec;
  std::filesystem::remove(dir / "index.sqlite-wal", ec);
  std::filesystem::remove(dir / "index.sqlite-shm", ec);
  const std::string path =
      engram::fuzz::write_scratch("index.sqlite", std::string_view(reinterpret_cast<const char*>(data), size));
  try {
    ResultsIndex index(path);
    for (const auto& r : index.list()) (void)index.get(r.id);
    (void)index.get("2026");
    (void)index.find_completed("x", "y");
    RunRecord r;
    r.id = "fuzz";
    r.experiment = "e";
    r.dir = "d";
    r.status = "completed";
    r.started = r.finished = "2026-01-01T00:00:00Z";
    r.params = {{"a", "1"}};
    r.summary = {{"m", 0.5}};
    index.upsert(r);
    if (index.get("fuzz")->summary.at("m") != 0.5) __builtin_trap();
  } catch (const std::runtime_error&) {
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
