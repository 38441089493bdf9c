#include "experiments/build_info.h"

namespace engram::experiments {
const char* build_version() { return ENGRAM_VERSION; }
const char* build_compiler() { return ENGRAM_COMPILER; }
const char* build_flags() { return ENGRAM_FLAGS; }
}  // namespace engram::experiments
