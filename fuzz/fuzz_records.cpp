// Fuzzes the record files a run leaves behind and reads back: metrics.jsonl (and points.jsonl,
// the same reader) and study tables (table.csv). Damage must be an exception naming file:line,
// a torn last line is dropped; a table that parses must survive csv() -> from_csv().
#include "experiments/run_dir.h"
#include "experiments/table.h"
#include "fuzz/fuzz_util.h"

#include <cmath>
#include <cstdint>

using namespace engram::experiments;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::string path = engram::fuzz::write_scratch("metrics.jsonl", input);
  try {
    (void)read_metrics_file(path);
  } catch (const std::runtime_error&) {
  }
  try {
    const Table t = Table::from_csv(std::string(input), "table.csv");
    const Table again = Table::from_csv(t.csv(), "again.csv");
    if (again.columns != t.columns || again.rows.size() != t.rows.size()) __builtin_trap();
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
