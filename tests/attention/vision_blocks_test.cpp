// attention/vision/block.h: every registered attention block, driven by the registry (a new
// block needs no test code): the shape kept, a double-precision Jacobian check over the maps and
// the block's parameters, an empty batch, the errors; then what each block is: SE and ECA scale
// whole channels by weights in (0, 1), ECA's kernel size from the channel count, CBAM's spatial map
// scales positions, SimAM has no parameters.
#include "attention/vision/block.h"

#include "core/gradcheck.h"

#include <catch2/catch.hpp>

using namespace engram;
using namespace engram::attention;

namespace {

const BlockShape kShape{ImageShape{4, 3, 5}};

void randomize(const Module<double>& m, std::uint64_t seed) {
  Rng rng(seed, "randomize");
  for (auto p : m.parameters()) p.mutable_value() = random_matrix(p.rows(), p.cols(), rng, -1, 1);
}

// The value of a block's parameter by name.
MatD param_of(const Module<double>& m, const std::string& name) {
  for (const auto& p : m.named_parameters())
    if (p.name == name) return p.var.value();
  FAIL("no parameter " << name);
  return {};
}

// Options that fit the small test maps (CBAM's 7x7 kernel is fine: it pads).
Options small(const std::string& name) {
  Options o;
  if (name == "se" || name == "cbam") o.set("reduction", 2.0);
  return o;
}

}  // namespace

TEST_CASE("every registered block keeps the shape, passes a Jacobian check and rejects other widths", "[attention][blocks][gradcheck]") {
  const auto names = blocks<double>().names();
  REQUIRE(names.size() >= 4);
  for (const auto& name : names) {
    INFO(name);
    Rng rng(3, "block");
    auto b = make_block<double>(name, kShape, small(name), rng);
    randomize(*b, 4);
    const MatD x = random_matrix(2, kShape.image.size(), rng);
    const MatD y = b->forward(Var<double>(x)).value();
    CHECK((y.rows() == 2 && y.cols() == kShape.image.size()));
    const Index a = b->attention(Var<double>(x)).cols();
    const AttentionKind kind = b->attention_kind();
    CHECK(a == (kind == AttentionKind::channel ? 4 : kind == AttentionKind::spatial ? 15 : 60));
    std::vector<Var<double>> inputs{Var<double>(x, true)};
    for (const auto& p : b->parameters()) inputs.push_back(p);
    CHECK(check_gradient([&](const std::vector<Var<double>>& v) { return b->forward(v[0]); }, inputs) < 1e-6);
    CHECK(b->forward(Var<double>(MatD(0, 60))).rows() == 0);
    CHECK_THROWS_WITH(b->forward(Var<double>(MatD::Zero(2, 59))), Catch::Contains("x has 59 columns") && Catch::Contains("4 x 3 x 5 = 60"));
  }
  Rng rng(1, "options");
  CHECK_THROWS_WITH(make_block<double>("se", kShape, Options().set("reductoin", 2.0), rng), Catch::Contains("reductoin"));
}

