// Fuzzes the config loader: YAML text, `defaults:` composition across files, overrides and
// multirun sweeps. Input: main.yaml, then (after a line "#---") base.yaml, then the overrides
// one per line. Every failure must be a ConfigError; a config that loads must survive the
// round trip parse(to_yaml()) with the same flatten() (config.h promises it).
#include "experiments/config.h"
#include "fuzz/fuzz_util.h"

#include <cstdint>
#include <cstdlib>
#include <string>

using namespace engram::experiments;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto parts = engram::fuzz::split(input, "\n#---\n", 3);
  const std::string main = engram::fuzz::write_scratch("main.yaml", parts[0]);
  engram::fuzz::write_scratch("base.yaml", parts.size() > 1 ? parts[1] : std::string_view());
  std::vector<std::string> overrides;
  if (parts.size() > 2) {
    std::string_view rest = parts[2];
    while (!rest.empty() && overrides.size() < 16) {
      const size_t nl = rest.find('\n');
      overrides.emplace_back(rest.substr(0, nl));
      rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    }
  }
  try {
    (void)expand_multirun(overrides);
  } catch (const ConfigError&) {
  }
  try {
    Config cfg = Config::load(main, overrides);
    const auto flat = cfg.flatten();
    const std::string yaml = cfg.to_yaml();
    Config again = Config::parse(yaml, (engram::fuzz::scratch() / "again.yaml").string());
    if (again.flatten() != flat) std::abort();  // the resolved config must read back as itself
    // read every top-level key the ways a component might
    Section root = cfg.root();
    for (const auto& key : root.keys()) {
      try { (void)root.integer(key, 0); } catch (const ConfigError&) {}
      try { (void)root.number(key, 0.0); } catch (const ConfigError&) {}
      try { (void)root.boolean(key, false); } catch (const ConfigError&) {}
      try { (void)root.strings(key, {}); } catch (const ConfigError&) {}
      try { (void)root.path_value(key, ""); } catch (const ConfigError&) {}
      try { (void)root.sections(key); } catch (const ConfigError&) {}
    }
    try { root.finish(); } catch (const ConfigError&) {}
  } catch (const ConfigError&) {
  }
  return 0;
}
