// conv2d, max/avg pooling and their global forms (core/ops_image.h)
#include "core/ops_image.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace engram {

namespace {

void check_image(const char* where, Index cols, const ImageShape& in) {
  constexpr Index most = Index(1) << 20;  // per dimension: products stay far from overflow
  const auto dim_ok = [&](Index d) { return d >= 1 && d <= most; };
  const auto dims = [&] {
    return std::to_string(in.channels) + " x " + std::to_string(in.height) + " x " + std::to_string(in.width);
  };
  require_lazy(dim_ok(in.channels) && dim_ok(in.height) && dim_ok(in.width), where,
               [&] { return "image shape " + dims() + ": every dimension must be in [1, 2^20]"; });
  require_lazy(cols == in.size(), where, [&] {
    return "x has " + std::to_string(cols) + " columns, image shape " + dims() + " needs " + std::to_string(in.size());
  });
}

Index out_dim(Index size, Index kernel, Index stride, Index padding, Index dilation) {
  return (size + 2 * padding - dilation * (kernel - 1) - 1) / stride + 1;
}

// Row-major maps of one image's rows.
template <class T>
using RowMap = Eigen::Map<Mat<T>>;
template <class T>
using ConstRowMap = Eigen::Map<const Mat<T>>;

// The output columns [lo, hi) whose input column ox * stride - padding + j * dilation lies in
// [0, width): a contiguous run, so the loops below copy and add without a test per element.
inline std::pair<Index, Index> valid_columns(Index out_w, Index width, Index stride, Index offset) {
  // ox * stride + offset >= 0 and < width
  const Index lo = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
  const Index hi = width - offset <= 0 ? 0 : std::min(out_w, (width - offset + stride - 1) / stride);
  return {std::min(lo, hi), hi};
}

// When output rows are as long as input rows (stride 1, "same" width), the output rows oy of one
// kernel tap whose input row lies inside the image read one contiguous run of the plane, shifted
// by a constant: output entry k of row y0 onwards is plane entry start + k, for k in [first,
// n - past) (the run's ends may fall outside the plane, in columns no pixel reads). The entries of
// columns outside [lo, hi) of each row read the run's wrap into the neighbouring row: they belong
// to no pixel, and both users below zero them.
struct SameWidthRun {
  Index y0, y1;                // the output rows with an input row inside the image
  Index start, first, n, past;
};

inline SameWidthRun same_width_run(const ImageShape& in, const ImageShape& out, Index dy, Index offset) {
  SameWidthRun r{};
  r.y0 = std::clamp<Index>(-dy, 0, out.height);
  r.y1 = std::clamp<Index>(in.height - dy, r.y0, out.height);
  r.start = (r.y0 + dy) * in.width + offset;
  r.first = r.start < 0 ? -r.start : 0;
  r.n = (r.y1 - r.y0) * out.width;
  r.past = std::max<Index>(0, r.start + r.n - in.height * in.width);
  return r;
}

// Zeroes the columns outside [lo, hi) of output rows [y0, y1) of one tap's row.
template <class T>
void zero_wrap(T* row, Index width, Index y0, Index y1, Index lo, Index hi) {
  for (Index oy = y0; oy < y1; ++oy) {
    T* r = row + oy * width;
    for (Index ox = 0; ox < lo; ++ox) r[ox] = T(0);
    for (Index ox = hi; ox < width; ++ox) r[ox] = T(0);
  }
}

// The im2col columns of group g of one image into dst, a [(C/g) kh kw x Ho Wo] block of a
// row-major matrix whose rows are ld apart (several images side by side share one GEMM).
template <class T>
void im2col(const T* img, const ImageShape& in, const ImageShape& out, const Conv2dOptions& o, Index c0, Index cg, T* dst,
            Index ld) {
  for (Index c = 0; c < cg; ++c)
    for (Index i = 0; i < o.kernel_h; ++i)
      for (Index j = 0; j < o.kernel_w; ++j) {
        T* row = dst + ((c * o.kernel_h + i) * o.kernel_w + j) * ld;
        const T* plane = img + (c0 + c) * in.height * in.width;
        const Index offset = j * o.dilation - o.padding;
        const auto [lo, hi] = valid_columns(out.width, in.width, o.stride, offset);
        if (o.stride == 1 && out.width == in.width) {
          // the tap's contiguous run copied at once, its wrap zeroed (same_width_run)
          const SameWidthRun run = same_width_run(in, out, i * o.dilation - o.padding, offset);
          std::fill(row, row + run.y0 * out.width, T(0));
          if (run.y1 > run.y0) {
            std::copy(plane + run.start + run.first, plane + run.start + run.n - run.past, row + run.y0 * out.width + run.first);
            zero_wrap(row, out.width, run.y0, run.y1, lo, hi);
          }
          std::fill(row + run.y1 * out.width, row + out.height * out.width, T(0));
          continue;
        }
        for (Index oy = 0; oy < out.height; ++oy) {
          T* r = row + oy * out.width;
          const Index y = oy * o.stride - o.padding + i * o.dilation;
          if (y < 0 || y >= in.height) {
            std::fill(r, r + out.width, T(0));
            continue;
          }
          const T* src = plane + y * in.width + offset;
          std::fill(r, r + lo, T(0));
          if (o.stride == 1) {
            std::copy(src + lo, src + hi, r + lo);
          } else {
            for (Index ox = lo; ox < hi; ++ox) r[ox] = src[ox * o.stride];
          }
          std::fill(r + hi, r + out.width, T(0));
        }
      }
}

// The adjoint of im2col: adds the block of columns at src (rows ld apart) back into the image's
// gradient. src is scratch: entries that belong to no pixel may be overwritten with zeros.
template <class T>
void col2im_add(T* src, Index ld, const ImageShape& in, const ImageShape& out, const Conv2dOptions& o, Index c0,
                Index cg, T* img) {
  for (Index c = 0; c < cg; ++c)
    for (Index i = 0; i < o.kernel_h; ++i)
      for (Index j = 0; j < o.kernel_w; ++j) {
        T* row = src + ((c * o.kernel_h + i) * o.kernel_w + j) * ld;
        T* plane = img + (c0 + c) * in.height * in.width;
        const Index offset = j * o.dilation - o.padding;
        const auto [lo, hi] = valid_columns(out.width, in.width, o.stride, offset);
        if (o.stride == 1 && out.width == in.width) {
          // im2col's run backwards: its wrap is zeroed in src (scratch), so one long add over
          // the run adds exact zeros there
          const SameWidthRun run = same_width_run(in, out, i * o.dilation - o.padding, offset);
          if (run.y1 <= run.y0) continue;
          zero_wrap(row, out.width, run.y0, run.y1, lo, hi);
          const T* r = row + run.y0 * out.width;
          for (Index k = run.first; k < run.n - run.past; ++k) plane[run.start + k] += r[k];
          continue;
        }
        for (Index oy = 0; oy < out.height; ++oy) {
          const Index y = oy * o.stride - o.padding + i * o.dilation;
          if (y < 0 || y >= in.height) continue;
          const T* r = row + oy * out.width;
          T* dst = plane + y * in.width + offset;
          if (o.stride == 1) {
            for (Index ox = lo; ox < hi; ++ox) dst[ox] += r[ox];
          } else {
            for (Index ox = lo; ox < hi; ++ox) dst[ox * o.stride] += r[ox];
          }
        }
      }
}

// From this many output pixels per image on, each image's product is its own GEMM written
// straight into its output (measured: the 28 x 28 first layer of the backbone twice as fast);
// below, the images of a batch share one GEMM whose result is then spread to the images.
constexpr Index kOwnGemmPixels = 256;

// Images per GEMM: enough columns for an efficient product, the im2col matrix at most about
// 4M numbers (16 MiB in float).
inline Index images_per_gemm(Index K, Index P) { return std::max<Index>(1, std::min<Index>(64, (Index(1) << 22) / std::max<Index>(1, K * P))); }

}  // namespace

