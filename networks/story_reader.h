// engram/networks/story_reader.h — what every story reader is: a network that reads a story
// (sentences of word ids, oldest first) and a question (word ids) and scores the answers. MemN2N,
// KV-MemNN, the hierarchical attention reader and the readers of the memory comparison all are;
// experiments/models/story_model.h trains any of them on the `babi` task family.
//
// CONTRACT for forward(story, query, rng):
//   requires a story of at least one sentence (a sentence may be empty) and ids in [0, vocab); rng is
//   non-null in training only (readers that draw randomness, e.g. MemN2N's random noise, draw it
//   from there). Ensures logits [1 x answers]; attention: the reader's attention over its
//   memories, one [1 x memories] per hop (empty for readers without attention over memories);
//   slots: the story sentence each memory holds (-1 for an inserted empty one). Const and
//   thread-safe.
// forward_batch reads B questions; the default stacks B forward() calls, readers that batch
// well override it (MemN2N reads a ragged batch in one graph). Both give the same numbers up to
// float rounding.
#pragma once

#include "core/module.h"
#include "core/rng.h"

#include <span>
#include <vector>

namespace engram::networks {

template <class T>
struct MemoryReadout {
  Var<T> logits;                   // [1 x answers]
  std::vector<Var<T>> attention;   // one per hop: [1 x memories]
  std::vector<int> slots;          // per memory: its story sentence, -1 for an empty one
};

// One question of a batch: its story (sentences of word ids, oldest first), its query, and the
// stream for random-noise memories (non-null in training only).
struct StoryQuestion {
  std::span<const std::vector<int>> story;
  std::span<const int> query;
  Rng* noise_rng = nullptr;
};

// The readout of B questions read in one graph.
template <class T>
struct BatchReadout {
  Var<T> logits;                   // [B x answers]
  std::vector<Var<T>> attention;   // per hop: [R x 1]; question b's memories are rows offsets[b] .. offsets[b+1]
  std::vector<int> offsets;        // B + 1 row positions
  std::vector<int> slots;          // R: the story sentence of each memory, -1 for an empty one
  Index size() const { return static_cast<Index>(offsets.size()) - 1; }
};

// Per-question readouts stacked as one batch readout (for networks that read one question at a
// time): logits concatenated by rows, each hop's [1 x n] attention as rows of a column.
template <class T>
BatchReadout<T> stack_readouts(const std::vector<MemoryReadout<T>>& readouts);

template <class T>
class StoryReader : public Module<T> {
 public:
  virtual MemoryReadout<T> forward(std::span<const std::vector<int>> story, std::span<const int> query,
                                   Rng* rng = nullptr) const = 0;
  virtual BatchReadout<T> forward_batch(std::span<const StoryQuestion> questions) const;
  // Called before every training step with the epoch (MemN2N's linear start); a function of
  // the epoch only, so a resumed run is exact.
  virtual void begin_epoch(std::uint64_t epoch) { (void)epoch; }
  // Questions per graph worth reading at once in training (a speed knob: 1 = a graph each).
  virtual Index examples_per_graph() const { return 1; }
  // Numbers the memory holds between reading the story and reading the question, for a story of
  // `sentences` sentences (the reader keeps at most its memory_size of them) (docs/compare.md: a Hopfield matrix or stored patterns, N x W
  // slots, an LSTM's h and c, a Transformer's keys and values); -1 when the reader does not say.
  virtual Index state_size(Index sentences) const { (void)sentences; return -1; }
};

}  // namespace engram::networks