TEST_CASE("what each block does to the maps", "[attention][blocks]") {
  Rng rng(5, "blocks");
  const MatD x = random_matrix(3, kShape.image.size(), rng);
  const auto per_channel = [&](const MatD& y, const MatD& s) {  // y == x with channel c of image n times s(n, c)
    double worst = 0;
    for (Index n = 0; n < 3; ++n)
      for (Index c = 0; c < 4; ++c)
        worst = std::max(worst, (y.row(n).segment(c * 15, 15) - s(n, c) * x.row(n).segment(c * 15, 15)).cwiseAbs().maxCoeff());
    return worst;
  };
  for (const std::string name : {"se", "eca"}) {
    INFO(name);
    auto b = make_block<double>(name, kShape, small(name), rng);
    const MatD s = b->attention(Var<double>(x)).value();
    REQUIRE((s.rows() == 3 && s.cols() == 4));
    CHECK(s.minCoeff() > 0);
    CHECK(s.maxCoeff() < 1);
    CHECK(per_channel(b->forward(Var<double>(x)).value(), s) < 1e-12);
  }
  // ECA's kernel: 1 for 4 channels, 3 for 64, 5 for 256 ((log2 C + 1) / 2, up to odd); its weights are the parameters
  for (const auto& [c, k] : std::vector<std::pair<Index, Index>>{{4, 1}, {64, 3}, {256, 5}}) {
    auto e = make_block<double>("eca", BlockShape{ImageShape{c, 2, 2}}, Options(), rng);
    CHECK(e->parameters()[0].cols() == k);
  }
  auto simam = make_block<double>("simam", kShape, Options(), rng);
  CHECK(simam->parameters().empty());
  const MatD w = simam->attention(Var<double>(x)).value();
  CHECK(w.minCoeff() >= 0.5);  // sigmoid of an energy >= 1/2
  for (Index n = 0; n < x.rows(); ++n)  // the definition, channel by channel (lambda 1e-4)
    for (Index c = 0; c < 4; ++c) {
      const auto v = x.row(n).segment(c * 15, 15).array();
      const double mu = v.mean(), var = (v - mu).square().sum() / 14;
      for (Index p = 0; p < 15; ++p)
        CHECK(std::abs(w(n, c * 15 + p) - 1 / (1 + std::exp(-((v(p) - mu) * (v(p) - mu) / (4 * (var + 1e-4)) + 0.5)))) < 1e-14);
    }
  auto cbam = make_block<double>("cbam", kShape, small("cbam"), rng);
  CHECK(cbam->attention(Var<double>(x)).cols() == 15);  // one weight per position
  CHECK_THROWS_WITH(make_block<double>("cbam", kShape, Options().set("kernel", 4.0), rng), Catch::Contains("kernel: must be odd"));
  CHECK_THROWS_WITH(make_block<double>("simam", BlockShape{ImageShape{3, 1, 1}}, Options(), rng), Catch::Contains("at least 2 positions"));
  CHECK_THROWS_WITH(make_block<double>("simam", kShape, Options().set("lambda", 0.0), rng), Catch::Contains("lambda"));
  // a constant channel (a dead ReLU) stays finite
  CHECK(simam->forward(Var<double>(MatD::Zero(2, 60))).value().allFinite());
  // (no channel limit: the convolution across channels is an op, not a C x C band matrix)
  CHECK(make_block<double>("eca", BlockShape{ImageShape{2048, 1, 2}}, Options(), rng)->attention(Var<double>(MatD::Ones(1, 4096))).cols() == 2048);
}

