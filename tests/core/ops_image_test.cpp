// core/ops_image.h: convolution and pooling against direct loops written from their definitions
// (every combination of kernel, stride, padding, dilation and groups below), the layout, the
// output shapes and the errors. The op table (tests/ops/image_rows.cpp) checks the gradients.
#include "core/ops_image.h"

#include "core/gradcheck.h"
#include "core/rng.h"

#include <catch2/catch.hpp>

#include <limits>

using namespace engram;

namespace {

// x(n, c, y, x) in the documented layout.
double at(const MatD& m, Index n, const ImageShape& s, Index c, Index y, Index x) {
  return m(n, (c * s.height + y) * s.width + x);
}

MatD direct_conv(const MatD& x, const ImageShape& in, const MatD& w, const MatD* b, const Conv2dOptions& o) {
  const ImageShape out = conv2d_shape(in, w.rows(), o);
  const Index cg = in.channels / o.groups, og = w.rows() / o.groups;
  MatD y = MatD::Zero(x.rows(), out.size());
  for (Index n = 0; n < x.rows(); ++n)
    for (Index f = 0; f < w.rows(); ++f)
      for (Index oy = 0; oy < out.height; ++oy)
        for (Index ox = 0; ox < out.width; ++ox) {
          double s = b ? (*b)(0, f) : 0.0;
          const Index g = f / og;
          for (Index c = 0; c < cg; ++c)
            for (Index i = 0; i < o.kernel_h; ++i)
              for (Index j = 0; j < o.kernel_w; ++j) {
                const Index yy = oy * o.stride - o.padding + i * o.dilation, xx = ox * o.stride - o.padding + j * o.dilation;
                if (yy < 0 || yy >= in.height || xx < 0 || xx >= in.width) continue;
                s += w(f, (c * o.kernel_h + i) * o.kernel_w + j) * at(x, n, in, g * cg + c, yy, xx);
              }
          y(n, (f * out.height + oy) * out.width + ox) = s;
        }
  return y;
}

}  // namespace

TEST_CASE("conv2d equals the direct sum over every kernel, stride, padding, dilation and group choice", "[ops][image]") {
  Rng rng(1, "conv");
  int checked = 0;
  for (Index groups : {1, 2})
    for (Index k : {1, 2, 3})
      for (Index stride : {1, 2})
        for (Index padding : {0, 1, 2})
          for (Index dilation : {1, 2}) {
            const ImageShape in{4, 6, 5};
            Conv2dOptions o;
            o.kernel_h = k;
            o.kernel_w = k == 3 ? 2 : k;  // a non-square kernel too
            o.stride = stride;
            o.padding = padding;
            o.dilation = dilation;
            o.groups = groups;
            const MatD x = random_matrix(2, in.size(), rng), w = random_matrix(6, 4 / groups * o.kernel_h * o.kernel_w, rng);
            const MatD b = random_matrix(1, 6, rng);
            const MatD got = conv2d(Var<double>(x), in, Var<double>(w), Var<double>(b), o).value();
            CHECK((got - direct_conv(x, in, w, &b, o)).cwiseAbs().maxCoeff() < 1e-12);
            CHECK((conv2d(Var<double>(x), in, Var<double>(w), Var<double>(), o).value() - direct_conv(x, in, w, nullptr, o))
                      .cwiseAbs().maxCoeff() < 1e-12);
            ++checked;
          }
  CHECK(checked == 72);
  // the output shape: floor((H + 2p - d(k - 1) - 1) / s) + 1
  Conv2dOptions o;
  o.kernel_h = o.kernel_w = 3;
  o.stride = 2;
  o.padding = 1;
  const ImageShape s = conv2d_shape(ImageShape{1, 28, 28}, 8, o);
  CHECK((s.channels == 8 && s.height == 14 && s.width == 14));
}

