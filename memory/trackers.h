// engram/memory/trackers.h — the built-in trackers (memory/state.h): state the DNC and the
// least-recently-used memory keep beside the memory. Their stages (allocate, temporal, lru) name
// them; a Python-defined stage can name them too ("usage", "links", "lru").
//
//   usage  DNC usage (Graves et al. 2016, Methods: dynamic memory allocation):
//            u_t = (u_{t-1} (+) w^w_{t-1}) o prod_i (1 - f_i w^r_{t-1,i}),   a (+) b = a + b - a b
//          with a free gate f_i [1 x 1] sigmoid emitted by every read head. `seen` is the usage a
//          write head sees: u_t, then also the writes of the earlier write heads of this step.
//   links  DNC temporal links, per write head j: L_t = (1 - w 1^T - 1 w^T) o L_{t-1} + w p_{t-1}^T
//          (zero diagonal) and precedence p_t = (1 - sum w) p_{t-1} + w, updated after head j
//          writes (memory_ops.h update_link, update_precedence).
//   lru    least-recently-used usage (Santoro et al. 2016, eq. 5): w^u_t = gamma w^u_{t-1} +
//          sum of this step's read and write weightings, gamma = shape.lru_decay; a constant (it
//          only ranks slots).
#pragma once

#include "memory/state.h"

#include <memory>
#include <vector>

namespace engram::memory {

template <class T>
struct UsageState {
  Var<T> usage;  // u_t: [1 x N] in [0, 1] ([B x N] for B sequences)
  Var<T> seen;   // what the next write head sees: [1 x N]
};

template <class T>
struct LinksState {
  std::vector<Var<T>> links;        // L_t per write head: [N x N] ([B N x N] for B sequences)
  std::vector<Var<T>> precedences;  // p_t per write head: [1 x N] ([B x N])
};

template <class T>
struct LruState {
  Var<T> usage;  // w^u_t: [1 x N], a constant
};

template <class T> std::shared_ptr<const Tracker<T>> usage_tracker(const AddressingShape& shape);
template <class T> std::shared_ptr<const Tracker<T>> links_tracker(const AddressingShape& shape);
template <class T> std::shared_ptr<const Tracker<T>> lru_tracker(const AddressingShape& shape);

// The built-in tracker of `key` ("usage", "links", "lru"); std::invalid_argument otherwise.
template <class T> std::shared_ptr<const Tracker<T>> builtin_tracker(const std::string& key, const AddressingShape& shape);

}  // namespace engram::memory