TEST_CASE("the residual blocks start as the identity and add what their equations say", "[attention][blocks]") {
  Rng rng(7, "residual");
  const MatD x = random_matrix(3, kShape.image.size(), rng);
  // gct, gc and nonlocal start as the identity (gct's gates at 1, the last layer of gc and
  // nonlocal at zero), so inserting one into a trained backbone changes nothing at first
  for (const std::string name : {"gct", "gc", "nonlocal", "stn", "double"}) {
    INFO(name);
    auto b = make_block<double>(name, kShape, Options(), rng);
    CHECK((b->forward(Var<double>(x)).value() - x).cwiseAbs().maxCoeff() < 1e-12);
    randomize(*b, 9);
    CHECK((b->forward(Var<double>(x)).value() - x).cwiseAbs().maxCoeff() > 1e-3);
  }
  // gc adds one value per channel of an image, the same at every position; its pooling weights
  // are a distribution over the positions
  auto gc = make_block<double>("gc", kShape, Options(), rng);
  randomize(*gc, 10);
  const MatD d = gc->forward(Var<double>(x)).value() - x;
  for (Index n = 0; n < 3; ++n)
    for (Index c = 0; c < 4; ++c) CHECK(d.row(n).segment(c * 15, 15).maxCoeff() - d.row(n).segment(c * 15, 15).minCoeff() < 1e-12);
  const MatD a = gc->attention(Var<double>(x)).value();
  CHECK((a.rowwise().sum().array() - 1).abs().maxCoeff() < 1e-12);
  // nonlocal: the attention each position receives, averaged over the queries, sums to 1
  auto nl = make_block<double>("nonlocal", kShape, Options(), rng);
  randomize(*nl, 11);
  const MatD r = nl->attention(Var<double>(x)).value();
  CHECK((r.rows() == 3 && r.cols() == 15));
  CHECK((r.rowwise().sum().array() - 1).abs().maxCoeff() < 1e-12);
  // subsampled (the default), each position attends over the 2 x 2 max-pooled cells: 3 x 5 maps
  // pool to 1 x 2 cells, and a cell's share goes a quarter to each of its positions (row 2 and
  // column 4 are in no cell); without subsampling, every position's own share
  for (Index n = 0; n < 3; ++n)
    for (Index p = 0; p < 15; ++p)
      if (p / 5 == 2 || p % 5 == 4) CHECK(r(n, p) == 0);
      else CHECK(r(n, p) == r(n, (p / 5) * 5 + (p % 5) / 2 * 2));  // the same within a cell
  auto full = make_block<double>("nonlocal", kShape, Options().set("subsample", "false"), rng);
  randomize(*full, 11);
  const MatD rf = full->attention(Var<double>(x)).value();
  CHECK((rf.rows() == 3 && rf.cols() == 15));
  CHECK((rf.rowwise().sum().array() - 1).abs().maxCoeff() < 1e-12);
  CHECK(rf.minCoeff() > 0);
  CHECK((full->forward(Var<double>(x)).value() - nl->forward(Var<double>(x)).value()).cwiseAbs().maxCoeff() > 1e-6);
  CHECK_THROWS_WITH(make_block<double>("nonlocal", BlockShape{ImageShape{2, 65, 64}}, Options().set("subsample", "false"), rng),
                    Catch::Contains("at most 4096 x 4096 pairs") && Catch::Contains("got 4160 x 4160"));
  CHECK_NOTHROW(make_block<double>("nonlocal", BlockShape{ImageShape{2, 65, 64}}, Options(), rng));
  // gct: gates in (0, 2), one per channel, the output each channel times its gate
  auto gct = make_block<double>("gct", kShape, Options(), rng);
  randomize(*gct, 12);
  const MatD g = gct->attention(Var<double>(x)).value();
  CHECK((g.rows() == 3 && g.cols() == 4 && g.minCoeff() > 0 && g.maxCoeff() < 2));
  const MatD y = gct->forward(Var<double>(x)).value();
  for (Index n = 0; n < 3; ++n)
    for (Index c = 0; c < 4; ++c) CHECK((y.row(n).segment(c * 15, 15) - g(n, c) * x.row(n).segment(c * 15, 15)).cwiseAbs().maxCoeff() < 1e-12);
}

TEST_CASE("coordinate attention weighs each element by a row gate times a column gate", "[attention][blocks]") {
  Rng rng(8, "coord");
  const MatD x = random_matrix(2, kShape.image.size(), rng);
  auto b = make_block<double>("coord", kShape, Options().set("reduction", 2.0), rng);
  randomize(*b, 13);
  const MatD a = b->attention(Var<double>(x)).value();  // [2 x 60]: (c, h, w), H 3, W 5
  REQUIRE((a.rows() == 2 && a.cols() == 60));
  CHECK(a.minCoeff() > 0);
  CHECK(a.maxCoeff() < 1);
  const auto at = [&](Index n, Index c, Index h, Index w) { return a(n, c * 15 + h * 5 + w); };
  for (Index n = 0; n < 2; ++n)
    for (Index c = 0; c < 4; ++c)  // rank one in (h, w): a(h, w) a(h', w') = a(h, w') a(h', w)
      CHECK(std::abs(at(n, c, 0, 1) * at(n, c, 2, 4) - at(n, c, 0, 4) * at(n, c, 2, 1)) < 1e-12);
  CHECK((b->forward(Var<double>(x)).value() - x.cwiseProduct(a)).cwiseAbs().maxCoeff() < 1e-12);
}