TEST_CASE("conv2d's fast paths (same-width runs, one product per large image) equal the direct sum, gradients included", "[ops][image][gradcheck]") {
  // Output rows as wide as the input rows with stride 1 take im2col's contiguous-run path (and its
  // adjoint's); from 256 output pixels an image gets its own product. Each kernel below reaches the
  // plane's first and last pixels from outside (the run's wrap), on small and large images.
  Rng rng(2, "conv-fast");
  struct Case {
    Index kh, kw, padding, dilation, groups, height, width;
  };
  for (const Case c : {Case{3, 3, 1, 1, 1, 16, 17}, Case{5, 3, 1, 1, 2, 16, 17}, Case{3, 3, 2, 2, 1, 16, 16},
                       Case{1, 1, 0, 1, 1, 16, 16}, Case{3, 3, 1, 1, 1, 5, 4}, Case{3, 5, 2, 1, 2, 4, 6}}) {
    const ImageShape in{2, c.height, c.width};
    Conv2dOptions o;
    o.kernel_h = c.kh;
    o.kernel_w = c.kw;
    o.padding = c.padding;
    o.dilation = c.dilation;
    o.groups = c.groups;
    INFO("kernel " << c.kh << "x" << c.kw << " padding " << c.padding << " dilation " << c.dilation << " groups " << c.groups
                   << " image " << c.height << "x" << c.width);
    REQUIRE(conv2d_shape(in, 4, o).width == in.width);  // the same-width path
    const MatD x = random_matrix(2, in.size(), rng), w = random_matrix(4, 2 / c.groups * c.kh * c.kw, rng);
    const MatD b = random_matrix(1, 4, rng);
    CHECK((conv2d(Var<double>(x), in, Var<double>(w), Var<double>(b), o).value() - direct_conv(x, in, w, &b, o))
              .cwiseAbs().maxCoeff() < 1e-12);
    const std::vector<Var<double>> vars{Var<double>(x, true), Var<double>(w, true), Var<double>(b, true)};
    CHECK(check_gradient([&](const std::vector<Var<double>>& v) { return conv2d(v[0], in, v[1], v[2], o); }, vars) < 1e-6);
  }
}

TEST_CASE("pooling equals its definition, padding excluded from averages", "[ops][image]") {
  Rng rng(2, "pool");
  const ImageShape in{2, 5, 5};
  const MatD x = random_matrix(3, in.size(), rng);
  const Pool2dOptions p{3, 2, 1};
  const ImageShape out = pool2d_shape(in, p);
  REQUIRE((out.height == 3 && out.width == 3));
  const MatD mx = max_pool2d(Var<double>(x), in, p).value(), av = avg_pool2d(Var<double>(x), in, p).value();
  for (Index n = 0; n < 3; ++n)
    for (Index c = 0; c < 2; ++c)
      for (Index oy = 0; oy < 3; ++oy)
        for (Index ox = 0; ox < 3; ++ox) {
          double best = -std::numeric_limits<double>::infinity(), sum = 0;
          int count = 0;
          for (Index yy = 2 * oy - 1; yy <= 2 * oy + 1; ++yy)
            for (Index xx = 2 * ox - 1; xx <= 2 * ox + 1; ++xx)
              if (yy >= 0 && yy < 5 && xx >= 0 && xx < 5) best = std::max(best, at(x, n, in, c, yy, xx)), sum += at(x, n, in, c, yy, xx), ++count;
          const Index k = (c * 3 + oy) * 3 + ox;
          CHECK(mx(n, k) == best);
          CHECK(std::abs(av(n, k) - sum / count) < 1e-12);
        }
  const MatD ga = global_avg_pool(Var<double>(x), in).value(), gm = global_max_pool(Var<double>(x), in).value();
  REQUIRE((ga.rows() == 3 && ga.cols() == 2));
  for (Index n = 0; n < 3; ++n)
    for (Index c = 0; c < 2; ++c) {
      CHECK(std::abs(ga(n, c) - x.row(n).segment(c * 25, 25).mean()) < 1e-12);
      CHECK(gm(n, c) == x.row(n).segment(c * 25, 25).maxCoeff());
    }
  // a batch of no images
  CHECK(conv2d(Var<double>(MatD(0, in.size())), in, Var<double>(random_matrix(3, 2 * 9, rng)), Var<double>(), Conv2dOptions{}).rows() == 0);
}

