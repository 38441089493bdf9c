// The `dnc` model: `mann` (mann.cpp, which documents the keys) with the memory preset `dnc`
// (memory/presets.h).
#include "experiments/models/mann.h"

namespace engram::experiments::algorithmic {

ENGRAM_REGISTER(models(), "dnc", "Differentiable Neural Computer (Graves et al. 2016): mann with preset dnc", mann_factory("dnc", "dnc"));

}  // namespace engram::experiments::algorithmic