TEST_CASE("the spatial transformer warps by its affine map: a shift moves the image by whole pixels", "[attention][blocks]") {
  Rng rng(9, "stn");
  const MatD x = random_matrix(2, kShape.image.size(), rng);  // 4 x 3 x 5
  auto b = make_block<double>("stn", kShape, Options().set("hidden", 8.0), rng);
  // at the start: the identity warp reads every pixel once, at its centre
  CHECK((b->attention(Var<double>(x)).value().array() - 1).abs().maxCoeff() < 1e-12);
  // theta = [1 0 0.5; 0 1 0]: output column j reads input column j + 1 (0.5 in [-1, 1] units is
  // one pixel step of 4 for W = 5); the last column reads outside: 0
  for (auto& p : b->named_parameters())
    if (p.name == "theta.bias") p.var.mutable_value() << 1, 0, 0.5, 0, 1, 0;
  const MatD y = b->forward(Var<double>(x)).value();
  for (Index n = 0; n < 2; ++n)
    for (Index c = 0; c < 4; ++c)
      for (Index i = 0; i < 3; ++i) {
        for (Index j = 0; j < 4; ++j) CHECK(y(n, c * 15 + i * 5 + j) == Approx(x(n, c * 15 + i * 5 + j + 1)).margin(1e-12));
        CHECK(std::abs(y(n, c * 15 + i * 5 + 4)) < 1e-12);
      }
  const MatD f = b->attention(Var<double>(x)).value();  // column 0 is never read, the others once
  for (Index i = 0; i < 3; ++i) {
    CHECK(std::abs(f(0, i * 5)) < 1e-12);
    CHECK(f(0, i * 5 + 3) == Approx(1.0));
  }
}

TEST_CASE("selective kernel mixes its two branches per channel with weights that sum to 1", "[attention][blocks]") {
  Rng rng(10, "sk");
  const MatD x = random_matrix(2, kShape.image.size(), rng);
  auto b = make_block<double>("sk", kShape, Options(), rng);
  randomize(*b, 14);
  const MatD a = b->attention(Var<double>(x)).value();
  REQUIRE((a.rows() == 2 && a.cols() == 4));
  CHECK((a.minCoeff() > 0 && a.maxCoeff() < 1));
  // out = a1 U1 + (1 - a1) U2: with the dilated branch's weights and bias zeroed, U2 = 0 and the
  // output is a1 times the 3x3 branch, whose own conv this test repeats
  for (auto& p : b->named_parameters())
    if (p.name.rfind("branch1.", 0) == 0) p.var.mutable_value().setZero();
  Conv2dOptions o;
  o.padding = 1;
  const MatD u1 = relu(conv2d(Var<double>(x), kShape.image, Var<double>(param_of(*b, "branch0.weight")),
                              Var<double>(param_of(*b, "branch0.bias")), o)).value();
  const MatD a1 = b->attention(Var<double>(x)).value();
  const MatD y = b->forward(Var<double>(x)).value();
  for (Index n = 0; n < 2; ++n)
    for (Index c = 0; c < 4; ++c) CHECK((y.row(n).segment(c * 15, 15) - a1(n, c) * u1.row(n).segment(c * 15, 15)).cwiseAbs().maxCoeff() < 1e-12);
  CHECK_THROWS_WITH(make_block<double>("sk", kShape, Options().set("groups", 3.0), rng), Catch::Contains("groups (3) must divide the 4 channels"));
}