TEST_CASE("image ops name the shapes that do not fit", "[ops][image][errors]") {
  const Var<double> x(MatD::Zero(2, 2 * 4 * 4));
  CHECK_THROWS_WITH(conv2d(x, ImageShape{2, 4, 5}, Var<double>(MatD::Zero(3, 18)), Var<double>(), Conv2dOptions{}),
                    Catch::Contains("x has 32 columns, image shape 2 x 4 x 5 needs 40"));
  CHECK_THROWS_WITH(conv2d(x, ImageShape{2, 4, 4}, Var<double>(MatD::Zero(3, 17)), Var<double>(), Conv2dOptions{}),
                    Catch::Contains("weight [3 x 17] must be [out_channels x (channels / groups) * kh * kw] = [3 x 18]"));
  CHECK_THROWS_WITH(conv2d(x, ImageShape{2, 4, 4}, Var<double>(MatD::Zero(3, 18)), Var<double>(MatD::Zero(1, 2)), Conv2dOptions{}),
                    Catch::Contains("bias [1 x 2] must be [1 x 3]"));
  Conv2dOptions g;
  g.groups = 2;
  CHECK_THROWS_WITH(conv2d(x, ImageShape{2, 4, 4}, Var<double>(MatD::Zero(3, 9)), Var<double>(), g), Catch::Contains("groups (2) must divide"));
  Conv2dOptions big;
  big.kernel_h = big.kernel_w = 5;
  CHECK_THROWS_WITH(conv2d(x, ImageShape{2, 4, 4}, Var<double>(MatD::Zero(3, 50)), Var<double>(), big), Catch::Contains("does not fit"));
  CHECK_THROWS_WITH(max_pool2d(x, ImageShape{2, 4, 4}, Pool2dOptions{5, 1, 0}), Catch::Contains("does not fit"));
  CHECK_THROWS_WITH(avg_pool2d(x, ImageShape{2, 4, 4}, Pool2dOptions{2, 0, 0}), Catch::Contains("stride >= 1"));
  CHECK_THROWS_WITH(global_max_pool(x, ImageShape{3, 4, 4}), Catch::Contains("needs 48"));
  CHECK_THROWS_WITH(global_avg_pool(x, ImageShape{Index(1) << 40, Index(1) << 40, 1}),
                    Catch::Contains("every dimension must be in [1, 2^20]"));
  CHECK_THROWS_WITH(max_pool2d(x, ImageShape{-2, 4, 4}, Pool2dOptions{}), Catch::Contains("image shape -2 x 4 x 4"));
  Conv2dOptions huge;
  huge.padding = Index(1) << 62;
  CHECK_THROWS_WITH(conv2d(x, ImageShape{2, 4, 4}, Var<double>(MatD::Zero(3, 18)), Var<double>(), huge), Catch::Contains("at most 2^20"));
  huge = Conv2dOptions{};
  huge.dilation = Index(1) << 40;
  CHECK_THROWS_WITH(conv2d(x, ImageShape{2, 4, 4}, Var<double>(MatD::Zero(3, 18)), Var<double>(), huge), Catch::Contains("at most 2^20"));
  // NaN wins a max window wherever it sits, as in numpy
  MatD nan = MatD::Ones(1, 4);
  nan(0, 3) = std::numeric_limits<double>::quiet_NaN();
  CHECK(std::isnan(max_pool2d(Var<double>(nan), ImageShape{1, 2, 2}, Pool2dOptions{2, 2, 0}).value()(0, 0)));
}

TEST_CASE("bilinear sampling reads pixels at their centres, mixes neighbours between them, zeros outside", "[ops][image]") {
  Rng rng(21, "bilinear");
  const ImageShape s{2, 3, 4};
  const MatD x = MatD::Random(2, s.size());
  // the identity grid (every pixel centre, row by row) gives the image back
  MatD grid(2, 2 * 12);
  for (Index n = 0; n < 2; ++n)
    for (Index yy = 0; yy < 3; ++yy)
      for (Index xx = 0; xx < 4; ++xx) {
        grid(n, 2 * (yy * 4 + xx)) = -1 + 2.0 * double(xx) / 3;
        grid(n, 2 * (yy * 4 + xx) + 1) = -1 + 2.0 * double(yy) / 2;
      }
  CHECK((bilinear_sample(Var<double>(x), s, Var<double>(grid)).value() - x).cwiseAbs().maxCoeff() < 1e-12);
  CHECK((bilinear_footprint(grid, s).array() - 1).abs().maxCoeff() < 1e-12);  // every pixel read once
  // a point a quarter of the way right of pixel (1, 1) and half way down to (2, 1): the mix
  MatD one(2, 2);
  one << -1 + 2 * 1.25 / 3, -1 + 2 * 1.5 / 2, 5, 5;  // image 1's point far outside
  const MatD y = bilinear_sample(Var<double>(x), s, Var<double>(one)).value();
  REQUIRE((y.rows() == 2 && y.cols() == 2));
  for (Index c = 0; c < 2; ++c) {
    const double want = 0.75 * 0.5 * at(x, 0, s, c, 1, 1) + 0.25 * 0.5 * at(x, 0, s, c, 1, 2) + 0.75 * 0.5 * at(x, 0, s, c, 2, 1) +
                        0.25 * 0.5 * at(x, 0, s, c, 2, 2);
    CHECK(y(0, c) == Approx(want).margin(1e-12));
    CHECK(y(1, c) == 0.0);
  }
  // half a pixel past the last column: half of the border pixel (the outside reads 0)
  MatD edge(1, 2);
  edge << 1 + 1.0 / 3, -1;  // column 3.5 of 0..3, row 0
  CHECK(bilinear_sample(Var<double>(x.topRows(1)), s, Var<double>(edge)).value()(0, 0) == Approx(0.5 * at(x, 0, s, 0, 0, 3)));
  // errors name what is wrong
  CHECK_THROWS_WITH(bilinear_sample(Var<double>(x), s, Var<double>(MatD::Zero(2, 3))), Catch::Contains("grid is [2 x 3]"));
  CHECK_THROWS_WITH(bilinear_sample(Var<double>(x), s, Var<double>(MatD::Zero(1, 4))), Catch::Contains("needs [2 x 2P]"));
  MatD bad = MatD::Zero(2, 4);
  bad(1, 3) = std::numeric_limits<double>::quiet_NaN();
  CHECK_THROWS_WITH(bilinear_sample(Var<double>(x), s, Var<double>(bad)), Catch::Contains("grid(1, 3) is not finite"));
  bad(1, 3) = 1e300;  // image 1's second point far outside: zero in both channels, no overflow
  const MatD far = bilinear_sample(Var<double>(x), s, Var<double>(bad)).value();
  CHECK((far(1, 1) == 0.0 && far(1, 3) == 0.0 && far(1, 0) != 0.0));
}

