// The `mann` model: a controller with an external memory (networks/memory_augmented.h) on the
// bit-sequence tasks, its memory one of the presets of memory/presets.h (`preset`) with any
// addressing pipelines. `ntm`, `dnc` and `lru_mann` (ntm.cpp, dnc.cpp, lru_mann.cpp) are the same
// model with their preset fixed. Every key is the same for all four.
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
//     examples_per_graph: 8      # (bit-sequence tasks) training episodes in one batched graph when the memory batches
//                                # (ExternalMemory::batches(): the NTM's and DNC's; the LRU takes one
//                                # episode per graph whatever this says); a speed knob that changes
//                                # only rounding, never a function of threads. Default 8 for the
//                                # ntm preset up to 256 slots, else 1 (measured slower batched)
//
// A pipeline is a list of registered stages (`engram list addressing`), each a name or a mapping
// with options: [content, {name: topk, k: 4}, sharpen]. The presets (memory/presets.h) give the
// pipelines, memory and write options that are not set here.
//
// On a story task (the `babi` family) the same keys build the NTM/DNC/LRU story reader of the
// memory comparison (networks/recurrent_reader.h), with the story encoder's keys as well: dim
// (32), encoding (bow | pe), temporal (true), memory_size (the task's), init_stddev (1.0), and the
// question's place, query (end | every_step).
//
// Loss, metrics and val0_input/target/output/mask of inspect() are BitSequenceModel's; inspect()
// adds validation episode 0's weightings over time: val0_read_weights [T x N] and
// val0_write_weights [T x N] (head 0; heads i > 0 as val0_read_weights<i>), and what the
// memory's trackers show (val0_usage for the DNC usage, val0_lru_usage for LRU, ...). The runner draws each as a heat
// map (<run>/inspect/*.png).
#include "experiments/models/mann.h"

#include "experiments/models/bit_sequence_model.h"
#include "experiments/models/story_model.h"
#include "memory/presets.h"
#include "networks/memory_augmented.h"
#include "networks/recurrent_reader.h"

#include <span>
#include <string>

namespace engram::experiments::algorithmic {

namespace {

using memory::MemoryConfig;
using memory::StageConfig;

class MannModel : public BitSequenceModel {
 public:
  MannModel(std::unique_ptr<networks::Controller<float>> controller, const MemoryConfig& mc,
            const BitSequenceTask& task, Index per_graph, Rng& rng)
      : BitSequenceModel(task), net_(std::move(controller), mc, task.input_size(), task.output_size(), rng),
        per_graph_(per_graph) {
    add_module("net", net_);
  }

  // A memory that batches (NTM, DNC) trains examples_per_graph episodes in one graph; the others
  // (LRU: its usage ranks slots per sequence) one graph per episode, as Model's default.
  Var<float> loss_sum(std::span<const std::uint64_t> ids, std::span<Rng> rngs) const override {
    if (ids.size() < 2 || !net_.memory().batches()) return Model::loss_sum(ids, rngs);
    std::vector<BitSequenceExample> episodes;
    for (const std::uint64_t id : ids) episodes.push_back(task().train_example(id));
    std::vector<const MatF*> inputs;
    for (const auto& e : episodes) inputs.push_back(&e.input);
    const std::vector<Var<float>> z = net_.logits_batch(inputs);
    Var<float> total = masked_bce(z[0], episodes[0]);
    for (size_t b = 1; b < z.size(); ++b) total = add(total, masked_bce(z[b], episodes[b]));
    return total;
  }
  Index examples_per_graph() const override { return per_graph_; }

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
    for (const auto& [name, m] : trace.tracked) out["val0_" + name] = m;
    return out;
  }

