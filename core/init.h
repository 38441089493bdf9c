// engram/core/init.h — parameter initializers. All draw from an explicit Rng stream.
#pragma once

#include "core/rng.h"
#include "core/tensor.h"

namespace engram::init {

template <class T> Mat<T> uniform(Index rows, Index cols, double lo, double hi, Rng& rng);
template <class T> Mat<T> normal(Index rows, Index cols, double mean, double stddev, Rng& rng);
// Glorot & Bengio 2010, for a [fan_in x fan_out] weight: U(-a, a), a = sqrt(6 / (in + out))
template <class T> Mat<T> xavier_uniform(Index fan_in, Index fan_out, Rng& rng);
// N(0, 2 / (in + out))
template <class T> Mat<T> xavier_normal(Index fan_in, Index fan_out, Rng& rng);

}  // namespace engram::init
