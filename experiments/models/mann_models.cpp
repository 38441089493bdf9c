// The memory-augmented models of the bit-sequence tasks (networks/memory_augmented.h): one model
// `mann` whose `preset` picks the memory, and `ntm`, `dnc`, `lru_mann` as the same model with
// that preset. Every key is the same for all four.
//
//   model:
//     name: ntm                  # ntm | dnc | lru_mann, or mann with preset: ntm | dnc | lru
//     controller: {name: lstm, hidden: 100}     # any registered controller (`engram list controllers`)
//     memory:
//       slots: 128               # N
//       width: 20                # W
//       read_heads: 1
//       write_heads: 1           # lru: default read_heads (write head j works with read head j mod R)
//       shift_range: 1           # the range of every `shift` stage that does not set its own
//       init: constant           # constant | random | learned; init_value, init_scale,
//                                # initial_weighting, reset, lru_decay (memory/external_memory.h)
//     addressing: [content, interpolate, shift, sharpen]   # every head's pipeline
//     read_addressing: ~         # the read heads' pipeline (instead of `addressing`)
//     write_addressing: ~        # the write heads' pipeline
//     write: {erase: emitted, add: emitted, add_activation: identity}   # what write heads write
//
// A pipeline is a list of registered stage names (`engram list addressing`), or a list of
// mappings when stages take options: [{name: content}, {name: topk, k: 4}] (one list holds
// names only or mappings only). Presets, when no pipeline is given:
//   ntm  read and write heads [content, interpolate, shift, sharpen]; write heads erase and add;
//        every head starts focused on slot 0 (memory.initial_weighting: first_slot)
//   dnc  read heads [content, temporal], write heads [content, allocate]; memory starts at 0
//   lru  read heads [content], write heads [lru], which zero their least-used slot and write
//        their read head's key (write: {erase: least_used, add: read_key})
//
// Loss, metrics and val0_input/target/output/mask of inspect() are BitSequenceModel's; inspect()
// adds validation episode 0's weightings over time: val0_read_weights [T x N] and
// val0_write_weights [T x N] (head 0; heads i > 0 as val0_read_weights<i>), val0_usage (DNC
// usage) and val0_lru_usage (LRU) when the memory tracks them. The runner draws each as a heat
// map (<run>/inspect/*.png).
#include "experiments/models/bit_sequence_model.h"
#include "networks/memory_augmented.h"

#include <string>

namespace engram::experiments::algorithmic {

namespace {

using memory::HeadConfig;
using memory::HeadKind;
using memory::MemoryConfig;
using memory::StageConfig;

class MannModel : public BitSequenceModel {
 public:
  MannModel(std::unique_ptr<networks::Controller<float>> controller, const MemoryConfig& mc,
            const BitSequenceTask& task, Rng& rng)
      : BitSequenceModel(task), net_(std::move(controller), mc, task.input_size(), task.output_size(), rng) {
    add_module("net", net_);
  }

 protected:
  Var<float> logits(const MatF& input) const override { return net_.logits(input); }

  std::map<std::string, MatF> inspect_episode(const MatF& input) const override {
    networks::MemoryTrace<float> trace;
    (void)net_.logits(input, &trace);
    std::map<std::string, MatF> out;
    const auto add = [&](const std::string& kind, const std::vector<MatF>& ws) {
      for (size_t i = 0; i < ws.size(); ++i)
        out["val0_" + kind + "_weights" + (i ? std::to_string(i) : std::string())] = ws[i];
    };
    add("read", trace.read_weights);
    add("write", trace.write_weights);
    if (trace.usage.size()) out["val0_usage"] = trace.usage;
    if (trace.lru_usage.size()) out["val0_lru_usage"] = trace.lru_usage;
    return out;
  }

