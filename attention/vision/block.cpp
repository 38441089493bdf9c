// The block registry and the helpers the attention blocks share (attention/vision/block.h).
#include "attention/vision/block.h"

#include <algorithm>
#include <cmath>

namespace engram::attention {

template <class T>
Registry<BlockFactory<T>>& blocks() {
  static Registry<BlockFactory<T>> r("block", "blocks", "attention blocks for C x H x W feature maps (block: {name: se, ...})");
  return r;
}

void check_block_input(const char* block, const BlockShape& shape, Index cols) {
  require_lazy(cols == shape.image.size(), block, [&] {
    return "x has " + std::to_string(cols) + " columns, the block's maps are " + std::to_string(shape.image.channels) +
        " x " + std::to_string(shape.image.height) + " x " + std::to_string(shape.image.width) + " = " +
        std::to_string(shape.image.size());
  });
}

namespace {

// The blocks' broadcasts as one node each, with no reshaped copies and no expanded operand:
// x [N x G*L] read as G runs of L columns per row.
template <class T>
void check_runs(const char* where, const Var<T>& x, const Var<T>& s, Index s_cols, Index runs, Index len,
                const char* what) {
  require_lazy(x.rows() == s.rows() && s.cols() == s_cols && x.cols() == runs * len, where, [&] {
    return std::string(what) + " " + s.shape() + " must be [" + std::to_string(x.rows()) + " x " + std::to_string(s_cols) +
        "] for x " + x.shape() + " of " + std::to_string(runs) + " runs of " + std::to_string(len) + " columns";
  });
}

// y[n, g L + j] = x[n, g L + j] s[n, g]   (s [N x G]: one factor per run)
template <class T>
Var<T> scale_runs(const Var<T>& x, const Var<T>& s, Index runs, Index len, const char* where) {
  check_runs(where, x, s, runs, runs, len, "the scale");
  Mat<T> y(x.rows(), x.cols());
  for (Index n = 0; n < x.rows(); ++n)
    for (Index g = 0; g < runs; ++g) y.row(n).segment(g * len, len) = x.value().row(n).segment(g * len, len) * s.value()(n, g);
  return Var<T>::make(std::move(y), {x, s},
      [runs, len](const Node<T>& self, const Mat<T>& g, GradSpan<T> gin) {
        const Mat<T>& X = self.inputs[0]->value;
        const Mat<T>& S = self.inputs[1]->value;
        for (Index n = 0; n < g.rows(); ++n)
          for (Index r = 0; r < runs; ++r) {
            const auto gr = g.row(n).segment(r * len, len);
            if (gin[0]) gin[0]->row(n).segment(r * len, len) += S(n, r) * gr;
            if (gin[1]) (*gin[1])(n, r) += gr.dot(X.row(n).segment(r * len, len));
          }
      }, where);
}

// y[n, g L + j] = x[n, g L + j] + t[n, g]
template <class T>
Var<T> add_runs(const Var<T>& x, const Var<T>& t, Index runs, Index len, const char* where) {
  check_runs(where, x, t, runs, runs, len, "the term");
  Mat<T> y(x.rows(), x.cols());
  for (Index n = 0; n < x.rows(); ++n)
    for (Index g = 0; g < runs; ++g)
      y.row(n).segment(g * len, len) = (x.value().row(n).segment(g * len, len).array() + t.value()(n, g)).matrix();
  return Var<T>::make(std::move(y), {x, t},
      [runs, len](const Node<T>&, const Mat<T>& g, GradSpan<T> gin) {
        if (gin[0]) *gin[0] += g;
        if (gin[1])
          for (Index n = 0; n < g.rows(); ++n)
            for (Index r = 0; r < runs; ++r) (*gin[1])(n, r) += g.row(n).segment(r * len, len).sum();
      }, where);
}

// y[n, g L + j] = x[n, g L + j] m[n, j]   (m [N x L]: the same factors in every run)
template <class T>
Var<T> scale_each_run(const Var<T>& x, const Var<T>& m, Index runs, Index len, const char* where) {
  check_runs(where, x, m, len, runs, len, "the factors");
  Mat<T> y(x.rows(), x.cols());
  for (Index n = 0; n < x.rows(); ++n)
    for (Index g = 0; g < runs; ++g)
      y.row(n).segment(g * len, len) = x.value().row(n).segment(g * len, len).cwiseProduct(m.value().row(n));
  return Var<T>::make(std::move(y), {x, m},
      [runs, len](const Node<T>& self, const Mat<T>& g, GradSpan<T> gin) {
        const Mat<T>& X = self.inputs[0]->value;
        const Mat<T>& M = self.inputs[1]->value;
        for (Index n = 0; n < g.rows(); ++n)
          for (Index r = 0; r < runs; ++r) {
            const auto gr = g.row(n).segment(r * len, len);
            if (gin[0]) gin[0]->row(n).segment(r * len, len) += gr.cwiseProduct(M.row(n));
            if (gin[1]) gin[1]->row(n) += gr.cwiseProduct(X.row(n).segment(r * len, len));
          }
      }, where);
}

}  // namespace

template <class T>
Var<T> scale_channels(const Var<T>& x, const Var<T>& s, const ImageShape& shape) {
  return scale_runs(x, s, shape.channels, shape.height * shape.width, "scale_channels");
}

template <class T>
Var<T> scale_positions(const Var<T>& x, const Var<T>& m, const ImageShape& shape) {
  return scale_each_run(x, m, shape.channels, shape.height * shape.width, "scale_positions");
}

template <class T>
Var<T> add_channels(const Var<T>& x, const Var<T>& t, const ImageShape& shape) {
  return add_runs(x, t, shape.channels, shape.height * shape.width, "add_channels");
}

template <class T>
Var<T> mean_over_width(const Var<T>& x, const ImageShape& shape) {
  const Index n = x.rows(), ch = shape.channels * shape.height;
  return reshape(mean(reshape(x, n * ch, shape.width), 1), n, ch);
}

namespace {

// [H*W x W]: 1/H at (h*W + w, w); its transpose times H spreads a row [1 x W] over every h.
template <class T>
Mat<T> column_pooling(const ImageShape& shape) {
  const Index h = shape.height, w = shape.width;
  Mat<T> p = Mat<T>::Zero(h * w, w);
  for (Index i = 0; i < h; ++i)
    for (Index j = 0; j < w; ++j) p(i * w + j, j) = T(1) / T(h);
  return p;
}

}  // namespace

template <class T>
Var<T> mean_over_height(const Var<T>& x, const ImageShape& shape) {
  const Index n = x.rows(), c = shape.channels;
  return reshape(matmul(reshape(x, n * c, shape.height * shape.width), constant<T>(column_pooling<T>(shape))), n,
                 c * shape.width);
}

template <class T>
Var<T> scale_rows(const Var<T>& x, const Var<T>& a, const ImageShape& shape) {
  return scale_runs(x, a, shape.channels * shape.height, shape.width, "scale_rows");
}

template <class T>
Var<T> scale_columns(const Var<T>& x, const Var<T>& a, const ImageShape& shape) {
  const Index n = x.rows(), c = shape.channels, hw = shape.height * shape.width;
  const Mat<T> spread = column_pooling<T>(shape).transpose() * T(shape.height);  // [W x H*W] of 0 and 1
  return reshape(mul(reshape(x, n * c, hw), matmul(reshape(a, n * c, shape.width), constant<T>(spread))), n, c * hw);
}

template <class T>
Var<T> positions_of(const Var<T>& x, Index i, const ImageShape& shape) {
  return transpose(reshape(slice_rows(x, i, 1), shape.channels, shape.height * shape.width));
}

template <class T>
Var<T> image_of(const Var<T>& positions, const ImageShape& shape) {
  return reshape(transpose(positions), 1, shape.size());
}

template <class T>
Mat<T> dct_pooling_basis(const ImageShape& shape, Index frequencies) {
  const Index c = shape.channels, h = shape.height, w = shape.width, f = std::max<Index>(1, frequencies);
  std::vector<std::pair<Index, Index>> order;  // zig-zag: by u + v, then by u
  for (Index d = 0; static_cast<Index>(order.size()) < f; ++d)
    for (Index u = 0; u <= d && static_cast<Index>(order.size()) < f; ++u) order.emplace_back(u, d - u);
  constexpr double pi = 3.14159265358979323846;
  Mat<T> basis(1, shape.size());
  for (Index ch = 0; ch < c; ++ch) {
    const auto [u, v] = order[static_cast<size_t>(std::min(f - 1, ch / std::max<Index>(1, c / f)))];
    for (Index i = 0; i < h; ++i)
      for (Index j = 0; j < w; ++j)
        basis(0, (ch * h + i) * w + j) =
            T(std::cos(pi * double(u) * (double(i) + 0.5) / double(h)) * std::cos(pi * double(v) * (double(j) + 0.5) / double(w)));
  }
  return basis;
}

template <class T>
Var<T> channel_mean(const Var<T>& x, const ImageShape& shape) {
  const Index c = shape.channels, hw = shape.height * shape.width;
  check_block_input("channel_mean", BlockShape{shape}, x.cols());
  Mat<T> y = Mat<T>::Zero(x.rows(), hw);
  for (Index n = 0; n < x.rows(); ++n) {
    for (Index k = 0; k < c; ++k) y.row(n) += x.value().row(n).segment(k * hw, hw);
    y.row(n) /= T(c);
  }
  return Var<T>::make(std::move(y), {x},
      [c, hw](const Node<T>&, const Mat<T>& g, GradSpan<T> gin) {
        if (!gin[0]) return;
        for (Index n = 0; n < g.rows(); ++n)
          for (Index k = 0; k < c; ++k) gin[0]->row(n).segment(k * hw, hw) += g.row(n) / T(c);
      }, "channel_mean");
}

template <class T>
Var<T> channel_max(const Var<T>& x, const ImageShape& shape) {
  const Index c = shape.channels, hw = shape.height * shape.width;
  check_block_input("channel_max", BlockShape{shape}, x.cols());
  require(c >= 1, "channel_max", "needs at least one channel");
  Mat<T> y(x.rows(), hw);
  std::vector<Index> arg(static_cast<size_t>(x.rows() * hw));  // the column of each maximum
  for (Index n = 0; n < x.rows(); ++n) {
    const T* xn = x.value().data() + n * x.cols();
    for (Index p = 0; p < hw; ++p) {
      Index at = p;
      for (Index k = 1; k < c; ++k) {  // the first maximum wins ties; NaN wins, as in numpy
        const T v = xn[k * hw + p], best = xn[at];
        if (v > best || (v != v && best == best)) at = k * hw + p;
      }
      y(n, p) = xn[at];
      arg[static_cast<size_t>(n * hw + p)] = at;
    }
  }
  return Var<T>::make(std::move(y), {x},
      [hw, arg = std::move(arg)](const Node<T>&, const Mat<T>& g, GradSpan<T> gin) {
        if (!gin[0]) return;
        for (Index n = 0; n < g.rows(); ++n)
          for (Index p = 0; p < hw; ++p) (*gin[0])(n, arg[static_cast<size_t>(n * hw + p)]) += g(n, p);
      }, "channel_max");
}

#define ENGRAM_BLOCK_HELPERS(T)                                                             \
  template Registry<BlockFactory<T>>& blocks<T>();                                          \
  template Var<T> scale_channels(const Var<T>&, const Var<T>&, const ImageShape&);          \
  template Var<T> scale_positions(const Var<T>&, const Var<T>&, const ImageShape&);         \
  template Var<T> channel_mean(const Var<T>&, const ImageShape&);                           \
  template Var<T> channel_max(const Var<T>&, const ImageShape&);                             \
  template Var<T> add_channels(const Var<T>&, const Var<T>&, const ImageShape&);            \
  template Var<T> mean_over_width(const Var<T>&, const ImageShape&);                        \
  template Var<T> mean_over_height(const Var<T>&, const ImageShape&);                       \
  template Var<T> scale_rows(const Var<T>&, const Var<T>&, const ImageShape&);              \
  template Var<T> scale_columns(const Var<T>&, const Var<T>&, const ImageShape&);           \
  template Var<T> positions_of(const Var<T>&, Index, const ImageShape&);                    \
  template Var<T> image_of(const Var<T>&, const ImageShape&);                               \
  template Mat<T> dct_pooling_basis<T>(const ImageShape&, Index);
ENGRAM_BLOCK_HELPERS(float)
ENGRAM_BLOCK_HELPERS(double)
#undef ENGRAM_BLOCK_HELPERS

}  // namespace engram::attention
