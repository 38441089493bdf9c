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

template <class T>
Var<T> scale_channels(const Var<T>& x, const Var<T>& s, const ImageShape& shape) {
  const Index n = x.rows(), c = shape.channels, hw = shape.height * shape.width;
  return reshape(mul(reshape(x, n * c, hw), reshape(s, n * c, 1)), n, c * hw);
}

template <class T>
Var<T> scale_positions(const Var<T>& x, const Var<T>& m, const ImageShape& shape) {
  const Index n = x.rows(), c = shape.channels, hw = shape.height * shape.width;
  // [N x C*HW] as [N*C x HW] rows; m repeated for every channel of its image: [N*C x HW]
  std::vector<Var<T>> rows;
  for (Index i = 0; i < n; ++i)
    for (Index k = 0; k < c; ++k) rows.push_back(slice_rows(m, i, 1));
  if (rows.empty()) return x;
  return reshape(mul(reshape(x, n * c, hw), concat(rows, 0)), n, c * hw);
}

template <class T>
Var<T> add_channels(const Var<T>& x, const Var<T>& t, const ImageShape& shape) {
  const Index n = x.rows(), c = shape.channels, hw = shape.height * shape.width;
  return reshape(add(reshape(x, n * c, hw), reshape(t, n * c, 1)), n, c * hw);
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
  const Index n = x.rows(), ch = shape.channels * shape.height;
  return reshape(mul(reshape(x, n * ch, shape.width), reshape(a, n * ch, 1)), n, ch * shape.width);
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

namespace {

template <class T, class Reduce>
Var<T> over_channels(const Var<T>& x, const ImageShape& shape, Reduce reduce) {
  const Index n = x.rows(), c = shape.channels, hw = shape.height * shape.width;
  if (n == 0) return Var<T>(Mat<T>(0, hw));
  std::vector<Var<T>> rows;
  for (Index i = 0; i < n; ++i) rows.push_back(reduce(reshape(slice_rows(x, i, 1), c, hw)));  // [1 x HW]
  return concat(rows, 0);
}

}  // namespace

template <class T>
Var<T> channel_mean(const Var<T>& x, const ImageShape& shape) {
  return over_channels(x, shape, [](const Var<T>& m) { return mean(m, 0); });
}

template <class T>
Var<T> channel_max(const Var<T>& x, const ImageShape& shape) {
  return over_channels(x, shape, [](const Var<T>& m) { return max(m, 0); });
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