ImageShape conv2d_shape(const ImageShape& in, Index out_channels, const Conv2dOptions& o) {
  const char* where = "conv2d";
  constexpr Index most = Index(1) << 20;  // every option: products stay far from overflow
  require(o.kernel_h >= 1 && o.kernel_w >= 1 && o.stride >= 1 && o.padding >= 0 && o.dilation >= 1 && o.groups >= 1 &&
              o.kernel_h <= most && o.kernel_w <= most && o.stride <= most && o.padding <= most && o.dilation <= most &&
              o.groups <= most && out_channels <= most && in.channels <= most && in.height <= most && in.width <= most,
          where, "needs kernel, stride, dilation, groups >= 1 and padding >= 0, every one at most 2^20");
  require(out_channels >= 1 && in.channels % o.groups == 0 && out_channels % o.groups == 0, where,
          "groups (" + std::to_string(o.groups) + ") must divide the input channels (" + std::to_string(in.channels) +
              ") and the output channels (" + std::to_string(out_channels) + ")");
  const Index h = out_dim(in.height, o.kernel_h, o.stride, o.padding, o.dilation);
  const Index w = out_dim(in.width, o.kernel_w, o.stride, o.padding, o.dilation);
  require(in.height + 2 * o.padding >= o.dilation * (o.kernel_h - 1) + 1 &&
              in.width + 2 * o.padding >= o.dilation * (o.kernel_w - 1) + 1 && h >= 1 && w >= 1,
          where, "the kernel (dilated) does not fit the padded " + std::to_string(in.height) + " x " + std::to_string(in.width) + " image");
  return {out_channels, h, w};
}

