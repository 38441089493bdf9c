#include "attention/positional.h"

#include <cmath>

namespace engram::attention {

template <class T>
Mat<T> sinusoidal_encoding(Index n, Index d) {
  require_lazy(n >= 0 && d >= 1, "sinusoidal_encoding", [&] {
    return "needs n >= 0 and d >= 1, got n=" + std::to_string(n) + " d=" + std::to_string(d);
  });
  Mat<T> pe(n, d);  // [n x d]
  for (Index j = 0; j < d; ++j) {
    const Index two_i = j - j % 2;  // 2i for both columns 2i and 2i+1
    const double divisor = std::pow(10000.0, double(two_i) / double(d));  // 10000^(2i/d)
    for (Index pos = 0; pos < n; ++pos) {
      const double angle = double(pos) / divisor;
      pe(pos, j) = static_cast<T>(j % 2 == 0 ? std::sin(angle) : std::cos(angle));
    }
  }
  return pe;
}

template <class T>
LearnedPositionalEncoding<T>::LearnedPositionalEncoding(Index max_len, Index d, Rng& rng, double stddev)
    : positions(max_len, d, rng, stddev) {
  this->add_module("positions", positions);
}

template <class T>
Var<T> LearnedPositionalEncoding<T>::forward(Index n) const {
  require_lazy(n >= 1 && n <= max_len(), "LearnedPositionalEncoding", [&] {
    return "sequence length n=" + std::to_string(n) + " must be in [1, max_len=" + std::to_string(max_len()) + "]";
  });
  return slice_rows(positions.table, 0, n);  // [max_len x d] -> [n x d]
}

template Mat<float> sinusoidal_encoding<float>(Index, Index);
template Mat<double> sinusoidal_encoding<double>(Index, Index);
template class LearnedPositionalEncoding<float>;
template class LearnedPositionalEncoding<double>;

}  // namespace engram::attention
