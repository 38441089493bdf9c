// The `lru_mann` model: `mann` (mann.cpp, which documents the keys) with the memory preset `lru`
// (memory/presets.h).
#include "experiments/models/mann.h"

namespace engram::experiments::algorithmic {

ENGRAM_REGISTER(models(), "lru_mann", "least-recently-used MANN (Santoro et al. 2016): mann with preset lru", mann_factory("lru_mann", "lru"));

}  // namespace engram::experiments::algorithmic