TEST_CASE("group normalisation: each group of channels to mean 0 and variance 1, then per-channel scale and shift", "[ops][image]") {
  Rng rng(22, "groupnorm");
  const ImageShape s{4, 2, 3};
  const MatD x = MatD::Random(3, s.size()) * 5 + MatD::Constant(3, s.size(), 2);
  const Var<double> ones(MatD::Ones(1, 4)), zeros(MatD::Zero(1, 4));
  const MatD y = group_norm(Var<double>(x), s, 2, ones, zeros, 0.0).value();
  for (Index n = 0; n < 3; ++n)
    for (Index g = 0; g < 2; ++g) {
      const auto block = y.row(n).segment(g * 12, 12);  // channels 2g, 2g + 1
      CHECK(std::abs(block.mean()) < 1e-12);
      CHECK((block.array() - block.mean()).square().mean() == Approx(1.0));
    }
  MatD gamma(1, 4), beta(1, 4);
  gamma << 1, 2, 3, 4;
  beta << 0, -1, 5, 0.5;
  const MatD z = group_norm(Var<double>(x), s, 2, Var<double>(gamma), Var<double>(beta), 0.0).value();
  for (Index c = 0; c < 4; ++c)
    CHECK((z.row(1).segment(c * 6, 6).array() - (gamma(0, c) * y.row(1).segment(c * 6, 6).array() + beta(0, c))).abs().maxCoeff() < 1e-12);
  CHECK_THROWS_WITH(group_norm(Var<double>(x), s, 3, ones, zeros), Catch::Contains("groups = 3 must divide the 4 channels"));
  CHECK_THROWS_WITH(group_norm(Var<double>(x), s, 2, Var<double>(MatD::Ones(1, 3)), zeros), Catch::Contains("must be [1 x 4]"));
}

TEST_CASE("the 1-D convolution across channels is the zero-padded sum of its taps", "[ops][image]") {
  MatD s(2, 4), w(1, 3);
  s << 1, 2, 3, 4, -1, 0, 5, 2;
  w << 0.5, -1, 2;  // y(j) = 0.5 s(j - 1) - s(j) + 2 s(j + 1)
  const MatD y = conv1d_channels(Var<double>(s), Var<double>(w)).value();
  MatD want(2, 4);
  want << 0 - 1 + 4, 0.5 - 2 + 6, 1 - 3 + 8, 1.5 - 4 + 0, 0 + 1 + 0, -0.5 - 0 + 10, 0 - 5 + 4, 2.5 - 2 + 0;
  CHECK((y - want).cwiseAbs().maxCoeff() < 1e-12);
  CHECK_THROWS_WITH(conv1d_channels(Var<double>(s), Var<double>(MatD::Ones(1, 2))), Catch::Contains("k odd, got [1 x 2]"));
  CHECK_THROWS_WITH(conv1d_channels(Var<double>(s), Var<double>(MatD::Ones(2, 3))), Catch::Contains("got [2 x 3]"));
}
