// engram/experiments/tasks/algorithmic/priority_sort.h — priority sort (Graves et al. 2014,
// sec. 4.5): N random vectors, each with a scalar priority; emit the M of highest priority,
// highest first.
//
// Episode of N = `inputs` vectors x_k with priorities p_k uniform in [-1, 1], M = `outputs`,
// T = N + 1 + M steps:
//   step      0 .. N-1          N            N+1 .. N+M
//   input     x_k, p_k          delimiter    zeros
//   target    0                 0            the M vectors of highest priority, highest first
//   mask      0                 0            1
//   input  [T x (bits + 2)]: channels 0..bits-1 data, `bits` the priority, `bits + 1` the delimiter
//   target [T x bits]
// Priorities are stored as floats and the order is computed on the stored values; equal
// priorities (practically never) keep their input order.
//
//   task:
//     name: priority_sort
//     bits: 8
//     inputs: 20               # N
//     outputs: 16              # M <= N (default min(16, inputs))
//     eval_inputs: []          # split "inputs<N>": N vectors, still M outputs (each N >= M)
//     val_size: 256
//     eval_size: <val_size>
#pragma once

#include "experiments/tasks/algorithmic/bit_sequence.h"

namespace engram::experiments::algorithmic {

struct PrioritySortOptions {
  int bits = 8;
  int inputs = 20;
  int outputs = 16;
  std::vector<int> eval_inputs;
  int val_size = 256;
  int eval_size = 256;
};

// The episode layout above. vectors: [N x bits], priorities: N values; outputs <= N.
BitSequenceExample priority_sort_episode(const MatF& vectors, const std::vector<float>& priorities, int outputs);

class PrioritySortTask : public GeneratedBitSequenceTask {
 public:
  PrioritySortTask(const PrioritySortOptions& o, const Rng& rng);
  Index input_size() const override { return o_.bits + 2; }
  Index output_size() const override { return o_.bits; }
  const PrioritySortOptions& options() const { return o_; }

 private:
  PrioritySortOptions o_;
};

}  // namespace engram::experiments::algorithmic