ImageShape pool2d_shape(const ImageShape& in, const Pool2dOptions& o) {
  constexpr Index most = Index(1) << 20;
  require(o.kernel >= 1 && o.stride >= 1 && o.padding >= 0 && o.kernel <= most && o.stride <= most &&
              2 * o.padding <= o.kernel && in.height <= most && in.width <= most,
          "pool2d", "needs kernel, stride >= 1 and 0 <= padding <= kernel / 2, at most 2^20");
  require(in.height + 2 * o.padding >= o.kernel && in.width + 2 * o.padding >= o.kernel, "pool2d",
          "the kernel does not fit the padded " + std::to_string(in.height) + " x " + std::to_string(in.width) + " image");
  return {in.channels, out_dim(in.height, o.kernel, o.stride, o.padding, 1), out_dim(in.width, o.kernel, o.stride, o.padding, 1)};
}

template <class T>
Var<T> conv2d(const Var<T>& x, const ImageShape& in, const Var<T>& weight, const Var<T>& bias, const Conv2dOptions& o) {
  const char* where = "conv2d";
  check_image(where, x.cols(), in);
  const Index O = weight.rows();
  const ImageShape out = conv2d_shape(in, O, o);  // validates the options first
  const Index K = in.channels / o.groups * o.kernel_h * o.kernel_w;
  require_lazy(weight.cols() == K, where, [&] {
    return "weight " + weight.shape() + " must be [out_channels x (channels / groups) * kh * kw] = [" +
        std::to_string(O) + " x " + std::to_string(K) + "]";
  });
  require_lazy(!bias.defined() || (bias.rows() == 1 && bias.cols() == O), where, [&] {
    return "bias " + bias.shape() + " must be [1 x " + std::to_string(O) + "]";
  });
  const Index N = x.rows(), G = o.groups, cg = in.channels / G, og = O / G, P = out.height * out.width;
  const Index B = images_per_gemm(K, P);
  Mat<T> y(N, out.size());
  // each image's [O x P] output starts as the bias (or zeros) and the products add into it
  for (Index n = 0; n < N; ++n) {
    RowMap<T> yn(y.data() + n * out.size(), O, P);
    if (bias.defined()) yn.colwise() = bias.value().row(0).transpose();
    else yn.setZero();
  }
  Mat<T> cols, prod;
  for (Index n0 = 0; n0 < N; n0 += B) {
    const Index nb = std::min(B, N - n0);
    cols.resize(K, nb * P);
    for (Index g = 0; g < G; ++g) {
      for (Index b = 0; b < nb; ++b) im2col(x.value().data() + (n0 + b) * in.size(), in, out, o, g * cg, cg, cols.data() + b * P, nb * P);
      if (P >= kOwnGemmPixels) {  // one product per image, added straight into its output
        for (Index b = 0; b < nb; ++b)
          RowMap<T>(y.data() + (n0 + b) * out.size(), O, P).middleRows(g * og, og).noalias() +=
              weight.value().middleRows(g * og, og) * cols.middleCols(b * P, P);  // [og x K][K x P]
      } else {  // small images: one product for the nb images side by side, then spread
        prod.noalias() = weight.value().middleRows(g * og, og) * cols;  // [og x nb P]
        for (Index b = 0; b < nb; ++b) RowMap<T>(y.data() + (n0 + b) * out.size(), O, P).middleRows(g * og, og) += prod.middleCols(b * P, P);
      }
    }
  }
  std::vector<Var<T>> inputs{x, weight};
  if (bias.defined()) inputs.push_back(bias);
  return Var<T>::make(std::move(y), inputs,
      [in, out, o, cg, og, P, G, K, B](const Node<T>& self, const Mat<T>& gy, GradSpan<T> gin) {
        const Mat<T>& X = self.inputs[0]->value;
        const Mat<T>& Wt = self.inputs[1]->value;
        const Index O = Wt.rows(), N = X.rows();
        if (gin.size() > 2 && gin[2])
          for (Index n = 0; n < N; ++n) *gin[2] += ConstRowMap<T>(gy.data() + n * out.size(), O, P).rowwise().sum().transpose();
        if (!gin[0] && !gin[1]) return;
        Mat<T> cols, dcols, gg;
        for (Index n0 = 0; n0 < N; n0 += B) {
          const Index nb = std::min(B, N - n0);
          for (Index g = 0; g < G; ++g) {
            if (P >= kOwnGemmPixels) {  // as the forward: one product per image, reading its gradient in place
              if (gin[1]) cols.resize(K, P);
              for (Index b = 0; b < nb; ++b) {
                const auto gb = ConstRowMap<T>(gy.data() + (n0 + b) * out.size(), O, P).middleRows(g * og, og);
                if (gin[1]) {
                  im2col(X.data() + (n0 + b) * in.size(), in, out, o, g * cg, cg, cols.data(), P);
                  gin[1]->middleRows(g * og, og).noalias() += gb * cols.transpose();
                }
                if (gin[0]) {
                  dcols.noalias() = Wt.middleRows(g * og, og).transpose() * gb;  // [K x P]
                  col2im_add(dcols.data(), P, in, out, o, g * cg, cg, gin[0]->data() + (n0 + b) * in.size());
                }
              }
              continue;
            }
            gg.resize(og, nb * P);  // the images' output gradients of group g side by side
            for (Index b = 0; b < nb; ++b) gg.middleCols(b * P, P) = ConstRowMap<T>(gy.data() + (n0 + b) * out.size(), O, P).middleRows(g * og, og);
            if (gin[1]) {
              cols.resize(K, nb * P);
              for (Index b = 0; b < nb; ++b) im2col(X.data() + (n0 + b) * in.size(), in, out, o, g * cg, cg, cols.data() + b * P, nb * P);
              gin[1]->middleRows(g * og, og).noalias() += gg * cols.transpose();
            }
            if (gin[0]) {
              dcols.noalias() = Wt.middleRows(g * og, og).transpose() * gg;  // [K x nb P]
              for (Index b = 0; b < nb; ++b)
                col2im_add(dcols.data() + b * P, nb * P, in, out, o, g * cg, cg, gin[0]->data() + (n0 + b) * in.size());
            }
          }
        }
      }, "conv2d");
}

