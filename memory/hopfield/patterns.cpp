#include "memory/hopfield/patterns.h"

#include <cmath>
#include <numeric>
#include <vector>

namespace engram::hopfield {

States random_patterns(Index P, Index N, Rng& rng, double bias) {
  require(P >= 0 && N > 0, "random_patterns", "need P >= 0 and N > 0, got P=" + std::to_string(P) +
                                                  " N=" + std::to_string(N));
  require(bias > -1.0 && bias < 1.0, "random_patterns", "bias must be in (-1, 1), got " + num_str(bias));
  const double p_plus = (1.0 + bias) / 2.0;
  States x(P, N);
  for (Index i = 0; i < P; ++i)
    for (Index j = 0; j < N; ++j) x(i, j) = rng.uniform() < p_plus ? 1.0f : -1.0f;
  return x;
}

States flip_bits(const States& x, double fraction, Rng& rng) {
  require(fraction >= 0.0 && fraction <= 1.0, "flip_bits", "fraction must be in [0, 1], got " + num_str(fraction));
  const Index N = x.cols();
  const Index k = static_cast<Index>(std::llround(fraction * double(N)));
  States y = x;
  std::vector<int> idx(N);
  for (Index r = 0; r < x.rows(); ++r) {
    std::iota(idx.begin(), idx.end(), 0);
    // partial Fisher-Yates: the first k entries are a uniform k-subset
    for (Index i = 0; i < k; ++i) {
      const Index j = i + Index(rng.below(std::uint64_t(N - i)));
      std::swap(idx[i], idx[j]);
      y(r, idx[i]) = -y(r, idx[i]);
    }
  }
  return y;
}

MatF overlaps(const States& x, const States& s) {
  require(x.cols() == s.cols(), "overlaps", "dimension mismatch " + shape_str(x) + " vs " + shape_str(s));
  return (x * s.transpose()) / float(x.cols());
}

States sign(const MatF& h) {
  return h.unaryExpr([](float v) { return v >= 0.0f ? 1.0f : -1.0f; });
}

bool all_binary(const float* v, Index n) {
  int bad = 0;  // (no early exit: the loop vectorises)
  for (Index k = 0; k < n; ++k) bad |= (v[k] != 1.0f) & (v[k] != -1.0f);
  return !bad;
}

void require_binary(const States& x, const char* where) {
  // fast path, then the slow search for the message
  if (all_binary(x.data(), x.size())) return;
  for (Index i = 0; i < x.rows(); ++i)
    for (Index j = 0; j < x.cols(); ++j)
      if (x(i, j) != 1.0f && x(i, j) != -1.0f)
        throw std::invalid_argument(std::string(where) + ": states must be +-1, got " + num_str(x(i, j)) +
                                    " at row " + std::to_string(i) + ", column " + std::to_string(j));
}

}  // namespace engram::hopfield
