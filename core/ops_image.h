// engram/core/ops_image.h — images on engram's 2-D values: convolution and pooling.
//
// LAYOUT. A batch of N feature maps of C channels, H rows and W columns is one [N x C*H*W]
// value: row n is image n, channel-major, then row-major within a channel:
//   x(n, (c * H + y) * W + x)   is channel c, row y, column x of image n
// (numpy's x.reshape(N, C, H, W) of the row; PyTorch's NCHW flattened per image). An
// ImageShape {C, H, W} travels beside the value; ops check that cols == C * H * W.
//
// Every op here is differentiable in all of its Var inputs, is checked by the op table
// (tests/ops/image_rows.cpp: Jacobians in double, backward adds, float against double, zero-size
// inputs) and timed by bench/core/bench_ops. A batch of 0 images gives 0 rows; any other shape
// mismatch is std::invalid_argument naming the shapes.
#pragma once

#include "core/ops.h"

namespace engram {

struct ImageShape {
  Index channels = 1, height = 1, width = 1;
  Index size() const { return channels * height * width; }
};

struct Conv2dOptions {
  Index kernel_h = 3, kernel_w = 3;
  Index stride = 1, padding = 0, dilation = 1;  // the same along both axes
  Index groups = 1;                             // divides both channel counts
};

struct Pool2dOptions {
  Index kernel = 2, stride = 2, padding = 0;    // max pooling pads with -inf, average pooling
                                                // divides by the positions inside the image
};

// The output shape of a convolution with `out_channels` filters; std::invalid_argument when the
// kernel does not fit the padded image or the options are out of range.
ImageShape conv2d_shape(const ImageShape& in, Index out_channels, const Conv2dOptions& o);
ImageShape pool2d_shape(const ImageShape& in, const Pool2dOptions& o);

// 2-D convolution (cross-correlation, as every framework computes it):
//   x [N x C*H*W], weight [O x (C/groups)*kh*kw] (filter o's weights channel-major, then row-major),
//   bias [1 x O] or an undefined Var (no bias)  ->  [N x O*Ho*Wo]
// Computed per image as im2col + one GEMM per group.
template <class T>
Var<T> conv2d(const Var<T>& x, const ImageShape& in, const Var<T>& weight, const Var<T>& bias, const Conv2dOptions& o);
// x [N x C*H*W] -> [N x C*Ho*Wo]
template <class T> Var<T> max_pool2d(const Var<T>& x, const ImageShape& in, const Pool2dOptions& o);
template <class T> Var<T> avg_pool2d(const Var<T>& x, const ImageShape& in, const Pool2dOptions& o);
// Over all positions of each channel: x [N x C*H*W] -> [N x C]
template <class T> Var<T> global_avg_pool(const Var<T>& x, const ImageShape& in);
template <class T> Var<T> global_max_pool(const Var<T>& x, const ImageShape& in);

// A 1-D convolution across channels (ECA's): s [N x C] (one value per channel, e.g. pooled maps),
// w [1 x k] with k odd, zero padded -> [N x C], y(n, j) = sum_t w(t) s(n, j + t - (k - 1) / 2).
// Throws std::invalid_argument for an even k or a w that is not one row.
template <class T> Var<T> conv1d_channels(const Var<T>& s, const Var<T>& w);

// Bilinear sampling (spatial transformers, glimpses): x [N x C*H*W] read at P points per image,
// grid [N x 2P] = (x_0, y_0, x_1, y_1, ...) in [-1, 1] image coordinates (-1 the centre of the
// first pixel, +1 of the last: column (x + 1) (W - 1) / 2, row (y + 1) (H - 1) / 2), each value the
// bilinear mix of its 4 neighbouring pixels, pixels outside the image read as 0 -> [N x C*P]
// (channel-major: channel c's P samples together, a C x 1 x P image). Differentiable in x and,
// away from integer pixel positions (where it has kinks), in the grid. Throws
// std::invalid_argument for an odd grid width, a grid with another row count, or a non-finite
// coordinate (naming its row and column).
template <class T> Var<T> bilinear_sample(const Var<T>& x, const ImageShape& in, const Var<T>& grid);
// Where a grid reads (for heat maps; not differentiable): [N x H*W], each pixel's total bilinear
// weight over the grid's points (the same checks as bilinear_sample).
template <class T> Mat<T> bilinear_footprint(const Mat<T>& grid, const ImageShape& in);

// Group normalisation (Wu & He 2018): each image's channels in `groups` groups of C / groups,
// each group normalised over its channels and positions to mean 0 and variance 1 (+ eps), then
// channel c scaled by gamma(c) and shifted by beta(c): gamma, beta [1 x C]. groups = 1 is layer
// normalisation over the whole map, groups = C instance normalisation. Throws
// std::invalid_argument unless groups divides C and gamma, beta are [1 x C].
template <class T>
Var<T> group_norm(const Var<T>& x, const ImageShape& in, Index groups, const Var<T>& gamma, const Var<T>& beta,
                  T eps = T(1e-5));

}  // namespace engram