template <class T>
Var<T> max_pool2d(const Var<T>& x, const ImageShape& in, const Pool2dOptions& o) {
  check_image("max_pool2d", x.cols(), in);
  const ImageShape out = pool2d_shape(in, o);
  const Index N = x.rows(), H = in.height, W = in.width, K = o.kernel;
  Mat<T> y(N, out.size());
  std::vector<Index> arg(static_cast<size_t>(N * out.size()));  // the input column of each output's max
  // The window's rows and columns clamped to the image once per output row / column (padding
  // <= kernel / 2 leaves every window at least one pixel); raw pointers, no per-pixel bounds test.
  const auto clamp = [K, s = o.stride, pad = o.padding](Index o_, Index size) {
    const Index from = o_ * s - pad;
    return std::pair<Index, Index>{std::max<Index>(from, 0), std::min<Index>(from + K, size)};
  };
  // NaN wins, as in numpy; selects, not branches (which pixel wins is data: mispredicted branches
  // cost more than the pooling itself)
  const auto pick = [](T v, Index col, T& best, Index& at) {
    const bool take = (v > best) | ((v != v) & (best == best));
    best = take ? v : best;
    at = take ? col : at;
  };
  const bool two_by_two = K == 2 && o.stride == 2 && o.padding == 0;  // the usual pooling, unrolled
  for (Index n = 0; n < N; ++n) {
    const T* xn = x.value().data() + n * x.cols();
    T* yn = y.data() + n * out.size();
    Index* an = arg.data() + n * out.size();
    if (two_by_two) {
      for (Index c = 0; c < in.channels; ++c)
        for (Index oy = 0; oy < out.height; ++oy) {
          const Index top = (c * H + 2 * oy) * W, k0 = (c * out.height + oy) * out.width;
          for (Index ox = 0; ox < out.width; ++ox) {
            Index at = top + 2 * ox;
            T best = xn[at];
            pick(xn[at + 1], at + 1, best, at);
            pick(xn[top + W + 2 * ox], top + W + 2 * ox, best, at);
            pick(xn[top + W + 2 * ox + 1], top + W + 2 * ox + 1, best, at);
            yn[k0 + ox] = best;
            an[k0 + ox] = at;
          }
        }
      continue;
    }
    for (Index c = 0; c < in.channels; ++c)
      for (Index oy = 0; oy < out.height; ++oy) {
        const auto [y0, y1] = clamp(oy, H);
        for (Index ox = 0; ox < out.width; ++ox) {
          const auto [x0, x1] = clamp(ox, W);
          Index at = (c * H + y0) * W + x0;
          T best = xn[at];
          for (Index yy = y0; yy < y1; ++yy)  // row by row, as before: the first maximum wins ties
            for (Index xx = yy == y0 ? x0 + 1 : x0; xx < x1; ++xx) pick(xn[(c * H + yy) * W + xx], (c * H + yy) * W + xx, best, at);
          const Index k = (c * out.height + oy) * out.width + ox;
          yn[k] = best;
          an[k] = at;
        }
      }
  }
  return Var<T>::make(std::move(y), {x},
      [arg = std::move(arg), osize = out.size()](const Node<T>&, const Mat<T>& g, GradSpan<T> gin) {
        if (!gin[0]) return;
        const Index cols = gin[0]->cols();
        for (Index n = 0; n < g.rows(); ++n) {
          T* dx = gin[0]->data() + n * cols;
          const T* gn = g.data() + n * osize;
          const Index* an = arg.data() + n * osize;
          for (Index k = 0; k < osize; ++k) dx[an[k]] += gn[k];
        }
      }, "max_pool2d");
}

