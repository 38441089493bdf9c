// engram/core/ops_detail.h — helpers shared by the ops_*.cpp files (not a public header).
#pragma once

#include "core/ops.h"

namespace engram::detail {

// Result dimension of a broadcast between sizes a and b (equal, or one of them 1); `shapes()`
// describes the operands for the error message (built only on failure).
template <class Shapes>
Index broadcast_dim(Index a, Index b, const char* op, Shapes&& shapes) {
  require_lazy(a == b || a == 1 || b == 1, op, [&] { return "cannot broadcast " + shapes(); });
  return a == 1 ? b : a;
}

// x replicated to [r x c] (x's dims are 1 or equal to r and c). Row by row: Eigen's replicate()
// with run-time factors takes an index division per coefficient (a bias added to [8 x 400] rows
// spent 7% of a step there; bench_ops "add row broadcast": forward 106 -> 78 ns).
template <class T>
Mat<T> expand(const Mat<T>& x, Index r, Index c) {
  if (x.rows() == r && x.cols() == c) return x;
  if (r == 0 || c == 0 || x.size() == 0) return Mat<T>(r, c);  // nothing to replicate (or from)
  Mat<T> out(r, c);
  if (x.cols() == c) {         // [1 x c]: the row, r times
    for (Index i = 0; i < r; ++i) out.row(i) = x.row(0);
  } else if (x.rows() == r) {  // [r x 1]: each row its value
    for (Index i = 0; i < r; ++i) out.row(i).setConstant(x(i, 0));
  } else {                     // [1 x 1]
    out.setConstant(x(0, 0));
  }
  return out;
}

// x itself when it has the shape [r x c], else expand(x, r, c) kept in `storage`.
template <class T>
const Mat<T>& expanded(const Mat<T>& x, Index r, Index c, Mat<T>& storage) {
  if (x.rows() == r && x.cols() == c) return x;
  storage = expand(x, r, c);
  return storage;
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

// Checks bag/segment offsets over n rows: 0 = offsets[0] <= ... <= offsets.back() = n. Messages
// are built only on failure (these ops run several times per example).
inline void check_offsets(const char* where, const std::vector<int>& offsets, Index n, const char* rows) {
  if (offsets.empty() || offsets.front() != 0 || offsets.back() != n)
    require(false, where, std::to_string(n) + " " + rows + " need offsets from 0 to " + std::to_string(n) + ", got " +
                              std::to_string(offsets.size()) + " offsets" +
                              (offsets.empty() ? std::string()
                                               : " from " + std::to_string(offsets.front()) + " to " +
                                                     std::to_string(offsets.back())));
  for (size_t b = 1; b < offsets.size(); ++b)
    if (offsets[b] < offsets[b - 1])
      require(false, where, "offsets must not decrease, got " + std::to_string(offsets[b - 1]) + " then " +
                                std::to_string(offsets[b]) + " at position " + std::to_string(b));
}

#define ENGRAM_INSTANTIATE_FLOAT_DOUBLE(MACRO) MACRO(float) MACRO(double)

}  // namespace engram::detail
