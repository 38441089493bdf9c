// engram/memory/memory_ops.h — the differentiable operations of an external memory: read,
// erase-then-add write, DNC usage, allocation, precedence and temporal links, and the
// least-used slots of Santoro et al. (2016).
//
// They follow the conventions of core/ops.h (free functions; each fused kernel computes its
// value, captures what its backward needs, and its backward ADDS into the input gradients; all
// are Jacobian-checked in double in tests/memory/memory_ops_test.cpp). They live here, not in
// core/, because they are memory-specific (docs/design.md: core knows nothing about memory).
//
// Shapes: the memory M is [N slots x W]; a weighting over slots is a [1 x N] row, >= 0, summing
// to at most 1; gates are [1 x 1].
//
// Batches. Every op here but least_used_slots also takes B sequences at once (one graph node
// for all): the memories stacked, [B N x W] (sequence b's slots in rows b N .. b N + N - 1), one
// row per sequence in every weighting, key, erase and add vector ([B x N], [B x W]), and gates
// and strengths [B x 1] (or [1 x 1], shared by every row).
// Row b of a result is what the op gives for sequence b alone. The DNC's ops batch the same way:
// usage, allocation and precedence [B x N] (free gates [B x 1]), each write head's links [B N x N]
// (sequence b's N x N block in rows b N .. b N + N - 1), read modes [B x 3].
#pragma once

#include "core/ops.h"

#include <vector>

namespace engram::memory {

// ---- building blocks of addressing stages (fused: one node each, no broadcast copies) -------
// memory: [N x W], key: [1 x W] -> cos(M_i, key) for every slot, as a row [1 x N]
// (batched: memory [B N x W], key [B x W] -> [B x N]):
//   cos_i = M_i . key / (max(|M_i|, eps) max(|key|, eps))
// (core cosine_similarity gives [N x 1]; this one is laid out as a weighting and its backward is
// two vectorized passes over M.)
template <class T>
Var<T> slot_cosine(const Var<T>& memory, const Var<T>& key, T eps = T(1e-8));

// x: [r x c], beta: [1 x 1] or [r x 1] > 0 (a key strength or sharpening exponent, differentiable)
//   -> softmax(beta * x) per row (beta_r for row r). Entries of -inf (masked_fill) get weight exactly 0 and no gradient.
template <class T>
Var<T> softmax_scaled(const Var<T>& x, const Var<T>& beta);

// a, b: the same shape [r x c], gate: [1 x 1] or [r x 1] -> gate * a + (1 - gate) * b, row by row
template <class T>
Var<T> interpolate(const Var<T>& a, const Var<T>& b, const Var<T>& gate);

// x: [r x c], s: [1 x 1] or [r x 1] -> s * x, row by row
template <class T>
Var<T> scale_by(const Var<T>& x, const Var<T>& s);

// ---- read and write ------------------------------------------------------------------------
// weights: one [1 x N] weighting per read head (R >= 1), M: [N x W]
//   -> [1 x R*W], the read vectors r_i = w_i M side by side (one matmul for all heads).
// Batched: weights [B x N] each, M [B N x W] -> [B x R*W], row b the reads of sequence b.
template <class T>
Var<T> read_memory(const std::vector<Var<T>>& weights, const Var<T>& memory);

// Erase then add, one fused node (no [N x W] temporaries for w^T e and w^T a):
//   M: [N x W]  w: [1 x N]  erase: [1 x W] (in [0, 1])  add: [1 x W]
//   -> M o (1 - w^T erase) + w^T add      [N x W]
// Several write heads apply one after the other. Batched: M [B N x W], w [B x N], erase and add
// [B x W] -> [B N x W].
template <class T>
Var<T> erase_add(const Var<T>& memory, const Var<T>& w, const Var<T>& erase, const Var<T>& add);

// ---- DNC dynamic allocation (Graves et al. 2016) -------------------------------------------
// usage u_{t-1}: [1 x N] in [0, 1]; prev_writes: w^w_{t-1} of every write head; free_gates: f_t
// of every read head, [1 x 1] each, in [0, 1]; prev_reads: w^r_{t-1} of every read head
//   -> u_t = (u_{t-1} (+) w^w_{t-1,1} (+) ... ) o psi_t,  a (+) w = a + w - a o w,
//      psi_t = prod_i (1 - f_i w^r_{t-1,i})        [1 x N], in [0, 1]
template <class T>
Var<T> update_usage(const Var<T>& usage, const std::vector<Var<T>>& prev_writes,
                    const std::vector<Var<T>>& free_gates, const std::vector<Var<T>>& prev_reads);

// usage: [1 x N] in [0, 1] -> the allocation weighting a: [1 x N], one fused node:
//   phi = the slots in ascending order of usage (ties by index),
//   a[phi_j] = (1 - u[phi_j]) prod_{i < j} u[phi_i]
// a >= 0 and sum(a) = 1 - prod_j u_j <= 1. The order phi is a constant for the gradient (as in
// the DNC paper); the backward is O(N) and divides by no usage, so it is finite at u = 0.
template <class T>
Var<T> allocation_weighting(const Var<T>& usage);

// ---- DNC temporal links --------------------------------------------------------------------
// precedence p_{t-1}: [1 x N], w: this step's write weighting [1 x N]
//   -> p_t = (1 - sum(w)) p_{t-1} + w
template <class T>
Var<T> update_precedence(const Var<T>& precedence, const Var<T>& w);

// link L_{t-1}: [N x N], precedence p_{t-1}: [1 x N], w: this step's write weighting [1 x N]
//   -> L_t[i, j] = (1 - w_i - w_j) L_{t-1}[i, j] + w_i p_{t-1, j} for i != j, L_t[i, i] = 0
// One fused [N x N] node (the composed form would build five N x N temporaries). With w and p
// weightings and L_{t-1} valid, L_t >= 0 with row and column sums <= 1.
template <class T>
Var<T> update_link(const Var<T>& link, const Var<T>& precedence, const Var<T>& w);

// link: [N x N] (of one write head), previous: the read head's weighting at t-1 [1 x N],
// content: its content weighting [1 x N], read_mode: [1 x 3] (backward, content, forward)
//   -> pi_0 b + pi_1 content + pi_2 f,  f = L w_{t-1} (forward), b = L^T w_{t-1} (backward)   [1 x N]
// One fused node: one pass over L forward, one backward (instead of two matrix-vector products
// and two rank-1 gradient updates).
template <class T>
Var<T> temporal_weighting(const Var<T>& link, const Var<T>& previous, const Var<T>& content,
                          const Var<T>& read_mode);

// ---- least recently used access (Santoro et al. 2016) ---------------------------------------
// usage: [1 x N] (the decayed LRU usage w^u) -> the `count` least-used slots, least first (ties
// by index). No gradient: the choice is discrete.
template <class T>
std::vector<Index> least_used_slots(const Mat<T>& usage, Index count);

}  // namespace engram::memory
