// engram/memory/state.h — the per-sequence state of an external memory, and the trackers that
// keep extra state beside it.
//
// One MemoryState per sequence (per example): ExternalMemory::initial_state() makes it,
// ExternalMemory::step() advances it, and it is never shared between threads. Every field is a
// Var, so gradients flow through the state from step to step (backpropagation through time)
// wherever the papers have them.
//
// A Tracker is one kind of state that lives beside the memory from step to step: the DNC's usage
// and temporal links, the least-recently-used usage of Santoro et al. (memory/trackers.h), or a
// new one defined in the file of the addressing stage that needs it. A stage names the trackers
// it reads (AddressingStage::trackers()); the memory makes one tracker of each kind (key) its
// stages name, keeps each tracker's value in MemoryState::tracked, calls its hooks at fixed
// points of every step, and tells each stage, once when it is built, where its trackers' values
// are (no lookup by name per step). A tracker's value is whatever type the tracker chooses
// (held in a std::any, read back with that type: a wrong type is an error, never a reinterpretation).
#pragma once

#include "core/rng.h"
#include "core/variable.h"
#include "memory/interface.h"

#include <any>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace engram::memory {

enum class HeadKind { read, write };

// What every stage (and tracker) of a memory is built for.
struct AddressingShape {
  Index slots = 0;          // N >= 1
  Index width = 0;          // W >= 1
  Index read_heads = 1;     // of the memory the stage belongs to (a stage may index them)
  Index write_heads = 1;
  double lru_decay = 0.95;  // gamma of the least-recently-used usage (memory option lru_decay)
};

// What a tracker's hooks see of a step: weightings and this step's read-head values.
template <class T>
struct StepView {
  const std::vector<Var<T>>& read_weights;   // before_writes: w^r_{t-1}; after_reads: w^r_t
  const std::vector<Var<T>>& write_weights;  // before_writes: w^w_{t-1}; after_reads: w^w_t
  const std::vector<const HeadParams<T>*>& read_params;  // this step's values of each read head
};

template <class T>
class Tracker {
 public:
  virtual ~Tracker() = default;
  // The kind: a memory keeps one tracker per key ("usage", "links", "lru").
  virtual std::string key() const = 0;
  // Values every read head emits for it (the DNC's free_gate), named uniquely.
  virtual std::vector<ParamSpec> read_head_params() const { return {}; }
  // The value at the start of a sequence, or of `batch` sequences advanced together (a row, or
  // a block of rows, per sequence) when batches() says it can.
  virtual std::any initial(Index batch = 1) const = 0;
  // true: its hooks and values take B sequences at once (the memory then batches, if its stages
  // do too: ExternalMemory::batches()). Default false.
  virtual bool batches() const { return false; }
  // Hooks, in the order of a step (external_memory.h): before the writes; after write head j
  // wrote with weighting w [1 x N]; after the reads.
  virtual void before_writes(std::any& value, const StepView<T>& view) const { (void)value, (void)view; }
  virtual void after_write(std::any& value, Index j, const Var<T>& w) const { (void)value, (void)j, (void)w; }
  virtual void after_reads(std::any& value, const StepView<T>& view) const { (void)value, (void)view; }
  // The value with no gradient (next_sequence carries state across sequences as constants).
  virtual std::any detached(const std::any& value) const = 0;
  // Matrices worth a heat map over time, by name ({"usage": [1 x N]}).
  virtual std::map<std::string, Mat<T>> inspect(const std::any& value) const {
    (void)value;
    return {};
  }
  // For the addressing fixture (Jacobian checks and benchmarks of stages): a random value that
  // satisfies what stages may assume, its differentiable parts leaves that require a gradient
  // when asked; leaves(value) lists them in a fixed order.
  virtual std::any random_value(Rng& rng, bool requires_grad) const = 0;
  virtual std::vector<Var<T>> leaves(const std::any& value) const {
    (void)value;
    return {};
  }
};

template <class T>
struct MemoryState {
  Var<T> memory;                      // M_t: [N x W]
  std::vector<Var<T>> read_weights;   // w^r_t of each read head: [1 x N]
  std::vector<Var<T>> write_weights;  // w^w_t of each write head: [1 x N]
  // The trackers' values, in the memory's tracker order, and the trackers' keys.
  std::vector<std::any> tracked;
  std::vector<std::string> tracked_keys;
  Index steps = 0;                    // steps taken since the state was made
  // Sequences advanced together (ExternalMemory::initial_state(batch)): memory [B N x W], every
  // weighting [B x N], row b sequence b's.
  Index batch = 1;

  // The value of tracker `key` as type S, or nullptr when the memory has no such tracker (for
  // inspection, tests and Python; stages read theirs through the positions their memory bound).
  template <class S>
  const S* find(const std::string& key) const {
    for (size_t i = 0; i < tracked_keys.size(); ++i)
      if (tracked_keys[i] == key) return &std::any_cast<const S&>(tracked[i]);
    return nullptr;
  }
};

}  // namespace engram::memory
