// The op table's rows for core/ops_image.h (core/op_table.h): convolutions with padding, stride,
// dilation and groups, with and without bias; pooling with and without padding; the global forms.
// Max pooling is smooth away from ties, which inputs drawn uniform almost surely avoid.
#include "core/op_table.h"
#include "core/ops_image.h"

namespace engram {

namespace {

Conv2dOptions conv(Index k, Index stride, Index padding, Index dilation, Index groups) {
  Conv2dOptions o;
  o.kernel_h = o.kernel_w = k;
  o.stride = stride;
  o.padding = padding;
  o.dilation = dilation;
  o.groups = groups;
  return o;
}

const bool image_rows = add_op_cases({
    op_case("conv2d 3x3 pad 1 with bias", "conv2d", {{2, 2 * 5 * 5}, {3, 2 * 9}, {1, 3}},
            ENGRAM_OP_EXPR(conv2d(x[0], ImageShape{2, 5, 5}, x[1], x[2], conv(3, 1, 1, 1, 1)))),
    op_case("conv2d stride 2 dilation 2 no bias", "conv2d", {{2, 2 * 7 * 6}, {2, 2 * 9}},
            ENGRAM_OP_EXPR(conv2d(x[0], ImageShape{2, 7, 6}, x[1], Var<T>(), conv(3, 2, 0, 2, 1)))),
    op_case("conv2d 2 groups 2x2 stride 2 pad 1", "conv2d", {{2, 4 * 4 * 4}, {6, 2 * 4}, {1, 6}},
            ENGRAM_OP_EXPR(conv2d(x[0], ImageShape{4, 4, 4}, x[1], x[2], conv(2, 2, 1, 1, 2)))),
    op_case("conv2d 1x1", "conv2d", {{3, 3 * 2 * 2}, {4, 3}}, ENGRAM_OP_EXPR(conv2d(x[0], ImageShape{3, 2, 2}, x[1], Var<T>(), conv(1, 1, 0, 1, 1)))),
    op_case("max_pool2d 2x2 stride 2", "max_pool2d", {{2, 2 * 4 * 4}},
            ENGRAM_OP_EXPR(max_pool2d(x[0], ImageShape{2, 4, 4}, Pool2dOptions{2, 2, 0}))),
    op_case("max_pool2d 3x3 stride 2 pad 1", "max_pool2d", {{2, 2 * 5 * 5}},
            ENGRAM_OP_EXPR(max_pool2d(x[0], ImageShape{2, 5, 5}, Pool2dOptions{3, 2, 1}))),
    op_case("avg_pool2d 2x2 stride 2", "avg_pool2d", {{2, 3 * 4 * 4}},
            ENGRAM_OP_EXPR(avg_pool2d(x[0], ImageShape{3, 4, 4}, Pool2dOptions{2, 2, 0}))),
    op_case("avg_pool2d 3x3 stride 2 pad 1 (edges average fewer)", "avg_pool2d", {{2, 2 * 5 * 5}},
            ENGRAM_OP_EXPR(avg_pool2d(x[0], ImageShape{2, 5, 5}, Pool2dOptions{3, 2, 1}))),
    op_case("global_avg_pool", "global_avg_pool", {{3, 4 * 3 * 2}}, ENGRAM_OP_EXPR(global_avg_pool(x[0], ImageShape{4, 3, 2}))),
    op_case("global_max_pool", "global_max_pool", {{3, 4 * 3 * 2}}, ENGRAM_OP_EXPR(global_max_pool(x[0], ImageShape{4, 3, 2}))),
    op_case("conv1d_channels k 3 over 5 channels", "conv1d_channels", {{3, 5}, {1, 3}},
            ENGRAM_OP_EXPR(conv1d_channels(x[0], x[1]))),
    op_case("conv1d_channels k 5 wider than 3 channels", "conv1d_channels", {{2, 3}, {1, 5}},
            ENGRAM_OP_EXPR(conv1d_channels(x[0], x[1]))),
    // grid points drawn uniform in [-1, 1] (the op table's inputs), almost surely off the pixel
    // grid where the sampler has kinks; some fall between the border pixels and outside
    op_case("bilinear_sample 6 points of a 2 x 4 x 5 image", "bilinear_sample", {{2, 2 * 4 * 5}, {2, 12}},
            ENGRAM_OP_EXPR(bilinear_sample(x[0], ImageShape{2, 4, 5}, x[1]))),
    op_case("bilinear_sample points scaled past the border", "bilinear_sample", {{2, 3 * 3 * 3}, {2, 8}},
            ENGRAM_OP_EXPR(bilinear_sample(x[0], ImageShape{3, 3, 3}, scale(x[1], T(1.4))))),
    op_case("group_norm 2 groups of 2 channels", "group_norm", {{3, 4 * 2 * 3}, {1, 4}, {1, 4}},
            ENGRAM_OP_EXPR(group_norm(x[0], ImageShape{4, 2, 3}, 2, x[1], x[2]))),
    op_case("group_norm 1 group (layer norm)", "group_norm", {{2, 2 * 3 * 3}, {1, 2}, {1, 2}},
            ENGRAM_OP_EXPR(group_norm(x[0], ImageShape{2, 3, 3}, 1, x[1], x[2]))),
});

}  // namespace

}  // namespace engram
