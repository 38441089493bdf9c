#include "memory/presets.h"

#include "core/registry.h"

namespace engram::memory {

namespace {

struct Preset {
  std::vector<std::string> read, write;  // the pipelines
  Options memory, write_head;            // defaults under the caller's options
};

Preset preset_parts(const std::string& name) {
  Preset p;
  if (name == "ntm") {
    p.read = p.write = {"content", "interpolate", "shift", "sharpen"};
    p.memory.set("initial_weighting", "first_slot");
  } else if (name == "dnc") {
    p.read = {"content", "temporal"};
    p.write = {"content", "allocate"};
    p.memory.set("init_value", 0.0);
  } else if (name == "lru") {
    p.read = {"content"};
    p.write = {"lru"};
    p.write_head.set("erase", "least_used");
    p.write_head.set("add", "read_key");
  } else {
    const auto names = preset_names();
    std::string known;
    for (const auto& n : names) known += (known.empty() ? "" : ", ") + n;
    const std::string near = nearest_name(name, names);
    throw std::invalid_argument("unknown memory preset '" + name + "'" +
                                (near.empty() ? std::string() : " (did you mean '" + near + "'?)") + "; presets: " + known);
  }
  return p;
}

// The caller's options over the preset's.
Options merged(const Options& defaults, const Options& given) {
  Options out = defaults;
  for (const auto& key : given.keys()) out.set(key, given.string(key, ""));
  return out;
}

}  // namespace

std::vector<std::string> preset_names() { return {"dnc", "lru", "ntm"}; }

MemoryConfig preset(const std::string& name, const PresetOptions& o) {
  const Preset p = preset_parts(name);
  const Index writes = o.write_heads >= 0 ? o.write_heads : name == "lru" ? o.read_heads : 1;
  // sizes from outside may be absurd: checked before anything is built (a loop over 2^31 heads
  // would run until memory is exhausted)
  constexpr Index kMaxHeads = 256, kMaxCells = Index(1) << 30;
  if (o.slots < 1 || o.width < 1 || o.slots > kMaxCells / o.width)
    throw std::invalid_argument("slots: a memory needs N >= 1 slots of width W >= 1 with N * W <= 2^30, got N = " +
                                std::to_string(o.slots) + ", W = " + std::to_string(o.width));
  if (o.read_heads < 1 || o.read_heads > kMaxHeads)
    throw std::invalid_argument("read_heads: must be in [1, 256], got " + std::to_string(o.read_heads));
  if (writes < 0 || writes > kMaxHeads)
    throw std::invalid_argument("write_heads: must be in [0, 256], got " + std::to_string(writes));
  if (o.shift_range < 0 || o.shift_range > kMaxCells)
    throw std::invalid_argument("shift_range: must be >= 0, got " + std::to_string(o.shift_range));

  const auto pipeline = [&](const std::optional<std::vector<StageConfig>>& given, const std::vector<std::string>& def) {
    std::vector<StageConfig> out = given ? *given : stages(def);
    for (auto& st : out)
      if (st.name == "shift" && !st.options.has("range")) st.options.set("range", double(o.shift_range));
    return out;
  };
  const std::vector<StageConfig> read_pipe = pipeline(o.read_addressing, p.read);
  const std::vector<StageConfig> write_pipe = pipeline(o.write_addressing, p.write);

  Options mem = merged(p.memory, o.memory);
  mem.set("slots", double(o.slots));
  mem.set("width", double(o.width));
  std::vector<HeadConfig> heads;
  for (Index i = 0; i < o.read_heads; ++i) heads.push_back(head_config(HeadKind::read, read_pipe));
  const Options write = merged(p.write_head, o.write);
  for (Index j = 0; j < writes; ++j) {
    Options w = write;
    if (name == "lru" && !w.has("pair")) w.set("pair", double(j % o.read_heads));
    heads.push_back(head_config(HeadKind::write, write_pipe, w));
  }
  return memory_config(std::move(heads), mem);
}

}  // namespace engram::memory
