#include "core/cpu.h"

#include <fstream>

namespace engram {

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("model name", 0) == 0) {
      const auto colon = line.find(':');
      if (colon != std::string::npos) return line.substr(line.find_first_not_of(' ', colon + 1));
    }
  return "unknown";
}

std::vector<std::string> cpu_features() {
  std::vector<std::string> out;
#if defined(__x86_64__) && defined(__GNUC__)
  __builtin_cpu_init();
#define ENGRAM_FEATURE(name) \
  if (__builtin_cpu_supports(name)) out.push_back(name);
  ENGRAM_FEATURE("sse4.2")
  ENGRAM_FEATURE("popcnt")
  ENGRAM_FEATURE("avx")
  ENGRAM_FEATURE("avx2")
  ENGRAM_FEATURE("fma")
  ENGRAM_FEATURE("bmi2")
  ENGRAM_FEATURE("avx512f")
  ENGRAM_FEATURE("avx512dq")
  ENGRAM_FEATURE("avx512bw")
  ENGRAM_FEATURE("avx512vl")
  ENGRAM_FEATURE("avx512vnni")
  ENGRAM_FEATURE("avx512vpopcntdq")
#undef ENGRAM_FEATURE
#endif
  return out;
}

std::string cpu_description() {
  std::string s = cpu_model() + " |";
  for (const auto& f : cpu_features()) s += " " + f;
  return s;
}

std::string build_arch() {
#ifdef ENGRAM_ARCH
  return ENGRAM_ARCH;
#else
  return "unknown";
#endif
}

}  // namespace engram
