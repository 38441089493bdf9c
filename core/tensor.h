// engram/core/tensor.h — the 2-D value type every op works on, and the error policy.
//
// All values are row-major Eigen matrices of scalar T (float in models, double in gradient
// checks). A vector is a 1 x n row. Public boundaries throw std::invalid_argument with the
// actual shapes (`shape_str`); hot kernels only assert.
#pragma once

#include <Eigen/Core>

#include <cstdint>
#include <sstream>
#include <stdexcept>
#include <string>

namespace engram {

using Index = Eigen::Index;

template <class T>
using Mat = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using MatF = Mat<float>;
using MatD = Mat<double>;

// "[3 x 4]"
template <class Derived>
std::string shape_str(const Eigen::EigenBase<Derived>& m) {
  return "[" + std::to_string(m.rows()) + " x " + std::to_string(m.cols()) + "]";
}
inline std::string shape_str(Index rows, Index cols) {
  return "[" + std::to_string(rows) + " x " + std::to_string(cols) + "]";
}

// Shortest round-trip-ish text of a number for messages ("0.5", "1e+30").
inline std::string num_str(double x) {
  std::ostringstream s;
  s << x;
  return s.str();
}

// Throws std::invalid_argument("<where>: <what>") when `cond` is false. `where` names the
// public function (e.g. "matmul"), `what` the actual shapes or values.
inline void require(bool cond, const char* where, const std::string& what) {
  if (!cond) throw std::invalid_argument(std::string(where) + ": " + what);
}

// require() for hot paths: `what` is a callable returning the message, called only on failure,
// so a passing check costs a comparison and no string building.
template <class F>
inline void require_lazy(bool cond, const char* where, F&& what) {
  if (!cond) [[unlikely]] throw std::invalid_argument(std::string(where) + ": " + what());
}

}  // namespace engram
