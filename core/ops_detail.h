// engram/core/ops_detail.h — helpers shared by the ops_*.cpp files (not a public header).
#pragma once

#include "core/ops.h"

namespace engram::detail {

// Result dimension of a broadcast between sizes a and b (equal, or one of them 1).
inline Index broadcast_dim(Index a, Index b, const char* op, const std::string& shapes) {
  require(a == b || a == 1 || b == 1, op, "cannot broadcast " + shapes);
  return a == 1 ? b : a;
}

// x replicated to [r x c] (x's dims divide r and c; they are 1 or equal).
template <class T>
Mat<T> expand(const Mat<T>& x, Index r, Index c) {
  if (x.rows() == r && x.cols() == c) return x;
  return x.replicate(r / x.rows(), c / x.cols());
}

// acc += g summed down to acc's (broadcast) shape.
template <class T>
void add_reduced(Mat<T>& acc, const Mat<T>& g) {
  if (acc.rows() == g.rows() && acc.cols() == g.cols()) {
    acc += g;
  } else if (acc.rows() == 1 && acc.cols() == 1) {
    acc(0, 0) += g.sum();
  } else if (acc.rows() == 1) {
    acc += g.colwise().sum();
  } else {
    acc += g.rowwise().sum();
  }
}

#define ENGRAM_INSTANTIATE_FLOAT_DOUBLE(MACRO) MACRO(float) MACRO(double)

}  // namespace engram::detail
