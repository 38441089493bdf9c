// engram/tests/memory/memory_test_util.h — what the memory-op tests and the op table's memory
// rows share: a row from a list of values and a random weighting of the kind addressing makes.
#pragma once

#include "core/gradcheck.h"

#include <initializer_list>

namespace engram::test {

// [1 x n] with the values v.
inline MatD row(std::initializer_list<double> v) {
  MatD m(1, static_cast<Index>(v.size()));
  Index i = 0;
  for (double x : v) m(0, i++) = x;
  return m;
}

// A strictly positive [1 x n] weighting summing to `total`.
inline MatD weighting(Index n, Rng& rng, double total = 0.9) {
  MatD w = random_matrix(1, n, rng, 0.05, 1.0);
  return w * (total / w.sum());
}

}  // namespace engram::test