TEST_CASE("residual attention amplifies its trunk by 1 + a mask in (0, 1)", "[attention][blocks]") {
  Rng rng(11, "residual-attention");
  const MatD x = random_matrix(2, kShape.image.size(), rng);
  auto b = make_block<double>("residual", kShape, Options(), rng);
  randomize(*b, 15);
  const MatD m = b->attention(Var<double>(x)).value();
  REQUIRE((m.rows() == 2 && m.cols() == 60));
  CHECK((m.minCoeff() > 0 && m.maxCoeff() < 1));
  Conv2dOptions o;
  o.padding = 1;
  const MatD trunk = relu(conv2d(Var<double>(x), kShape.image, Var<double>(param_of(*b, "trunk.weight")),
                                 Var<double>(param_of(*b, "trunk.bias")), o)).value();
  CHECK((b->forward(Var<double>(x)).value() - (m.array() + 1).matrix().cwiseProduct(trunk)).cwiseAbs().maxCoeff() < 1e-12);
  // the mask reads the maps pooled 2 x 2: the last row of a 3-row map is in no window, so
  // changing it leaves the mask as it was (and changes the trunk)
  MatD x2 = x;
  for (Index c = 0; c < 4; ++c)
    for (Index j = 0; j < 5; ++j) x2(0, c * 15 + 2 * 5 + j) += 1.0;
  CHECK((b->attention(Var<double>(x2)).value() - m).cwiseAbs().maxCoeff() < 1e-12);
  CHECK((b->forward(Var<double>(x2)).value() - b->forward(Var<double>(x)).value()).cwiseAbs().maxCoeff() > 1e-6);
  CHECK_THROWS_WITH(make_block<double>("residual", BlockShape{ImageShape{2, 1, 5}}, Options(), rng), Catch::Contains("at least 2 x 2"));
}

TEST_CASE("double attention's gathering maps are distributions over the positions", "[attention][blocks]") {
  Rng rng(12, "double");
  const MatD x = random_matrix(2, kShape.image.size(), rng);
  auto b = make_block<double>("double", kShape, Options().set("descriptors", 3.0), rng);
  randomize(*b, 16);
  const MatD a = b->attention(Var<double>(x)).value();
  REQUIRE((a.rows() == 2 && a.cols() == 15));
  CHECK((a.rowwise().sum().array() - 1).abs().maxCoeff() < 1e-12);
  CHECK(a.minCoeff() > 0);
}

TEST_CASE("frequency channel attention pools each part of the channels with a DCT basis image", "[attention][blocks]") {
  Rng rng(13, "fca");
  const BlockShape shape{ImageShape{4, 4, 6}};
  auto made = make_block<double>("fca", shape, Options().set("frequencies", 4.0), rng);
  const MatD basis = dct_pooling_basis<double>(shape.image, 4);
  const auto channel = [&](Index c) { return basis.row(0).segment(c * 24, 24); };
  CHECK((channel(0).array() - 1).abs().maxCoeff() < 1e-12);  // (0, 0): the sum pool
  for (Index c = 1; c < 4; ++c) CHECK(std::abs(channel(0).dot(channel(c))) < 1e-9);  // orthogonal to it
  CHECK(std::abs(channel(1).dot(channel(2))) < 1e-9);
  // (0, 1) varies along the columns only, (1, 0) along the rows only
  CHECK(std::abs(channel(1)(0) - channel(1)(6)) < 1e-12);
  CHECK(std::abs(channel(2)(0) - channel(2)(1)) < 1e-12);
  const MatD x = random_matrix(2, 96, rng);
  const MatD s = made->attention(Var<double>(x)).value();
  CHECK((s.rows() == 2 && s.cols() == 4 && s.minCoeff() > 0 && s.maxCoeff() < 1));
  // more frequencies than channels: one per channel
  const MatD capped = dct_pooling_basis<double>(ImageShape{2, 4, 6}, 2);
  auto two = make_block<double>("fca", BlockShape{ImageShape{2, 4, 6}}, Options().set("frequencies", 9.0), rng);
  CHECK(two->attention(Var<double>(random_matrix(1, 48, rng))).cols() == 2);
  CHECK(std::abs(capped.row(0).segment(0, 24).dot(capped.row(0).segment(24, 24))) < 1e-9);
}

