// engram/experiments/tasks/algorithmic/repeat_copy.h — the repeat copy task (Graves et al.
// 2014, sec. 4.2): copy a sequence a given number of times, then emit an end marker.
//
// Episode of a sequence x_1..x_L of random `bits`-bit vectors and a repeat count n,
// T = L + 1 + nL + 1 steps:
//   step      0 .. L-1    L                       L+1 .. L+nL               L+nL+1
//   input     x_1 .. x_L  delimiter + count       zeros                     zeros
//   target    0           0                       x_1..x_L, n times         end marker
//   mask      0           0                       1                         1
//   input  [T x (bits + 2)]: channels 0..bits-1 data, `bits` the delimiter (1 on step L),
//          `bits + 1` the count: on step L only, (n - mean) / std, the mean and standard
//          deviation of the uniform training distribution of n over [min_repeats, max_repeats]
//          (Graves normalises the count to mean 0 and variance 1; std = 1 when the range is one
//          value). Generalisation splits keep the training normalisation, so 20 repeats read as a
//          count beyond anything seen in training. The delimiter makes the count row visible even
//          when the normalised count is 0.
//   target [T x (bits + 1)]: channels 0..bits-1 data, `bits` the end marker (1 on the last
//          step only; data bits 0 there).
//
//   task:
//     name: repeat_copy
//     bits: 8
//     min_length: 1            # L uniform in [min_length, max_length]
//     max_length: 10
//     min_repeats: 1           # n uniform in [min_repeats, max_repeats]
//     max_repeats: 10
//     eval_lengths: [20]       # split "len<L>": length L, n from the training range
//     eval_repeats: [20]       # split "rep<n>": n repeats, L from the training range
//     val_size: 256
//     eval_size: <val_size>
#pragma once

#include "experiments/tasks/algorithmic/bit_sequence.h"

namespace engram::experiments::algorithmic {

struct RepeatCopyOptions {
  int bits = 8;
  int min_length = 1;
  int max_length = 10;
  int min_repeats = 1;
  int max_repeats = 10;
  std::vector<int> eval_lengths = {20};
  std::vector<int> eval_repeats = {20};
  int val_size = 256;
  int eval_size = 256;
};

// The value of the count channel for `repeats` under the training range [min_repeats, max_repeats].
float repeat_count_value(int repeats, int min_repeats, int max_repeats);
// The episode layout above for a sequence [L x bits] repeated `repeats` times.
BitSequenceExample repeat_copy_episode(const MatF& sequence, int repeats, int min_repeats, int max_repeats);

class RepeatCopyTask : public GeneratedBitSequenceTask {
 public:
  RepeatCopyTask(const RepeatCopyOptions& o, const Rng& rng);
  Index input_size() const override { return o_.bits + 2; }
  Index output_size() const override { return o_.bits + 1; }
  const RepeatCopyOptions& options() const { return o_; }

 private:
  RepeatCopyOptions o_;
};

}  // namespace engram::experiments::algorithmic
