// engram/memory/state.h — the per-sequence state of an external memory.
//
// One MemoryState per sequence (per example): ExternalMemory::initial_state() makes it,
// ExternalMemory::step() advances it, and it is never shared between threads. Every field is a
// Var, so gradients flow through the state from step to step (backpropagation through time)
// wherever the papers have them; lru_usage alone is a constant (it only ranks slots).
#pragma once

#include "core/variable.h"

#include <vector>

namespace engram::memory {

// The shared state that addressing stages may ask for (AddressingStage::needs()). An external
// memory tracks the union of what its heads' stages need, and only that.
struct StateNeeds {
  bool usage = false;  // DNC usage u_t and free gates on the read heads (allocation)
  bool links = false;  // DNC temporal link matrix and precedence, one per write head
  bool lru = false;    // Santoro et al. least-recently-used usage w^u_t

  StateNeeds& operator|=(const StateNeeds& o) {
    usage = usage || o.usage;
    links = links || o.links;
    lru = lru || o.lru;
    return *this;
  }
};

enum class HeadKind { read, write };

template <class T>
struct MemoryState {
  Var<T> memory;                    // M_t: [N x W]
  std::vector<Var<T>> read_weights;   // w^r_t of each read head: [1 x N]
  std::vector<Var<T>> write_weights;  // w^w_t of each write head: [1 x N]
  // defined when some stage needs them (StateNeeds), undefined otherwise:
  Var<T> usage;                     // u_t: [1 x N] in [0, 1]                  (usage)
  std::vector<Var<T>> links;        // L_t per write head: [N x N]             (links)
  std::vector<Var<T>> precedences;  // p_t per write head: [1 x N]             (links)
  Var<T> lru_usage;                 // w^u_t: [1 x N], a constant (no gradient) (lru)
  Index steps = 0;                  // steps taken since the state was made
};

}  // namespace engram::memory
