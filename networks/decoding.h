// engram/networks/decoding.h — what the decoders' searches share (pointer_net, seq2seq).
#pragma once

#include "core/tensor.h"

#include <cmath>
#include <limits>
#include <vector>

namespace engram::networks {

// The log-softmax of a [1 x n] row of logits, in double. -inf stays -inf (a masked position);
// NaN (a diverged model) counts as -inf too: never proposed, and a beam's sort stays a strict
// order. All -inf or NaN: every entry -inf.
template <class T>
std::vector<double> log_probs(const Mat<T>& z) {
  double m = -std::numeric_limits<double>::infinity();
  for (Index j = 0; j < z.cols(); ++j)
    if (!std::isnan(static_cast<double>(z(0, j)))) m = std::max(m, static_cast<double>(z(0, j)));
  std::vector<double> out(static_cast<size_t>(z.cols()), -std::numeric_limits<double>::infinity());
  if (std::isinf(m)) return out;
  double s = 0;
  for (Index j = 0; j < z.cols(); ++j)
    if (!std::isnan(static_cast<double>(z(0, j)))) s += std::exp(static_cast<double>(z(0, j)) - m);
  for (Index j = 0; j < z.cols(); ++j)
    if (!std::isnan(static_cast<double>(z(0, j)))) out[static_cast<size_t>(j)] = static_cast<double>(z(0, j)) - m - std::log(s);
  return out;
}

}  // namespace engram::networks
