// engram/memory/external_memory.h — an external memory of N slots x W with read and write
// heads whose addressing is a pipeline of registered stages: the memory layer under NTM, DNC and
// LRU-MANN controllers (networks/).
//
// A controller sees one thing: each step it emits a raw row of interface_size() numbers (a
// Linear layer of its hidden state) and gets the read vectors back:
//
//   ExternalMemory<float> memory(preset("ntm", {128, 20}), rng);       // memory/presets.h: ntm, dnc, lru
//   Linear<float> to_interface(hidden, memory.interface_size(), rng);
//   MemoryState<float> state = memory.initial_state();                 // one per sequence
//   Var<float> reads = memory.initial_reads();                         // [1 x R W] zeros
//   for (t ...) {
//     h = controller(concat({x_t, reads}, 1));
//     reads = memory.step(state, to_interface(h));                     // [1 x R W]
//     y_t = output(concat({h, reads}, 1));
//   }
//
// One step (write, then read, as in the DNC; NTM and LRU-MANN fit the same order):
//   1. split the interface into each head's values (memory/interface.h), activations applied;
//   2. every tracker's before_writes (DNC usage: u_t = (u_{t-1} (+) w^w_{t-1}) o prod_i (1 - f_i w^r_{t-1,i}));
//   3. each write head j in order: w = its pipeline on M (after earlier write heads), then
//      M <- M o (1 - w^T e) + w^T a, then every tracker's after_write(j, w) (DNC links and
//      precedence of head j);
//   4. each read head i: w = its pipeline on the written M_t, r_i = w M_t;
//   5. every tracker's after_reads (LRU usage: w^u_t = decay w^u_{t-1} + this step's weightings).
// Trackers (memory/state.h, memory/trackers.h) exist only when some stage reads them.
// The state holds every weighting, so a model can inspect them (heat maps) after each step.
//
// Thread safety: an ExternalMemory is immutable after construction and step() is const; all
// per-sequence data lives in the caller's MemoryState, one per sequence/thread.
#pragma once

#include "core/module.h"
#include "core/rng.h"
#include "memory/addressing.h"
#include "memory/interface.h"
#include "memory/state.h"

#include <memory>
#include <string>
#include <vector>

namespace engram::memory {

// What a write head writes.
enum class EraseMode {
  emitted,     // erase vector e [1 x W] sigmoid, from the controller (NTM, DNC)
  none,        // add only
  least_used,  // zero the head's least-used slot first, then add only (Santoro et al.; needs an lru stage)
};
enum class AddMode {
  emitted,   // add vector a [1 x W], from the controller (activation add_activation)
  read_key,  // the "key" of the paired read head (Santoro et al. write the read key)
};
// The memory's contents at the start of a sequence.
enum class InitMode {
  constant,  // every entry init_value (default 1e-6: small, so cosines are defined)
  random,    // uniform in [-s, s], s = init_scale or 1/sqrt(N + W); drawn once, the same every sequence
  learned,   // a parameter "initial_memory" [N x W], initialised like random
};
// The "previous" weighting of every head at the first step.
enum class InitialWeighting { zero, uniform, first_slot };

struct HeadConfig {
  HeadKind kind = HeadKind::read;
  std::vector<StageConfig> addressing;     // the pipeline: a source stage, then refining ones
  // write heads only:
  EraseMode erase = EraseMode::emitted;
  AddMode add = AddMode::emitted;
  Activation add_activation = Activation::identity;
  Index pair = -1;  // the read head this write head works with (lru, read_key); -1: the read head
                    // of the same index if there is one, else read head 0
};

struct MemoryConfig {
  Index slots = 128;  // N
  Index width = 20;   // W
  std::vector<HeadConfig> heads;  // at least one read head; read and write heads are numbered apart
  InitMode init = InitMode::constant;
  double init_value = 1e-6;
  double init_scale = 0;  // 0: 1/sqrt(N + W)
  InitialWeighting initial_weighting = InitialWeighting::zero;
  // true: every sequence starts from initial_state(). false: next_sequence() carries the last
  // state over (as constants: no gradient crosses sequences).
  bool reset_between_sequences = true;
  double lru_decay = 0.95;  // gamma of the LRU usage, in [0, 1]
};

// From config options (what a model reads from its YAML section; the pipeline comes separately,
// one StageConfig per list entry). Options are read with defaults and ranges, then finish() is
// called: an unknown key or a bad value throws std::invalid_argument starting with the key, so
// experiments' with_config_errors can point at its file:line.
//   head options: erase: emitted|none|least_used, add: emitted|read_key,
//                 add_activation: identity|tanh|sigmoid|..., pair: <read head index>
//   memory options: slots, width, init: constant|random|learned, init_value, init_scale,
//                   initial_weighting: zero|uniform|first_slot, reset: true|false, lru_decay
HeadConfig head_config(HeadKind kind, std::vector<StageConfig> addressing, const Options& options = {});
MemoryConfig memory_config(std::vector<HeadConfig> heads, const Options& options = {});

// The standard configurations (NTM, DNC, LRU-MANN) are memory::preset(name, ...) in
// memory/presets.h.

template <class T>
class ExternalMemory;

// One head: its addressing pipeline and, for write heads, what it writes. A Module (its
// pipeline's stages may own parameters).
template <class T>
class Head : public Module<T> {
 public:
  // index: among the heads of its kind. Throws std::invalid_argument naming the head.
  Head(const HeadConfig& config, Index index, const AddressingShape& shape, Rng& rng);