 private:
  networks::MemoryAugmented<float> net_;
  Index per_graph_;
};

// The pipeline chosen at cfg[key] (a list of stages, each a name or {name: ..., <options>}),
// when given. Each stage is built once here for `shape` (a bad name or option is an error at its
// line) and the pipeline too (a bad order is an error at the key).
std::optional<std::vector<StageConfig>> read_pipeline(Section& cfg, const std::string& key,
                                                      const memory::AddressingShape& shape, Index shift_range) {
  if (!cfg.has(key)) {
    (void)read_choices(cfg, key, {});  // absent or null: the preset's (and a known key)
    return std::nullopt;
  }
  std::vector<StageConfig> out;
  Rng rng(0, "validate");
  for (Choice& c : read_choices(cfg, key, {})) {
    if (c.name == "shift" && !c.options.has("range")) c.options.set("range", double(shift_range));
    (void)build_choice(c, memory::addressing_stages<float>(), shape, rng);
    out.push_back({c.name, c.options});
  }
  if (out.empty()) cfg.fail(key, "must name at least one addressing stage");
  try {
    (void)memory::Pipeline<float>(out, shape, rng, key);
  } catch (const std::invalid_argument& e) {
    cfg.fail(key, std::string("is not a valid pipeline: ") + e.what());
  }
  return out;
}

// The memory of the model's section: the preset, its sizes, pipelines and options.
memory::MemoryConfig read_memory(Section& cfg, const std::string& preset) {
  memory::PresetOptions po;
  Section mem = cfg.section("memory");
  po.slots = mem.integer("slots", 128, 1, Index(1) << 30);
  po.width = mem.integer("width", 20, 1, Index(1) << 30);
  po.read_heads = mem.integer("read_heads", 1, 1, 256);
  po.write_heads = mem.has("write_heads") ? mem.integer("write_heads", 1, 0, 256) : -1;  // -1: the preset's
  po.shift_range = mem.integer("shift_range", 1, 0, 1 << 20);
  po.memory = to_options(mem, {"slots", "width", "read_heads", "write_heads", "shift_range"});
  const Index writes = po.write_heads >= 0 ? po.write_heads : preset == "lru" ? po.read_heads : 1;
  const memory::AddressingShape shape{po.slots, po.width, po.read_heads, writes};
  if (auto all = read_pipeline(cfg, "addressing", shape, po.shift_range)) po.read_addressing = po.write_addressing = all;
  if (auto r = read_pipeline(cfg, "read_addressing", shape, po.shift_range)) po.read_addressing = r;
  if (auto w = read_pipeline(cfg, "write_addressing", shape, po.shift_range)) po.write_addressing = w;
  Section write = cfg.section("write");
  po.write = to_options(write);
  // a bad memory or write option names its own key, found in whichever section holds it
  try {
    memory::MemoryConfig mc = memory::preset(preset, po);
    mem.finish();
    write.finish();
    return mc;
  } catch (const std::invalid_argument& e) {
    const std::string msg = e.what(), key = msg.substr(0, msg.find(':'));
    Section& where = write.has(key) ? write : mem;
    return with_config_errors(where, [&]() -> memory::MemoryConfig { throw; });
  }
}

// The story reader with this memory (networks/recurrent_reader.h) for the story tasks.
std::unique_ptr<Model> build_mann_reader(Section& cfg, const babi::StoryTask& story, Rng& rng, const std::string& preset) {
  const networks::StoryEncoderOptions enc = babi::read_story_encoder(cfg, story, 32, 1.0);
  const networks::QueryInput query = babi::read_query_input(cfg);
  const memory::MemoryConfig mc = read_memory(cfg, preset);
  const Index in = networks::MemoryAugmented<float>::controller_input(mc, networks::RecurrentReader<float>::input_size(enc.dim, query));
  auto controller = build_component(cfg, "controller", networks::controllers<float>(), networks::ControllerShape{in}, rng, "lstm");
  cfg.finish();
  Section write = cfg.section("write");
  Section& where = write.keys().empty() ? cfg : write;
  return with_config_errors(where, [&]() -> std::unique_ptr<Model> {
    return babi::make_story_model(std::make_unique<networks::RecurrentReader<float>>(enc, story.answers().size(),
                                                                                    std::move(controller), mc, rng, query),
                                  story);
  });
}

std::unique_ptr<Model> build_mann(Section& cfg, const Task& task, Rng& rng, const std::string& model,
                                  const std::string& fixed_preset) {
  const std::string preset = fixed_preset.empty() ? cfg.choice("preset", "ntm", {"ntm", "dnc", "lru"})
                                                  : cfg.choice("preset", fixed_preset, {fixed_preset});
  if (const auto* story = dynamic_cast<const babi::StoryTask*>(&task)) return build_mann_reader(cfg, *story, rng, preset);
  const auto& bits = require_family<BitSequenceTask>(task, model, "bit_sequence or babi");
  const memory::MemoryConfig mc = read_memory(cfg, preset);
  auto controller = build_component(cfg, "controller", networks::controllers<float>(),
                                    networks::ControllerShape{networks::MemoryAugmented<float>::controller_input(mc, bits.input_size())},
                                    rng, "lstm");
  // measured best (bench_mann batched/, 2026-12-08): the NTM at N 128 in graphs of 8 (0.44 against
  // 0.69 ms a sequence on 2 threads); at N 1024 and for the DNC (N x N links) larger graphs were
  // slower than one per episode (2.85 against 2.28 ms; 2.39 against 2.19 ms), so 1 there
  const Index per_graph = cfg.integer("examples_per_graph", preset == "ntm" && mc.slots <= 256 ? 8 : 1, 1, 4096);
  cfg.finish();
  // (the network's memory checks the heads against their pipelines: errors at the write section
  // when there is one, else at the model)
  Section write = cfg.section("write");
  Section& where = write.keys().empty() ? cfg : write;
  return with_config_errors(where, [&]() -> std::unique_ptr<Model> {
    return std::make_unique<MannModel>(std::move(controller), mc, bits, per_graph, rng);
  });
}

}  // namespace

ModelFactory mann_factory(const std::string& model, const std::string& preset) {
  return [model, preset](Section& cfg, const Task& task, Rng& rng) { return build_mann(cfg, task, rng, model, preset); };
}

ENGRAM_REGISTER(models(), "mann", "controller + external memory (preset: ntm | dnc | lru; any addressing pipelines); bit-sequence and story tasks",
                mann_factory("mann", ""));

}  // namespace engram::experiments::algorithmic
