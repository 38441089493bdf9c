// engram/experiments/tasks/algorithmic/copy.h — the copy task (Graves et al. 2014, sec. 4.1).
//
// Episode of a sequence of L random `bits`-bit vectors, T = 2L + 1 steps:
//   step      0 .. L-1    L            L+1 .. 2L
//   input     x_1 .. x_L  delimiter    zeros           input  [T x (bits + 1)]: channel `bits`
//   target    0           0            x_1 .. x_L      target [T x bits]         is the delimiter
//   mask      0           0            1
// Each bit is a fair coin. No start channel: the first step is unambiguous (the model's state
// is fresh), and the delimiter alone marks the switch from reading to writing.
//
//   task:
//     name: copy
//     bits: 8
//     min_length: 1            # training lengths L uniform in [min_length, max_length]
//     max_length: 20
//     eval_lengths: [40, 60, 80]  # one split "len<L>" per entry, every episode of length L
//     val_size: 256            # "val": episodes of the training distribution
//     eval_size: <val_size>    # episodes per generalisation split
#pragma once

#include "experiments/tasks/algorithmic/bit_sequence.h"

namespace engram::experiments::algorithmic {

struct CopyOptions {
  int bits = 8;
  int min_length = 1;
  int max_length = 20;
  std::vector<int> eval_lengths = {40, 60, 80};
  int val_size = 256;
  int eval_size = 256;
};

// The episode layout above for a given sequence [L x bits] (the generator draws the bits).
BitSequenceExample copy_episode(const MatF& sequence);

class CopyTask : public GeneratedBitSequenceTask {
 public:
  CopyTask(const CopyOptions& o, const Rng& rng);
  Index input_size() const override { return o_.bits + 1; }
  Index output_size() const override { return o_.bits; }
  const CopyOptions& options() const { return o_; }

 private:
  CopyOptions o_;
};

}  // namespace engram::experiments::algorithmic