TEST_CASE("the blocks' broadcast helpers are their definitions, one node each, and pass a Jacobian check", "[attention][blocks][gradcheck]") {
  const ImageShape s = kShape.image;  // 4 x 3 x 5
  Rng rng(7, "helpers");
  const MatD x = random_matrix(2, s.size(), rng), per_channel = random_matrix(2, 4, rng);
  const MatD per_position = random_matrix(2, 15, rng), per_row = random_matrix(2, 12, rng);
  const auto col = [&](Index c, Index h, Index w) { return (c * 3 + h) * 5 + w; };
  const MatD sc = scale_channels(Var<double>(x), Var<double>(per_channel), s).value();
  const MatD sp = scale_positions(Var<double>(x), Var<double>(per_position), s).value();
  const MatD ac = add_channels(Var<double>(x), Var<double>(per_channel), s).value();
  const MatD sr = scale_rows(Var<double>(x), Var<double>(per_row), s).value();
  const MatD cm = channel_mean(Var<double>(x), s).value(), cx = channel_max(Var<double>(x), s).value();
  for (Index n = 0; n < 2; ++n)
    for (Index h = 0; h < 3; ++h)
      for (Index w = 0; w < 5; ++w) {
        double sum = 0, most = -1e300;
        for (Index c = 0; c < 4; ++c) {
          const double v = x(n, col(c, h, w));
          CHECK(sc(n, col(c, h, w)) == v * per_channel(n, c));
          CHECK(sp(n, col(c, h, w)) == v * per_position(n, h * 5 + w));
          CHECK(ac(n, col(c, h, w)) == v + per_channel(n, c));
          CHECK(sr(n, col(c, h, w)) == v * per_row(n, c * 3 + h));
          sum += v, most = std::max(most, v);
        }
        CHECK(std::abs(cm(n, h * 5 + w) - sum / 4) < 1e-14);
        CHECK(cx(n, h * 5 + w) == most);
      }
  const std::vector<Var<double>> xs{Var<double>(x, true), Var<double>(per_channel, true)};
  CHECK(check_gradient([&](const auto& v) { return scale_channels(v[0], v[1], s); }, xs) < 1e-6);
  CHECK(check_gradient([&](const auto& v) { return add_channels(v[0], v[1], s); }, xs) < 1e-6);
  CHECK(check_gradient([&](const auto& v) { return scale_positions(v[0], v[1], s); },
                       {Var<double>(x, true), Var<double>(per_position, true)}) < 1e-6);
  CHECK(check_gradient([&](const auto& v) { return scale_rows(v[0], v[1], s); },
                       {Var<double>(x, true), Var<double>(per_row, true)}) < 1e-6);
  CHECK(check_gradient([&](const auto& v) { return channel_mean(v[0], s); }, {Var<double>(x, true)}) < 1e-6);
  CHECK(check_gradient([&](const auto& v) { return channel_max(v[0], s); }, {Var<double>(x, true)}) < 1e-6);
  CHECK(scale_channels(Var<double>(x, true), Var<double>(per_channel, true), s).node()->inputs.size() == 2);  // one node
  CHECK_THROWS_WITH(scale_channels(Var<double>(x), Var<double>(per_position), s),
                    Catch::Contains("scale_channels") && Catch::Contains("[2 x 15] must be [2 x 4]"));
  CHECK_THROWS_WITH(scale_positions(Var<double>(x), Var<double>(per_channel), s),
                    Catch::Contains("scale_positions") && Catch::Contains("must be [2 x 15]"));
}