 private:
  networks::MemoryAugmented<float> net_;
};

// A pipeline at cfg[key]: a list of stage names, or of mappings {name: <stage>, <options>}. Each
// stage and the pipeline are built once here for `shape`, so that a bad stage name, option or
// order is an error at its file:line. `shift_range`: the range of shift stages without their own.
std::vector<StageConfig> read_pipeline(Section& cfg, const std::string& key, const memory::AddressingShape& shape,
                                       double shift_range) {
  std::vector<StageConfig> out;
  Rng rng(0, "validate");
  const auto with_range = [&](StageConfig st) {
    if (st.name == "shift" && !st.options.has("range")) st.options.set("range", shift_range);
    return st;
  };
  std::vector<std::string> names;
  bool mappings = false;
  try {
    names = cfg.strings(key, {});
  } catch (const ConfigError&) {
    mappings = true;
  }
  if (!mappings) {
    for (const auto& name : names) {
      try {
        out.push_back(with_range({name, {}}));
        (void)memory::make_stage<float>(name, shape, out.back().options, rng);
      } catch (const std::invalid_argument& e) {
        cfg.fail(key, std::string("has ") + e.what());
      }
    }
  } else {
    std::vector<Section> items;
    try {
      items = cfg.sections(key);
    } catch (const ConfigError&) {
      cfg.fail(key, "must be a list of addressing stage names ([content, shift]) or of mappings "
                    "([{name: content}, {name: shift, range: 2}]), not both in one list");
    }
    for (Section& s : items) {
      const auto factory = lookup_component(memory::addressing_stages<float>(), s);  // an unknown name, at its line
      StageConfig st = with_range({s.string("name"), to_options(s)});
      (void)with_config_errors(s, [&] { return factory(shape, st.options, rng); });
      s.finish();
      out.push_back(std::move(st));
    }
  }
  if (out.empty()) cfg.fail(key, "must name at least one addressing stage");
  try {
    (void)memory::Pipeline<float>(out, shape, rng, key);
  } catch (const std::invalid_argument& e) {
    cfg.fail(key, std::string("is not a valid pipeline: ") + e.what());
  }
  return out;
}

std::unique_ptr<Model> build_mann(Section& cfg, const Task& task, Rng& rng, const std::string& model,
                                  const std::string& fixed_preset) {
  const auto& bits = require_family<BitSequenceTask>(task, model, "bit_sequence");
  const std::string preset = fixed_preset.empty() ? cfg.choice("preset", "ntm", {"ntm", "dnc", "lru"})
                                                  : cfg.choice("preset", fixed_preset, {fixed_preset});

  // ---- memory section: head counts and shift range here, the rest through memory_config ----
  Section mem = cfg.section("memory");
  const Index reads = mem.integer("read_heads", 1, 1, 64);
  const Index writes = mem.integer("write_heads", preset == "lru" ? reads : 1, 0, 64);
  const double shift_range = double(mem.integer("shift_range", 1, 0, 1 << 20));
  Options mem_opt = to_options(mem, {"read_heads", "write_heads", "shift_range"});
  if (preset == "dnc" && !mem_opt.has("init_value")) mem_opt.set("init_value", 0.0);  // the DNC memory starts at 0
  // An NTM needs its heads' first weighting to break the symmetry of a constant memory: from a
  // zero (or uniform) one, content, shift and sharpening keep every weighting uniform.
  if (preset == "ntm" && !mem_opt.has("initial_weighting")) mem_opt.set("initial_weighting", "first_slot");
  MemoryConfig mc = with_config_errors(mem, [&] { return memory::memory_config({}, mem_opt); });
  mem.finish();
  const memory::AddressingShape shape{mc.slots, mc.width, reads, writes};

  // ---- pipelines: the preset's, or `addressing` for every head, or per kind ----
  std::vector<StageConfig> read_pipe, write_pipe;
  if (preset == "ntm") read_pipe = write_pipe = memory::stages({"content", "interpolate", "shift", "sharpen"});
  if (preset == "dnc") {
    read_pipe = memory::stages({"content", "temporal"});
    write_pipe = memory::stages({"content", "allocate"});
  }
  if (preset == "lru") {
    read_pipe = memory::stages({"content"});
    write_pipe = memory::stages({"lru"});
  }
  for (auto* pipe : {&read_pipe, &write_pipe})
    for (auto& st : *pipe)
      if (st.name == "shift") st.options.set("range", shift_range);
  const auto given = [&](const std::string& key) {
    if (cfg.has(key)) return true;
    (void)cfg.strings(key, {});  // absent or null: the default (and a known key)
    return false;
  };
  if (given("addressing")) read_pipe = write_pipe = read_pipeline(cfg, "addressing", shape, shift_range);
  if (given("read_addressing")) read_pipe = read_pipeline(cfg, "read_addressing", shape, shift_range);
  if (given("write_addressing")) write_pipe = read_pipeline(cfg, "write_addressing", shape, shift_range);

  // ---- heads ----
  Section write = cfg.section("write");
  Options write_opt = to_options(write, {});
  if (preset == "lru") {
    if (!write_opt.has("erase")) write_opt.set("erase", "least_used");
    if (!write_opt.has("add")) write_opt.set("add", "read_key");
  }
  for (Index i = 0; i < reads; ++i) mc.heads.push_back(memory::head_config(HeadKind::read, read_pipe));
  for (Index j = 0; j < writes; ++j) {
    Options o = write_opt;
    if (preset == "lru" && !o.has("pair")) o.set("pair", double(j % reads));
    mc.heads.push_back(with_config_errors(write, [&] { return memory::head_config(HeadKind::write, write_pipe, o); }));
  }
  write.finish();

  // ---- controller, then the network (its memory checks the heads against their pipelines) ----
  auto controller = build_component(cfg.section("controller"), networks::controllers<float>(),
                                    networks::ControllerShape{networks::MemoryAugmented<float>::controller_input(mc, bits.input_size())},
                                    rng, "lstm");
  cfg.finish();
  Section where = write.keys().empty() ? cfg : write;
  return with_config_errors(where, [&]() -> std::unique_ptr<Model> {
    return std::make_unique<MannModel>(std::move(controller), mc, bits, rng);
  });
}

ModelFactory mann_factory(const std::string& model, const std::string& preset) {
  return [model, preset](Section& cfg, const Task& task, Rng& rng) { return build_mann(cfg, task, rng, model, preset); };
}

[[maybe_unused]] const bool mann_registered =
    models().add("mann", "controller + external memory (preset: ntm | dnc | lru; any addressing pipelines); bit-sequence tasks",
                 mann_factory("mann", "")) &&
    models().add("ntm", "Neural Turing Machine (Graves et al. 2014): mann with preset ntm", mann_factory("ntm", "ntm")) &&
    models().add("dnc", "Differentiable Neural Computer (Graves et al. 2016): mann with preset dnc",
                 mann_factory("dnc", "dnc")) &&
    models().add("lru_mann", "least-recently-used MANN (Santoro et al. 2016): mann with preset lru",
                 mann_factory("lru_mann", "lru"));

}  // namespace

}  // namespace engram::experiments::algorithmic