template <class T>
Var<T> avg_pool2d(const Var<T>& x, const ImageShape& in, const Pool2dOptions& o) {
  check_image("avg_pool2d", x.cols(), in);
  const ImageShape out = pool2d_shape(in, o);
  // The window of each output: its input columns (the same for every image).
  std::vector<std::vector<Index>> window(static_cast<size_t>(out.size()));
  for (Index c = 0; c < in.channels; ++c)
    for (Index oy = 0; oy < out.height; ++oy)
      for (Index ox = 0; ox < out.width; ++ox) {
        auto& w = window[static_cast<size_t>((c * out.height + oy) * out.width + ox)];
        for (Index i = 0; i < o.kernel; ++i)
          for (Index j = 0; j < o.kernel; ++j) {
            const Index yy = oy * o.stride - o.padding + i, xx = ox * o.stride - o.padding + j;
            if (yy >= 0 && yy < in.height && xx >= 0 && xx < in.width) w.push_back((c * in.height + yy) * in.width + xx);
          }
      }
  Mat<T> y = Mat<T>::Zero(x.rows(), out.size());
  for (Index n = 0; n < x.rows(); ++n)
    for (Index k = 0; k < out.size(); ++k) {
      const auto& w = window[static_cast<size_t>(k)];
      T s = 0;
      for (Index col : w) s += x.value()(n, col);
      y(n, k) = s / static_cast<T>(w.size());
    }
  return Var<T>::make(std::move(y), {x},
      [window = std::move(window)](const Node<T>&, const Mat<T>& g, GradSpan<T> gin) {
        if (!gin[0]) return;
        for (Index n = 0; n < g.rows(); ++n)
          for (size_t k = 0; k < window.size(); ++k) {
            const T share = g(n, static_cast<Index>(k)) / static_cast<T>(window[k].size());
            for (Index col : window[k]) (*gin[0])(n, col) += share;
          }
      }, "avg_pool2d");
}

