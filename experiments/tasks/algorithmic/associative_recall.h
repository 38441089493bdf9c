// engram/experiments/tasks/algorithmic/associative_recall.h — associative recall (Graves et
// al. 2014, sec. 4.3): after a list of items, one of them is shown again; the answer is the item
// that followed it in the list.
//
// An item is `item_length` random `bits`-bit vectors (3 x 6 bits by default). Episode of n items
// I_1..I_n and query index q (uniform in 1..n-1), with m = item_length:
//   for each item k:  one step with the item delimiter, then the m steps of I_k
//   the query:        one step with the query delimiter, the m steps of I_q, the query
//                     delimiter again
//   the answer:       m steps of zero input; target I_{q+1}, mask 1 (the only scored steps)
//   T = n (m + 1) + (m + 2) + m
//   input  [T x (bits + 2)]: channels 0..bits-1 data, `bits` the item delimiter, `bits + 1`
//          the query delimiter
//   target [T x bits]
// The items of an episode are distinct (an item equal to an earlier one is drawn again), so
// the query names exactly one position.
//
//   task:
//     name: associative_recall
//     bits: 6
//     item_length: 3
//     min_items: 2             # n uniform in [min_items, max_items]
//     max_items: 6
//     eval_items: [12]         # split "items<n>": n items
//     val_size: 256
//     eval_size: <val_size>
#pragma once

#include "experiments/tasks/algorithmic/bit_sequence.h"

namespace engram::experiments::algorithmic {

struct AssociativeRecallOptions {
  int bits = 6;
  int item_length = 3;
  int min_items = 2;
  int max_items = 6;
  std::vector<int> eval_items = {12};
  int val_size = 256;
  int eval_size = 256;
};

// The episode layout above. items: n >= 2 blocks of [item_length x bits]; query in [0, n - 2]
// (0-based: the answer is items[query + 1]).
BitSequenceExample associative_recall_episode(const std::vector<MatF>& items, int query);

class AssociativeRecallTask : public GeneratedBitSequenceTask {
 public:
  AssociativeRecallTask(const AssociativeRecallOptions& o, const Rng& rng);
  Index input_size() const override { return o_.bits + 2; }
  Index output_size() const override { return o_.bits; }
  const AssociativeRecallOptions& options() const { return o_; }

 private:
  AssociativeRecallOptions o_;
};

}  // namespace engram::experiments::algorithmic
