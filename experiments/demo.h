// engram/experiments/demo.h — the built-in demonstration job: learn key-value retrieval with
// attention, printing the learning curve. Needs no external data.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <vector>

namespace engram::experiments {

struct KvDemoOptions {
  int pairs = 8;          // key-value pairs per example (the memory)
  int key_dim = 16;       // key dimension
  int classes = 10;       // value vocabulary
  int hidden = 32;        // attention dimension
  double noise = 0.4;     // std of the noise added to the probed key
  int steps = 600;
  int batch = 32;
  double lr = 3e-3;
  int eval_every = 50;
  int eval_examples = 512;
  int threads = 2;
  std::uint64_t seed = 0;
};

struct CurvePoint {
  int step;
  double train_loss;  // mean over the steps since the previous point
  double eval_loss;
  double eval_accuracy;
};

// Trains and returns the learning curve; writes one line per point to `out` when non-null.
std::vector<CurvePoint> run_kv_demo(const KvDemoOptions& opt, std::ostream* out);

}  // namespace engram::experiments