template <class T>
Var<T> global_avg_pool(const Var<T>& x, const ImageShape& in) {
  check_image("global_avg_pool", x.cols(), in);
  const Index n = x.rows(), hw = in.height * in.width;
  return reshape(mean(reshape(x, n * in.channels, hw), 1), n, in.channels);
}

template <class T>
Var<T> global_max_pool(const Var<T>& x, const ImageShape& in) {
  check_image("global_max_pool", x.cols(), in);
  const Index n = x.rows(), hw = in.height * in.width;
  return reshape(max(reshape(x, n * in.channels, hw), 1), n, in.channels);
}

namespace {

// A grid point's 4 neighbouring pixels (their column within a channel, -1 outside the image)
// and bilinear weights, and the weights' derivatives by the pixel coordinates.
template <class T>
struct Corner {
  Index at[4];
  T w[4], dwx[4], dwy[4];
};

// The corners of every point of grid [N x 2P] on an H x W image (bilinear_sample's geometry),
// after checking the grid's shape against `rows` and its values.
template <class T>
std::vector<Corner<T>> grid_corners(const Mat<T>& g, Index rows, const ImageShape& in, const char* where) {
  require_lazy(g.cols() % 2 == 0 && g.rows() == rows, where, [&] {
    return "grid is [" + std::to_string(g.rows()) + " x " + std::to_string(g.cols()) + "], needs [" + std::to_string(rows) +
        " x 2P] (an x, y pair per point, a row per image)";
  });
  const Index N = g.rows(), P = g.cols() / 2, H = in.height, W = in.width;
  for (Index n = 0; n < N; ++n)
    for (Index k = 0; k < 2 * P; ++k)
      require_lazy(std::isfinite(static_cast<double>(g(n, k))), where,
                   [&] { return "grid(" + std::to_string(n) + ", " + std::to_string(k) + ") is not finite"; });
  const T sx = T(W - 1) / 2, sy = T(H - 1) / 2;
  std::vector<Corner<T>> corners(static_cast<size_t>(N * P));
  for (Index n = 0; n < N; ++n)
    for (Index p = 0; p < P; ++p) {
      const T px = (g(n, 2 * p) + 1) * sx, py = (g(n, 2 * p + 1) + 1) * sy;
      Corner<T>& c = corners[static_cast<size_t>(n * P + p)];
      // far outside: every neighbour outside (and no integer overflow below)
      const bool far = !(px > -2 && px < T(W) + 1 && py > -2 && py < T(H) + 1);
      const T fx = far ? T(0) : std::floor(px), fy = far ? T(0) : std::floor(py);
      const T ax = px - fx, ay = py - fy;
      const Index x0 = static_cast<Index>(fx), y0 = static_cast<Index>(fy);
      for (int q = 0; q < 4; ++q) {
        const Index xx = x0 + (q & 1), yy = y0 + (q >> 1);
        const T wx = (q & 1) ? ax : 1 - ax, wy = (q >> 1) ? ay : 1 - ay;
        const bool inside = !far && xx >= 0 && xx < W && yy >= 0 && yy < H;
        c.at[q] = inside ? yy * W + xx : -1;
        c.w[q] = inside ? wx * wy : T(0);
        c.dwx[q] = inside ? ((q & 1) ? T(1) : T(-1)) * wy : T(0);
        c.dwy[q] = inside ? ((q >> 1) ? T(1) : T(-1)) * wx : T(0);
      }
    }
  return corners;
}

}  // namespace

