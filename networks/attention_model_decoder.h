// engram/networks/attention_model_decoder.h — the decoder of Kool, van Hoof & Welling 2019
// ("Attention, Learn to Solve Routing Problems!", section 3.2): no recurrence; each step builds a
// context of the graph, the first and the last chosen node, attends over the nodes with a
// multi-head glimpse, and points with one more (single-head) compatibility, clipped by tanh.
//
//   nodes k_j: [P x E] (the encoder's outputs, + a learned end row when the task has one)
//   q_t   = mean_j(k_j) W_graph + f_t W_first + l_t W_last        [1 x E]   (the context's query;
//           f_t, l_t = the first and the last chosen node, or the learned v_first, v_last at t = 0)
//   head m (d = E / heads):  a_m = softmax(q_t,m K_m^T / sqrt(d)) over unmasked nodes,
//           K = k W_K, V = k W_V, split into heads by columns;  g_t = [a_1 V_1 | ... | a_M V_M] W_O
//   logits_t,j = C tanh(g_t L_j^T / sqrt(E)),  L = k W_L;  masked positions -inf
//
// CONTRACT:
//   - prepare(nodes) computes K, V, L and the graph's query once per instance ([P x E] each, and
//     [1 x E]); logits(prepared, first, last, mask) is one step: first/last [1 x E] rows of the
//     nodes or undefined (then v_first / v_last), mask null or [1 x P] (non-zero = masked, at
//     least one position left) -> [1 x P], -inf exactly where masked, |logit| <= C elsewhere.
//   - Differentiable in the nodes, first, last and every parameter (Jacobian-checked in double
//     through the pointer network, tests/networks/pointer_net_test.cpp).
//   - Parameters (no biases, as the paper): w_graph, w_first, w_last, w_k, w_v, w_o, w_l
//     [E x E], v_first, v_last [1 x E]. const and thread-safe.
//   - heads must divide E and C > 0 (std::invalid_argument otherwise).
#pragma once

#include "core/layers.h"
#include "core/module.h"
#include "core/ops.h"
#include "core/rng.h"

#include <vector>

namespace engram::networks {

template <class T>
struct AttentionModelKeys {
  std::vector<Var<T>> glimpse_keys;    // per head, [P x d]
  std::vector<Var<T>> glimpse_values;  // per head, [P x d]
  Var<T> logit_keys;                   // [P x E]
  Var<T> graph_query;                  // [1 x E]
};

template <class T>
class AttentionModelDecoder : public Module<T> {
 public:
  AttentionModelDecoder(Index embed, Index heads, double clip, Rng& rng);

  AttentionModelKeys<T> prepare(const Var<T>& nodes) const;
  Var<T> logits(const AttentionModelKeys<T>& keys, const Var<T>& first, const Var<T>& last,
                const Mat<T>* mask) const;

  Index heads() const { return heads_; }
  double clip() const { return clip_; }

 private:
  Index embed_, heads_;
  double clip_;
  Linear<T> graph_, first_, last_, key_, value_, out_, logit_;
  Var<T> v_first_, v_last_;
};

}  // namespace engram::networks
