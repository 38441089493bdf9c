// engram/networks/memn2n.h — the end-to-end memory network (Sukhbaatar et al. 2015) over
// word-id stories, and the sentence encodings it shares with the key-value memory network
// (networks/kv_memnn.h). No file reading here: the input is a story (sentences of word ids,
// oldest first) and a query (word ids); experiments/models/memn2n.cpp feeds bAbI examples.
//
// One example, K hops, d = dim, n memories:
//   m_i = enc(A_k, x_i) + T_A^k(i)      [n x d]   input memories of hop k
//   c_i = enc(C_k, x_i) + T_C^k(i)      [n x d]   output memories of hop k
//   u_1 = enc(B, q)                     [1 x d]
//   p   = softmax(u_k m^T)              [1 x n]   (linear start: p = u_k m^T, no softmax)
//   o_k = p c                           [1 x d]
//   u_{k+1} = u_k + o_k                 (adjacent tying)  or  u_k H + o_k  (layer-wise tying)
//   logits = u_{K+1} W^T                [1 x answers]
// Sentence encodings enc(E, x):
//   bow        sum_j E[x_j]
//   pe         sum_j l_j * E[x_j], l_kj = (1 - j/J) - (k/d)(1 - 2j/J), j = 1..J words, k = 1..d dims
//   attention  sum_j a_j E[x_j], a = softmax over the sentence's words of score(q_E, E[x_j]): an
//              attention::AttentionPooling per embedding matrix (its learned query q_E and any
//              registered score). The words -> sentence pooling, with the hops' attention over
//              the sentences on top, is the word -> sentence -> document hierarchy.
//   bow and pe are one embedding_bag node per embedding matrix (core/ops.h); attention is a
//   gather, a score, one masked softmax over [n x words] and a product, whatever n is.
// Temporal encoding: T_A, T_C are learned [rows x d] tables indexed by recency (the most recent
// memory is row 0); rows = memory_size + the most empty memories random noise can insert.
// Weight tying:
//   adjacent    K + 1 embedding matrices E_0..E_K (and temporal tables T_0..T_K): B = A_1 = E_0,
//               C_k = A_{k+1} = E_k. Parameters "embed.k", "temporal.k".
//   layerwise   A, C shared by every hop, B separate, u_{k+1} = u_k H + o_k. Parameters "A", "B",
//               "C", "temporal.A", "temporal.C", "H".
// Answers (MemN2NOptions::tied_answers):
//   tied        W = the rows of the last output matrix (C_K, or C) for the answer words, as the
//               paper's W^T = C_K, restricted to the answers: logits are over the answer classes
//               only, not the whole vocabulary, so no probability goes to words that are never
//               answers. An answer that is not a word (multi-word answers such as "n,s") gets an
//               extra row of that matrix, never read by a story. Effect: the answer vector of
//               "kitchen" is the output embedding of the word "kitchen", so the memory read of a
//               sentence that names the kitchen already points at the answer (docs/babi.md
//               measures tied against separate).
//   separate    W: [answers x d], its own parameter "W" (the paper's choice for layer-wise tying).
// All embeddings (and H, W) are initialised N(0, init_stddev), 0.1 in the paper.
// Random noise (training only, when forward gets an Rng): between 0 and ceil(noise * n) empty
// memories are inserted at random positions; they carry only their temporal encoding, which
// shifts the recency of the sentences before them, so T_A/T_C cannot overfit exact positions.
//
// Ragged batches: forward_batch reads B questions in one graph. The memories of all stories are
// stacked ([R x d], question b's are rows offsets[b] .. offsets[b+1]) with no padding; every
// encoding is one embedding_bag over all their sentences, and a hop is segment_dot,
// segment_softmax and segment_weighted_sum (core/ops.h): one graph of ~30 nodes per batch
// instead of ~30 nodes per question (docs/core.md: "Ragged batches" measures the difference).
// forward(story, query) is forward_batch of one question.
//
// CONTRACT for forward(story, query, noise_rng):
//   requires a non-empty story (sentences may be empty), ids in [0, vocab); keeps the last
//   memory_size sentences. Ensures logits [1 x answers], one attention matrix [1 x n] per hop
//   (the softmax weights; the raw scores while linear start is on) and slots: the story sentence
//   of each memory (-1 for an inserted empty one). Const and thread-safe: set_linear must not be
//   called while a forward runs (the trainer calls it between steps).
#pragma once

#include "attention/pooling.h"
#include "core/layers.h"
#include "core/options.h"
#include "networks/sentence_encoder.h"
#include "networks/story_reader.h"