template <class T>
Var<T> bilinear_sample(const Var<T>& x, const ImageShape& in, const Var<T>& grid) {
  check_image("bilinear_sample", x.cols(), in);
  const Index N = x.rows(), C = in.channels, P = grid.cols() / 2, HW = in.height * in.width;
  std::vector<Corner<T>> corners = grid_corners(grid.value(), N, in, "bilinear_sample");
  const T sx = T(in.width - 1) / 2, sy = T(in.height - 1) / 2;
  Mat<T> y = Mat<T>::Zero(N, C * P);
  for (Index n = 0; n < N; ++n)
    for (Index ch = 0; ch < C; ++ch)
      for (Index p = 0; p < P; ++p) {
        const Corner<T>& c = corners[static_cast<size_t>(n * P + p)];
        T v = 0;
        for (int q = 0; q < 4; ++q)
          if (c.at[q] >= 0) v += c.w[q] * x.value()(n, ch * HW + c.at[q]);
        y(n, ch * P + p) = v;
      }
  return Var<T>::make(std::move(y), {x, grid},
      [corners = std::move(corners), C, P, HW, sx, sy](const Node<T>& node, const Mat<T>& gy, GradSpan<T> gin) {
        const Mat<T>& xv = node.inputs[0]->value;
        for (Index n = 0; n < gy.rows(); ++n)
          for (Index p = 0; p < P; ++p) {
            const Corner<T>& c = corners[static_cast<size_t>(n * P + p)];
            T dx = 0, dy = 0;
            for (Index ch = 0; ch < C; ++ch) {
              const T gv = gy(n, ch * P + p);
              for (int q = 0; q < 4; ++q) {
                if (c.at[q] < 0) continue;
                if (gin[0]) (*gin[0])(n, ch * HW + c.at[q]) += c.w[q] * gv;
                const T v = xv(n, ch * HW + c.at[q]) * gv;
                dx += c.dwx[q] * v;
                dy += c.dwy[q] * v;
              }
            }
            if (gin[1]) {
              (*gin[1])(n, 2 * p) += dx * sx;
              (*gin[1])(n, 2 * p + 1) += dy * sy;
            }
          }
      }, "bilinear_sample");
}

template <class T>
Var<T> conv1d_channels(const Var<T>& s, const Var<T>& w) {
  require_lazy(w.rows() == 1 && w.cols() % 2 == 1, "conv1d_channels", [&] {
    return "w must be [1 x k] with k odd, got [" + std::to_string(w.rows()) + " x " + std::to_string(w.cols()) + "]";
  });
  const Index N = s.rows(), C = s.cols(), k = w.cols(), p = (k - 1) / 2;
  Mat<T> y = Mat<T>::Zero(N, C);
  const Mat<T>& sv = s.value();
  const Mat<T>& wv = w.value();
  for (Index n = 0; n < N; ++n)
    for (Index j = 0; j < C; ++j)
      for (Index t = 0; t < k; ++t)
        if (j + t - p >= 0 && j + t - p < C) y(n, j) += wv(0, t) * sv(n, j + t - p);
  return Var<T>::make(std::move(y), {s, w},
      [k, p](const Node<T>& node, const Mat<T>& g, GradSpan<T> gin) {
        const Mat<T>& sv = node.inputs[0]->value;
        const Mat<T>& wv = node.inputs[1]->value;
        const Index N = g.rows(), C = g.cols();
        for (Index n = 0; n < N; ++n)
          for (Index j = 0; j < C; ++j)
            for (Index t = 0; t < k; ++t) {
              const Index i = j + t - p;
              if (i < 0 || i >= C) continue;
              if (gin[0]) (*gin[0])(n, i) += wv(0, t) * g(n, j);
              if (gin[1]) (*gin[1])(0, t) += sv(n, i) * g(n, j);
            }
      }, "conv1d_channels");
}

