// segment_dot, segment_softmax, segment_weighted_sum: attention over ragged batches
#include "core/ops_detail.h"

#include <cmath>
#include <limits>

namespace engram {

namespace {
// Rows of set s: [lo, hi).
inline int lo_of(const std::vector<int>& o, Index s) { return o[static_cast<size_t>(s)]; }
inline int hi_of(const std::vector<int>& o, Index s) { return o[static_cast<size_t>(s) + 1]; }
}  // namespace

template <class T>
Var<T> segment_dot(const Var<T>& u, const Var<T>& m, const std::vector<int>& offsets) {
  const char* where = "segment_dot";
  const Index sets = u.rows(), R = m.rows();
  require_lazy(u.cols() == m.cols(), where, [&] {
    return "u " + u.shape() + " and m " + m.shape() + " need equal cols";
  });
  require_lazy(static_cast<Index>(offsets.size()) == sets + 1, where, [&] {
    return "u " + u.shape() + " has " + std::to_string(sets) + " sets, so offsets need " + std::to_string(sets + 1) +
           " positions, got " + std::to_string(offsets.size());
  });
  detail::check_offsets(where, offsets, R, "rows of m");
  const Mat<T>& U = u.value();
  const Mat<T>& M = m.value();
  Mat<T> out(R, 1);
  for (Index s = 0; s < sets; ++s)
    for (int r = lo_of(offsets, s); r < hi_of(offsets, s); ++r) out(r, 0) = U.row(s).dot(M.row(r));
  return Var<T>::make(std::move(out), {u, m},
      [offsets](const Node<T>& self, const Mat<T>& g, GradSpan<T> gin) {
        const Mat<T>& U = self.inputs[0]->value;
        const Mat<T>& M = self.inputs[1]->value;
        for (Index s = 0; s + 1 < static_cast<Index>(offsets.size()); ++s)
          for (int r = lo_of(offsets, s); r < hi_of(offsets, s); ++r) {
            if (gin[0]) gin[0]->row(s) += g(r, 0) * M.row(r);
            if (gin[1]) gin[1]->row(r) += g(r, 0) * U.row(s);
          }
      }, "segment_dot");
}

template <class T>
Var<T> segment_softmax(const Var<T>& x, const std::vector<int>& offsets, T beta, const std::vector<T>& sink) {
  const char* where = "segment_softmax";
  require_lazy(x.cols() == 1, where, [&] { return "x must be a column [R x 1], got " + x.shape(); });
  detail::check_offsets(where, offsets, x.rows(), "rows of x");
  const Index sets = static_cast<Index>(offsets.size()) - 1;
  require_lazy(sink.empty() || static_cast<Index>(sink.size()) == sets, where, [&] {
    return "sink must have one entry per set (" + std::to_string(sets) + "), got " + std::to_string(sink.size());
  });
  for (size_t s = 0; s < sink.size(); ++s)
    require_lazy(std::isfinite(sink[s]) && sink[s] >= 0, where, [&] {
      return "sink[" + std::to_string(s) + "] must be a finite count >= 0";
    });
  const Mat<T>& X = x.value();
  Mat<T> y(x.rows(), 1);
  for (Index s = 0; s < sets; ++s) {
    const int lo = lo_of(offsets, s), hi = hi_of(offsets, s);
    if (lo == hi) continue;
    const T k = sink.empty() ? T(0) : sink[static_cast<size_t>(s)];
    T top = k > 0 ? T(0) : -std::numeric_limits<T>::infinity();  // the sinks' score is 0
    for (int r = lo; r < hi; ++r) top = std::max(top, beta * X(r, 0));
    T total = k > 0 ? k * std::exp(-top) : T(0);
    for (int r = lo; r < hi; ++r) total += (y(r, 0) = std::exp(beta * X(r, 0) - top));
    for (int r = lo; r < hi; ++r) y(r, 0) /= total;
  }
  return Var<T>::make(Mat<T>(y), {x},
      [offsets, y, beta](const Node<T>&, const Mat<T>& g, GradSpan<T> gin) {
        if (!gin[0]) return;
        // dx_r = beta y_r (g_r - sum_{q in set} g_q y_q)   (the sinks are constants: the same form)
        for (Index s = 0; s + 1 < static_cast<Index>(offsets.size()); ++s) {
          const int lo = lo_of(offsets, s), hi = hi_of(offsets, s);
          T dot = 0;
          for (int r = lo; r < hi; ++r) dot += g(r, 0) * y(r, 0);
          for (int r = lo; r < hi; ++r) (*gin[0])(r, 0) += beta * y(r, 0) * (g(r, 0) - dot);
        }
      }, "segment_softmax");
}

template <class T>
Var<T> segment_softmax(const Var<T>& x, const std::vector<int>& offsets, T beta) {
  return segment_softmax(x, offsets, beta, std::vector<T>{});
}

template <class T>
Var<T> segment_weighted_sum(const Var<T>& p, const Var<T>& c, const std::vector<int>& offsets) {
  const char* where = "segment_weighted_sum";
  require_lazy(p.cols() == 1 && p.rows() == c.rows(), where, [&] {
    return "p must be a column with one weight per row of c " + c.shape() + ", got " + p.shape();
  });
  detail::check_offsets(where, offsets, c.rows(), "rows of c");
  const Index sets = static_cast<Index>(offsets.size()) - 1;
  const Mat<T>& P = p.value();
  const Mat<T>& C = c.value();
  Mat<T> out = Mat<T>::Zero(sets, c.cols());
  for (Index s = 0; s < sets; ++s)
    for (int r = lo_of(offsets, s); r < hi_of(offsets, s); ++r) out.row(s) += P(r, 0) * C.row(r);
  return Var<T>::make(std::move(out), {p, c},
      [offsets](const Node<T>& self, const Mat<T>& g, GradSpan<T> gin) {
        const Mat<T>& P = self.inputs[0]->value;
        const Mat<T>& C = self.inputs[1]->value;
        for (Index s = 0; s + 1 < static_cast<Index>(offsets.size()); ++s)
          for (int r = lo_of(offsets, s); r < hi_of(offsets, s); ++r) {
            if (gin[0]) (*gin[0])(r, 0) += g.row(s).dot(C.row(r));
            if (gin[1]) gin[1]->row(r) += P(r, 0) * g.row(s);
          }
      }, "segment_weighted_sum");
}

#define ENGRAM_SEGMENT_OPS(T)                                                                        \
  template Var<T> segment_dot(const Var<T>&, const Var<T>&, const std::vector<int>&);                 \
  template Var<T> segment_softmax(const Var<T>&, const std::vector<int>&, T);                        \
  template Var<T> segment_softmax(const Var<T>&, const std::vector<int>&, T, const std::vector<T>&);  \
  template Var<T> segment_weighted_sum(const Var<T>&, const Var<T>&, const std::vector<int>&);
ENGRAM_INSTANTIATE_FLOAT_DOUBLE(ENGRAM_SEGMENT_OPS)

}  // namespace engram
