// Fuzzes the IDX reader (plain and gzipped): malformed bytes must be a std::invalid_argument
// naming the source, never a crash, and a parsed array must hold exactly what its sizes say.
#include "experiments/idx.h"

#include <cstdint>
#include <string_view>

using namespace engram::experiments;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, size_t size) {
  try {
    const IdxArray a = parse_idx(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.idx", 1 << 24);
    std::uint64_t total = 1;
    for (auto d : a.dims) total *= d;
    if (total != a.data.size()) __builtin_trap();
    if (a.dims.size() == 3) (void)idx_images(a, "fuzz.idx");
    if (a.dims.size() == 1) (void)idx_labels(a, "fuzz.idx");
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
