// engram/memory/presets.h — the standard external memories by name: one source for the trainer
// (model.preset, model.name: ntm), Python (engram.ExternalMemory.ntm / .preset) and the docs.
//
//   ntm  Neural Turing Machine (Graves et al. 2014): every head [content, interpolate,
//        shift(range), sharpen]; write heads erase and add. Every head starts focused on slot 0
//        (initial_weighting: first_slot): from a zero or uniform start, content addressing of
//        the constant initial memory, shifts and sharpening keep every weighting uniform, and
//        the heads never break the symmetry.
//   dnc  Differentiable Neural Computer (Graves et al. 2016): read heads [content, temporal],
//        write heads [content, allocate] (free gates, usage, links and precedence follow); the
//        memory starts at 0.
//   lru  least-recently-used MANN (Santoro et al. 2016): read heads [content], write heads [lru]
//        that zero their least-used slot and write the key of their read head (write head j is
//        paired with read head j mod R). The key strength is emitted (oneplus); the paper's
//        plain cosine softmax is {content, beta: 1}.
//
// Heads are ordered read heads first, then write heads. Anything a preset sets is a default:
// PresetOptions replaces the pipelines and overrides memory and write-head options.
#pragma once

#include "core/options.h"
#include "memory/external_memory.h"

#include <optional>
#include <string>
#include <vector>

namespace engram::memory {

struct PresetOptions {
  Index slots = 128;             // N
  Index width = 20;              // W
  Index read_heads = 1;          // in [1, 256]
  Index write_heads = -1;        // in [0, 256]; -1: the preset's (1; lru: read_heads)
  Index shift_range = 1;         // the range of every shift stage that does not set its own
  std::optional<std::vector<StageConfig>> read_addressing = {};   // instead of the preset's
  std::optional<std::vector<StageConfig>> write_addressing = {};
  Options memory = {};           // memory options (memory_config), over the preset's defaults
  Options write = {};            // write-head options (head_config), over the preset's defaults
};

// "dnc", "lru", "ntm".
std::vector<std::string> preset_names();

// The memory of preset `name`. Throws std::invalid_argument for an unknown name (listing the
// known ones) and for bad sizes or options; messages start with the option's key where there is
// one ("read_heads: must be in [1, 256], got 0"), so a config reader can point at its file:line.
MemoryConfig preset(const std::string& name, const PresetOptions& options = {});

}  // namespace engram::memory
