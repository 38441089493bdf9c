// engram/experiments/tasks/pointer/sort.h — the generated sorting task of the pointer family
// (registered as `sort`; options in sort.cpp).
#pragma once

#include "experiments/tasks/pointer/pointer_task.h"

namespace engram::experiments::pointer {

struct SortOptions {
  bool integers = true;     // distinct integers 0..max_value, else floats in [0, 1)
  int min_n = 10, max_n = 10;
  int max_value = 999;
  bool binary = false;      // integers: the value's bits (+-1) beside value / max_value
  int val_size = 1000, test_size = 1000;
  std::vector<int> eval_lengths;  // more test splits "n<k>"
};

// One example from its values: features as above, target the ascending order.
PointerExample sort_example(const std::vector<double>& values, const SortOptions& o);
// n values drawn as the options say (integers distinct).
std::vector<double> sort_values(Rng& rng, int n, const SortOptions& o);

class SortTask : public PointerTask {
 public:
  SortTask(const SortOptions& o, const Rng& rng);
  Index input_size() const override;
  bool permutation() const override { return true; }
  const SortOptions& options() const { return o_; }

 private:
  SortOptions o_;
};

}  // namespace engram::experiments::pointer
