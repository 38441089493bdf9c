// engram/networks/pointer_net.h — the pointer network (Vinyals, Fortunato & Jaitly 2015): an
// encoder reads the input elements, a decoder attends over the encoder states, and the attention
// over input positions is the output distribution: the answer is a sequence of positions
// (a permutation for sorting and tours, a subset for convex hulls).
//
//   e_j      = x_j W_in + b_in                         the embedded inputs [n x E]
//   k_j      = encoder(e)_j                            the keys [n x K] (+ a learned end row)
//   d_0      = go (a learned [1 x E]),  d_t = e_{y_{t-1}}   the decoder's inputs
//   q_t, s_t = decoder.step(d_t, s_{t-1}),  s_{-1} = the encoder's final forward state
//   logits_t = score(q_t, k)  [1 x P],  masked to -inf at positions already chosen (mask_chosen)
//   p(y_t = j | y_<t, x) = softmax(logits_t)_j
//
// CONTRACT:
//   - x: [n x input], n >= 1 (std::invalid_argument naming the shape otherwise). P = n, or n + 1
//     with `end_token` (position n ends the output; it is never masked and it is the only way to
//     stop before `steps`).
//   - teacher_forced_logits / loss: differentiable in x and every parameter; targets in [0, P),
//     with mask_chosen no position twice (std::invalid_argument otherwise).
//   - greedy / beam_search: no gradients; the beams only ever propose valid outputs (unmasked
//     positions); beam_search with width >= the number of partial outputs is exact (it keeps
//     every hypothesis), with width 1 it equals greedy.
//   - const and thread-safe (the examples of a batch run concurrently).
// The decoder is the encoder's controller kind with the same options (so the encoder's final
// state can start it); the score any registered one (attention/score.h; additive in the paper)
// with query_dim = the decoder's output, key_dim = the encoder's output size.
//
// Encoder `{name: transformer, layers: 3, heads: 8, ff: 4E, hidden: 128}` (the "attention model"
// of Kool et al. 2019): the keys are `layers` Transformer encoder blocks (attention/transformer.h,
// pre-norm, no positional encoding: the inputs are a set) over the embedded inputs, [n x E]
// (heads must divide E); the decoder is an LSTM of `hidden` units from its initial state, and its
// first input is go + mean_j(k_j) W_ctx (the graph's embedding) instead of go alone. With
// `decoder: attention` in the same options (and `glimpse_heads`, default heads; `clip`, default
// 10) the decoder is Kool et al.'s instead (networks/attention_model_decoder.h): no recurrence, a
// context of the graph, the first and the last chosen position, a masked multi-head glimpse and
// logits C tanh(.) of its own; then the score is not used (the maker is never called) and
// `hidden` is an error. Its state carries the first chosen position's key row. The encoder's
// output is then normalised per feature across the instance's nodes (mean 0, variance 1, a
// learned gain and bias: Kool et al.'s batch norm with one instance's nodes as the batch): the
// pre-norm blocks leave it unnormalised, and a component common to all nodes made the clipped
// logits saturate (docs/pointer.md).
#pragma once

#include "attention/score.h"
#include "attention/transformer.h"
#include "core/rng.h"
#include "networks/attention_model_decoder.h"
#include "networks/recurrent_encoder.h"

#include <functional>
#include <memory>
#include <vector>

namespace engram::networks {

template <class T>
struct PointerEncoding {
  Var<T> embedded;                // [n x E]
  Var<T> keys;                    // [P x K]
  ControllerState<T> start;       // the decoder's state before its first step
  Var<T> context;                 // [1 x E] added to the first input (transformer encoder), or undefined
  AttentionModelKeys<T> glimpse;  // Kool et al.'s decoder: its keys, computed once (else empty)
  Index n = 0;                    // input elements
};

struct PointerBeam {
  std::vector<int> output;        // positions, ending with the end position when one was chosen
  double log_prob = 0;            // sum of the log-probabilities of its steps
  double score = 0;               // log_prob / length^alpha (the ranking)
};

template <class T>
class PointerNet : public Module<T> {
 public:
  using ScoreMaker = std::function<std::unique_ptr<attention::Score<T>>(const attention::ScoreShape&)>;

  // encoder: make_recurrent_encoder's options (`name`, `hidden` (default 128), `bidirectional`,
  // the controller's own keys) or the transformer's (above); embed: E; score: builds the score
  // for the shape it is given.
  PointerNet(Index input, Index embed, const Options& encoder, const ScoreMaker& score, bool end_token, Rng& rng);

  PointerEncoding<T> encode(const Var<T>& x) const;
  // The logits of every step under teacher forcing (decoder inputs: go, then the targets but the
  // last), positions chosen before a step masked when mask_chosen: [steps x P].
  Var<T> teacher_forced_logits(const PointerEncoding<T>& enc, const std::vector<int>& targets, bool mask_chosen) const;
  // Mean cross-entropy per step of the targets under teacher forcing -> [1 x 1].
  Var<T> loss(const Var<T>& x, const std::vector<int>& targets, bool mask_chosen) const;
  // One decoder step after the position `previous` (-1: the first step): the masked logits
  // [1 x P] (chosen[j] != 0 masks position j) and the next state.
  std::pair<Var<T>, ControllerState<T>> step(const PointerEncoding<T>& enc, int previous, const ControllerState<T>& s,
                                             const std::vector<char>& chosen) const;
  // At most `steps` outputs, the most likely position each step (fewer when the end position is
  // chosen, or when mask_chosen has masked every position); attention (when given) receives the
  // softmax of every step's logits, [outputs x P].
  std::vector<int> greedy(const Var<T>& x, Index steps, bool mask_chosen, Mat<T>* attention = nullptr) const;
  // An output drawn from the decoder's distribution, step by step (at most `steps`, as greedy),
  // and its log-probability, differentiable: [1 x 1] (REINFORCE). rng draws the positions.
  std::pair<std::vector<int>, Var<T>> sample(const Var<T>& x, Index steps, bool mask_chosen, Rng& rng) const;
  // The `width` best outputs found, best first, ranked by log_prob / length^alpha.
  std::vector<PointerBeam> beam_search(const Var<T>& x, Index steps, Index width, bool mask_chosen,
                                       double alpha = 0) const;

  Index input_size() const { return input_; }
  bool end_token() const { return end_.defined(); }

 private:
  Var<T> first_input(const PointerEncoding<T>& enc) const;  // go (+ the context)
  // Kool et al.'s decoder: the logits after `previous` (-1: none yet) and the next state (the first
  // chosen position's key row).
  std::pair<Var<T>, ControllerState<T>> attention_step(const PointerEncoding<T>& enc, int previous,
                                                       const ControllerState<T>& s, const Mat<T>* mask) const;
  Index input_ = 0;
  Linear<T> embed_;
  std::unique_ptr<RecurrentEncoder<T>> encoder_;  // null with the transformer encoder
  std::vector<std::unique_ptr<attention::TransformerEncoderBlock<T>>> blocks_;
  // Kool et al.'s decoder: after the last pre-norm block, every feature normalised across the
  // instance's nodes (their batch norm, with one instance's nodes for the batch), gain and bias
  Var<T> node_gain_, node_bias_;
  std::unique_ptr<Linear<T>> context_;
  std::unique_ptr<Controller<T>> decoder_;                   // null with Kool et al.'s decoder
  std::unique_ptr<AttentionModelDecoder<T>> attention_;      // Kool et al.'s decoder, or null
  std::unique_ptr<attention::Score<T>> score_;
  Var<T> go_, end_;  // end_ undefined without an end token
};

}  // namespace engram::networks