template <class T>
Mat<T> bilinear_footprint(const Mat<T>& grid, const ImageShape& in) {
  check_image("bilinear_footprint", in.size(), in);
  const Index N = grid.rows(), P = grid.cols() / 2;
  const std::vector<Corner<T>> corners = grid_corners(grid, N, in, "bilinear_footprint");
  Mat<T> out = Mat<T>::Zero(N, in.height * in.width);
  for (Index n = 0; n < N; ++n)
    for (Index p = 0; p < P; ++p) {
      const Corner<T>& c = corners[static_cast<size_t>(n * P + p)];
      for (int q = 0; q < 4; ++q)
        if (c.at[q] >= 0) out(n, c.at[q]) += c.w[q];
    }
  return out;
}

template <class T>
Var<T> group_norm(const Var<T>& x, const ImageShape& in, Index groups, const Var<T>& gamma, const Var<T>& beta, T eps) {
  check_image("group_norm", x.cols(), in);
  const Index N = x.rows(), C = in.channels, HW = in.height * in.width;
  require_lazy(groups >= 1 && groups <= C && C % groups == 0, "group_norm", [&] {
    return "groups = " + std::to_string(groups) + " must divide the " + std::to_string(C) + " channels";
  });
  require_lazy(gamma.rows() == 1 && gamma.cols() == C && beta.rows() == 1 && beta.cols() == C, "group_norm", [&] {
    return "gamma and beta must be [1 x " + std::to_string(C) + "], got [" + std::to_string(gamma.rows()) + " x " +
        std::to_string(gamma.cols()) + "] and [" + std::to_string(beta.rows()) + " x " + std::to_string(beta.cols()) + "]";
  });
  const Index width = (C / groups) * HW;
  const Var<T> ones = constant<T>(Mat<T>::Ones(1, width)), zeros = constant<T>(Mat<T>::Zero(1, width));
  const Var<T> normed = reshape(layer_norm(reshape(x, N * groups, width), ones, zeros, eps), N * C, HW);
  // gamma, beta per (image, channel) row
  const Var<T> rows = constant<T>(Mat<T>::Ones(N, 1));
  const Var<T> g = reshape(matmul(rows, gamma), N * C, 1), b = reshape(matmul(rows, beta), N * C, 1);
  return reshape(add(mul(normed, g), b), N, C * HW);
}

#define ENGRAM_IMAGE_OPS(T)                                                                                 \
  template Var<T> conv2d(const Var<T>&, const ImageShape&, const Var<T>&, const Var<T>&, const Conv2dOptions&); \
  template Var<T> max_pool2d(const Var<T>&, const ImageShape&, const Pool2dOptions&);                       \
  template Var<T> avg_pool2d(const Var<T>&, const ImageShape&, const Pool2dOptions&);                       \
  template Var<T> global_avg_pool(const Var<T>&, const ImageShape&);                                        \
  template Var<T> global_max_pool(const Var<T>&, const ImageShape&);                                        \
  template Var<T> conv1d_channels(const Var<T>&, const Var<T>&);                                            \
  template Var<T> bilinear_sample(const Var<T>&, const ImageShape&, const Var<T>&);                         \
  template Mat<T> bilinear_footprint(const Mat<T>&, const ImageShape&);                                     \
  template Var<T> group_norm(const Var<T>&, const ImageShape&, Index, const Var<T>&, const Var<T>&, T);
ENGRAM_IMAGE_OPS(float)
ENGRAM_IMAGE_OPS(double)
#undef ENGRAM_IMAGE_OPS

}  // namespace engram