  HeadKind kind() const { return config_.kind; }
  Index index() const { return index_; }
  const std::string& name() const { return name_; }  // "read0", "write1"
  const HeadConfig& config() const { return config_; }
  const Pipeline<T>& pipeline() const { return pipeline_; }
  // The values this head needs from the controller: its pipeline's, then its own —
  //   read heads: what the memory's trackers ask of every read head (usage: free_gate [1 x 1]);
  //   write heads: erase [1 x W] sigmoid (erase: emitted), add [1 x W] (add: emitted).
  const std::vector<ParamSpec>& params() const { return params_; }
  Index interface_size() const { return memory::interface_size(params_); }
  // ctx -> [1 x N]
  Var<T> address(const AddressContext<T>& ctx) const { return pipeline_.apply(ctx); }

 private:
  friend class ExternalMemory<T>;
  // By the memory, before any use: the values its trackers need of a read head, and where its
  // trackers' values sit in the state.
  void add_params(const std::vector<ParamSpec>& specs);
  void bind_trackers(const std::vector<std::string>& keys) { pipeline_.bind_trackers(keys); }

  HeadConfig config_;
  Index index_;
  std::string name_;
  Pipeline<T> pipeline_;
  std::vector<ParamSpec> params_;
};

template <class T>
class ExternalMemory : public Module<T> {
 public:
  // Throws std::invalid_argument naming the head, stage or option that is wrong.
  ExternalMemory(const MemoryConfig& config, Rng& rng);

  const MemoryConfig& config() const { return config_; }
  Index slots() const { return config_.slots; }
  Index width() const { return config_.width; }
  Index read_heads() const { return static_cast<Index>(reads_.size()); }
  Index write_heads() const { return static_cast<Index>(writes_.size()); }
  const Head<T>& read_head(Index i) const { return *reads_.at(static_cast<size_t>(i)); }
  const Head<T>& write_head(Index j) const { return *writes_.at(static_cast<size_t>(j)); }
  AddressingShape shape() const { return shape_; }
  // The trackers (state.h) its stages read, one per kind, in the order of MemoryState::tracked.
  const std::vector<std::shared_ptr<const Tracker<T>>>& trackers() const { return trackers_; }
  bool tracks(const std::string& key) const;
  // "N=128 W=20 | read0: content -> interpolate -> shift -> sharpen | write0: ..."
  std::string describe() const;

  // ---- the controller's side ----
  // Every head's values in config order, names prefixed by the head ("read0.key", "write0.erase").
  const std::vector<ParamSpec>& interface() const { return interface_; }
  Index interface_size() const { return memory::interface_size(interface_); }
  // R * W, the size of step()'s result.
  Index read_size() const { return read_heads() * width(); }
  // [B x R W] zeros: the "reads of step -1" a controller sees at its first step.
  Var<T> initial_reads(Index batch = 1) const { return constant<T>(Mat<T>::Zero(batch, read_size())); }

  // ---- per sequence, or per batch of sequences ----
  // true when every stage and tracker takes batches (AddressingStage::batches(),
  // Tracker::batches()): the NTM's and the DNC's memories; the LRU usage takes one sequence.
  bool batches() const;
  // The state of `batch` sequences advanced together (memory [B N x W], weightings [B x N]; the
  // same start for every row). batch > 1 needs batches(): else std::invalid_argument naming the
  // head and stage (or tracker) that takes one sequence.
  MemoryState<T> initial_state(Index batch = 1) const;
  // The state a new sequence starts from: initial_state() when reset_between_sequences (the
  // default), else `last` carried over as constants.
  MemoryState<T> next_sequence(const MemoryState<T>& last) const;
  // One step (see the top of this file). interface: [1 x interface_size()] raw (pre-activation)
  // -> the read vectors [1 x R W] (read head 0's W values first). Advances `state`. For a state of
  // B sequences: interface [B x interface_size()] -> [B x R W], row b sequence b's.
  Var<T> step(MemoryState<T>& state, const Var<T>& interface) const;

  // The interface split per head, in config order (what step() does first), for controllers
  // that drive the memory_ops.h functions themselves. interface: [B x interface_size()], B >= 1.
  std::vector<HeadParams<T>> split(const Var<T>& interface) const;

 private:
  MemoryConfig config_;
  AddressingShape shape_;
  std::vector<std::shared_ptr<const Tracker<T>>> trackers_;
  std::vector<std::string> tracker_keys_;
  Index lru_at_ = -1;                  // the lru tracker's position (erase: least_used), -1: none
  std::vector<std::unique_ptr<Head<T>>> reads_, writes_;
  std::vector<const Head<T>*> heads_;  // config order
  std::vector<Index> offsets_;         // per head in config order: its first interface column
  std::vector<Index> read_pos_, write_pos_;  // config position of read head i / write head j
  std::vector<Index> pairs_;           // per write head: its read head
  Mat<T> init_;                        // the constant or random initial memory
  Var<T> learned_init_;                // InitMode::learned
  std::vector<ParamSpec> interface_;
};

}  // namespace engram::memory