#include <memory>
#include <span>
#include <string>
#include <algorithm>
#include <vector>

namespace engram::networks {

enum class WeightTying { adjacent, layerwise };
// Random noise: `insert` adds the blanks as memories of their own (an empty sentence plus its
// temporal encoding: rows that exist in training only); `skip_time` is the authors' form (their
// Matlab code): the blanks only shift the recency of the sentences before them, no rows.
enum class RandomNoise { insert, skip_time };

// Which story sentence each memory holds, oldest first: the last `memory_size` of `sentences`,
// with -1 for empty memories. With `rng`, between 0 and ceil(noise * kept) empty memories are
// inserted at uniformly random positions (the sentences keep their order).
std::vector<int> memory_layout(Index sentences, Index memory_size, double noise, Rng* rng);

// Temporal table rows needed for memory_size memories and random noise `noise`.
Index temporal_rows(Index memory_size, double noise);

struct MemN2NOptions {
  Index vocab = 0;                 // word ids in [0, vocab)
  std::vector<int> answer_words;   // one per answer class: its word id, or -1 when it is not a word
  Index dim = 20;
  int hops = 3;
  SentenceEncoding encoding = SentenceEncoding::pe;
  bool temporal = true;
  WeightTying tying = WeightTying::adjacent;
  bool tied_answers = true;        // W = rows of the last output matrix (see the header comment)
  Index memory_size = 50;          // memories kept (the last sentences)
  double random_noise = 0.0;       // share of empty memories inserted in training, in [0, 1]
  double init_stddev = 0.1;
  std::string attention_score = "dot";  // the score of the attention encoding, and its options
  Options attention_score_options;
  std::uint64_t linear_start_epochs = 0;  // the memory layers' softmax removed in the first epochs
  Index examples_per_graph = 16;        // questions read in one ragged-batch graph in training
  RandomNoise noise_mode = RandomNoise::insert;
  // The paper's fixed memory of S slots (0 = off: the memory holds the story's sentences only).
  // A story with n memories (n < S) also attends to S - n empty slots: score 0, nothing read,
  // exactly the authors' zero-padded buffer (their empty sentence and its time word embed to 0),
  // in training and at test. One sink term per story in the softmax (segment_softmax with
  // sinks), no rows; linear start is unchanged (an empty slot adds 0 x 0).
  Index memory_slots = 0;
  // The J of the position encoding (WordBags): 0 = each sentence's own length; the authors' code
  // uses the task's longest sentence plus the time word's column for every sentence.
  Index position_length = 0;
};

template <class T>
class MemN2N : public StoryReader<T> {
 public:
  MemN2N(const MemN2NOptions& o, Rng& rng);

  // noise_rng: random-noise memories are inserted when non-null and random_noise > 0.
  MemoryReadout<T> forward(std::span<const std::vector<int>> story, std::span<const int> query,
                           Rng* noise_rng = nullptr) const override;
  // B >= 1 questions in one graph (see "Ragged batches" above); the same numbers as B calls of
  // forward() up to float rounding.
  BatchReadout<T> forward_batch(std::span<const StoryQuestion> questions) const override;
  // Linear start: on during the first linear_start_epochs epochs.
  void begin_epoch(std::uint64_t epoch) override { set_linear(epoch < o_.linear_start_epochs); }
  Index examples_per_graph() const override { return o_.examples_per_graph; }
  // the input and output memory vectors (m_i, c_i) of every hop
  Index state_size(Index sentences) const override {
    return 2 * o_.hops * std::min(sentences, o_.memory_size) * o_.dim;
  }

  // Linear start: the memory layers' softmax removed while on.
  void set_linear(bool on) { linear_ = on; }
  bool linear() const { return linear_; }
  const MemN2NOptions& options() const { return o_; }
  Index answers() const { return static_cast<Index>(o_.answer_words.size()); }

 private:
  Var<T> encode(int table, const WordBags<T>& bags) const;  // [bags x d], no temporal term
  MemN2NOptions o_;
  std::vector<Var<T>> tables_;        // embedding matrices (see the tying above)
  std::vector<Var<T>> temporal_;      // per table; undefined for B in layer-wise tying
  std::vector<std::unique_ptr<attention::AttentionPooling<T>>> pools_;  // per table (attention encoding)
  Var<T> H_, W_;                      // H: layer-wise only; W: separate answers only
  std::vector<int> answer_rows_;      // tied answers: the row of each answer in the last output matrix
  int query_table_ = 0, last_output_table_ = 0;
  bool linear_ = false;
};

}  // namespace engram::networks
