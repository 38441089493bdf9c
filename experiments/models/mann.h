// engram/experiments/models/mann.h — the `mann` model's factory, for the files that register it
// under a fixed preset (ntm.cpp, dnc.cpp, lru_mann.cpp). mann.cpp documents the keys.
#pragma once

#include "experiments/problem.h"

#include <string>

namespace engram::experiments::algorithmic {

// Builds the model `model` (for messages) with the memory preset `preset` fixed, or chosen by
// the section's `preset` key when `preset` is empty.
ModelFactory mann_factory(const std::string& model, const std::string& preset);

}  // namespace engram::experiments::algorithmic
