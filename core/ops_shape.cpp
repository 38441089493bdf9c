// concat, slice_rows, slice_cols, reshape, gather_rows
#include "core/ops_detail.h"

namespace engram {

template <class T>
Var<T> concat(const std::vector<Var<T>>& xs, int axis) {
  require(!xs.empty(), "concat", "no inputs");
  require_lazy(axis == 0 || axis == 1, "concat", [&] { return "axis must be 0 or 1, got " + std::to_string(axis); });
  Index total = 0;
  for (size_t i = 0; i < xs.size(); ++i) {
    const bool ok = axis == 0 ? xs[i].cols() == xs[0].cols() : xs[i].rows() == xs[0].rows();
    require_lazy(ok, "concat", [&] {
      return "input " + std::to_string(i) + " is " + xs[i].shape() + " but input 0 is " +
          xs[0].shape() + (axis == 0 ? " (cols must match)" : " (rows must match)");
    });
    total += axis == 0 ? xs[i].rows() : xs[i].cols();
  }
  Mat<T> out = axis == 0 ? Mat<T>(total, xs[0].cols()) : Mat<T>(xs[0].rows(), total);
  Index at = 0;
  for (const auto& x : xs) {
    if (axis == 0) out.middleRows(at, x.rows()) = x.value();
    else out.middleCols(at, x.cols()) = x.value();
    at += axis == 0 ? x.rows() : x.cols();
  }
  return Var<T>::make(std::move(out), xs,
      [axis](const Node<T>& self, const Mat<T>& g, GradSpan<T> gin) {
        Index at = 0;
        for (size_t k = 0; k < self.inputs.size(); ++k) {
          const Mat<T>& X = self.inputs[k]->value;
          if (gin[k]) {
            if (axis == 0) *gin[k] += g.middleRows(at, X.rows());
            else *gin[k] += g.middleCols(at, X.cols());
          }
          at += axis == 0 ? X.rows() : X.cols();
        }
      }, "concat");
}

template <class T>
Var<T> slice_rows(const Var<T>& x, Index start, Index count) {
  require_lazy(start >= 0 && count >= 0 && start + count <= x.rows(), "slice_rows", [&] {
    return "rows [" + std::to_string(start) + ", " + std::to_string(start + count) + ") of " + x.shape();
  });
  return Var<T>::make(x.value().middleRows(start, count), {x},
      [start, count](const Node<T>&, const Mat<T>& g, GradSpan<T> gin) {
        if (gin[0]) gin[0]->middleRows(start, count) += g;
      }, "slice_rows");
}

template <class T>
Var<T> slice_cols(const Var<T>& x, Index start, Index count) {
  require_lazy(start >= 0 && count >= 0 && start + count <= x.cols(), "slice_cols", [&] {
    return "cols [" + std::to_string(start) + ", " + std::to_string(start + count) + ") of " + x.shape();
  });
  return Var<T>::make(x.value().middleCols(start, count), {x},
      [start, count](const Node<T>&, const Mat<T>& g, GradSpan<T> gin) {
        if (gin[0]) gin[0]->middleCols(start, count) += g;
      }, "slice_cols");
}

template <class T>
Var<T> reshape(const Var<T>& x, Index rows, Index cols) {
  require_lazy(rows >= 0 && cols >= 0 && rows * cols == x.size(), "reshape", [&] {
    return x.shape() + " cannot become " + shape_str(rows, cols);
  });
  Mat<T> out = Eigen::Map<const Mat<T>>(x.value().data(), rows, cols);
  return Var<T>::make(std::move(out), {x},
      [](const Node<T>&, const Mat<T>& g, GradSpan<T> gin) {
        if (!gin[0]) return;
        Eigen::Map<Mat<T>>(gin[0]->data(), g.rows(), g.cols()) += g;   // same row-major order
      }, "reshape");
}

template <class T>
Var<T> gather_rows(const Var<T>& table, const std::vector<int>& idx) {
  const Index v = table.rows();
  Mat<T> out(static_cast<Index>(idx.size()), table.cols());
  for (size_t k = 0; k < idx.size(); ++k) {
    if (idx[k] < 0 || idx[k] >= v)  // the message is built only on failure (embedding lookups are hot)
      require_lazy(false, "gather_rows", [&] {
        return "index " + std::to_string(idx[k]) + " at position " + std::to_string(k) +
            " is outside the table's rows [0, " + std::to_string(v) + ")";
      });
    out.row(static_cast<Index>(k)) = table.value().row(idx[k]);
  }
  return Var<T>::make(std::move(out), {table},
      [idx](const Node<T>&, const Mat<T>& g, GradSpan<T> gin) {
        if (!gin[0]) return;
        for (size_t k = 0; k < idx.size(); ++k) gin[0]->row(idx[k]) += g.row(static_cast<Index>(k));
      }, "gather_rows");
}

#define INST(T)                                                   \
  template Var<T> concat(const std::vector<Var<T>>&, int);        \
  template Var<T> slice_rows(const Var<T>&, Index, Index);        \
  template Var<T> slice_cols(const Var<T>&, Index, Index);        \
  template Var<T> reshape(const Var<T>&, Index, Index);           \
  template Var<T> gather_rows(const Var<T>&, const std::vector<int>&);
ENGRAM_INSTANTIATE_FLOAT_DOUBLE(INST)
#undef INST

}  // namespace engram
