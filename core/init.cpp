#include "core/init.h"

#include <cmath>

namespace engram::init {

template <class T>
Mat<T> uniform(Index rows, Index cols, double lo, double hi, Rng& rng) {
  require(lo < hi, "init::uniform", "needs lo < hi, got [" + std::to_string(lo) + ", " + std::to_string(hi) + ")");
  Mat<T> m(rows, cols);
  for (Index i = 0; i < m.size(); ++i) m.data()[i] = static_cast<T>(rng.uniform(lo, hi));
  return m;
}

template <class T>
Mat<T> normal(Index rows, Index cols, double mean, double stddev, Rng& rng) {
  require(stddev >= 0, "init::normal", "stddev must be >= 0, got " + std::to_string(stddev));
  Mat<T> m(rows, cols);
  for (Index i = 0; i < m.size(); ++i) m.data()[i] = static_cast<T>(rng.normal(mean, stddev));
  return m;
}

template <class T>
Mat<T> xavier_uniform(Index fan_in, Index fan_out, Rng& rng) {
  const double a = std::sqrt(6.0 / double(fan_in + fan_out));
  return uniform<T>(fan_in, fan_out, -a, a, rng);
}

template <class T>
Mat<T> xavier_normal(Index fan_in, Index fan_out, Rng& rng) {
  return normal<T>(fan_in, fan_out, 0.0, std::sqrt(2.0 / double(fan_in + fan_out)), rng);
}

#define INST(T)                                                          \
  template Mat<T> uniform<T>(Index, Index, double, double, Rng&);        \
  template Mat<T> normal<T>(Index, Index, double, double, Rng&);         \
  template Mat<T> xavier_uniform<T>(Index, Index, Rng&);                 \
  template Mat<T> xavier_normal<T>(Index, Index, Rng&);
INST(float)
INST(double)
#undef INST

}  // namespace engram::init
