// The `ntm` model: `mann` (mann.cpp, which documents the keys) with the memory preset `ntm`
// (memory/presets.h).
#include "experiments/models/mann.h"

namespace engram::experiments::algorithmic {

ENGRAM_REGISTER(models(), "ntm", "Neural Turing Machine (Graves et al. 2014): mann with preset ntm", mann_factory("ntm", "ntm"));

}  // namespace engram::experiments::algorithmic
