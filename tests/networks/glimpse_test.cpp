// The recurrent attention model (networks/glimpse.h): the retina against crops and block averages
// computed by hand, zeros outside the image, the footprint; a double-precision Jacobian check of
// the whole hybrid loss with the draws held fixed (so the REINFORCE term's log p is checked in
// the location network); the policy's draws follow N(mu, sigma^2); and the policy learning where
// to look when only one place of the image tells the class.
#include "networks/glimpse.h"

#include "core/gradcheck.h"
#include "core/optim.h"

#include <catch2/catch.hpp>

#include <cmath>

using namespace engram;
using namespace engram::networks;

namespace {

using V = std::vector<Var<double>>;

GlimpseOptions small(Index side, Index g, Index scales, Index glimpses) {
  GlimpseOptions o;
  o.input = ImageShape{1, side, side};
  o.glimpse = g;
  o.scales = scales;
  o.glimpses = glimpses;
  o.glimpse_hidden = 5;
  o.hidden = 6;
  o.classes = 3;
  o.location_std = 0.2;
  return o;
}

}  // namespace

TEST_CASE("the retina crops g x g pixels around the location and averages the coarser scales down", "[networks][glimpse]") {
  Rng rng(1, "retina");
  GlimpseNetwork<double> net(small(16, 4, 3, 1), rng);
  const MatD x = random_matrix(1, 256, rng, 0, 1);
  const auto px = [&](Index r, Index c) { return r < 0 || c < 0 || r >= 16 || c >= 16 ? 0.0 : x(0, r * 16 + c); };
  // location (0, 0) is the image's centre, pixel 7.5: scale s reads rows and columns
  // 8 - 2^(s+1) .. 7 + 2^(s+1), averaged over blocks of 2^s
  const MatD r = net.retina(x, MatD::Zero(1, 2));
  REQUIRE(r.cols() == 3 * 16);
  for (Index s = 0; s < 3; ++s) {
    const Index block = Index(1) << s, start = 8 - 2 * block;
    for (Index i = 0; i < 4; ++i)
      for (Index j = 0; j < 4; ++j) {
        double avg = 0;
        for (Index a = 0; a < block; ++a)
          for (Index b = 0; b < block; ++b) avg += px(start + i * block + a, start + j * block + b);
        CHECK(r(0, s * 16 + i * 4 + j) == Approx(avg / double(block * block)).margin(1e-12));
      }
  }
  // at the bottom-right corner pixel (1, 1) = pixel 15: rows and columns 14 - 2^(s+1) + ..., half outside (zeros)
  const MatD corner = net.retina(x, MatD::Constant(1, 2, 1.0));
  // the finest scale reads rows and columns 13.5 .. 16.5: between pixels, so each sample mixes
  // four pixels equally; row and column 16.5 lie outside (zeros enter the mix)
  CHECK(corner(0, 0) == Approx((px(13, 13) + px(13, 14) + px(14, 13) + px(14, 14)) / 4).margin(1e-12));
  CHECK(corner(0, 15) == 0.0);  // rows and columns 16, 17: outside
  CHECK(corner(0, 10) == Approx(px(15, 15) / 4).margin(1e-12));  // 15.5: half of pixel 15's row and column
  // the footprint: the finest scale's 16 pixels carry weight 1 + 1/4 + 1/16, the rest of the
  // middle scale's 1/4 + 1/16, the coarsest's alone 1/16
  const MatD f = net.footprint(MatD::Zero(1, 2));
  CHECK(f.rows() == 16);
  CHECK(f(7, 7) == Approx(1 + 0.25 + 0.0625));
  CHECK(f(4, 4) == Approx(0.25 + 0.0625));
  CHECK(f(0, 0) == Approx(0.0625));
  CHECK_THROWS_WITH(net.retina(x, MatD::Zero(2, 2)), Catch::Contains("[2 x 2]"));
  CHECK_THROWS_WITH(net.run(Var<double>(MatD::Zero(1, 255)), nullptr), Catch::Contains("[1 x 255]"));
}

TEST_CASE("the recurrent attention model's hybrid loss passes a Jacobian check with its draws held fixed", "[networks][glimpse][gradcheck]") {
  Rng rng(2, "ram-jacobian");
  GlimpseNetwork<double> net(small(10, 3, 2, 3), rng);
  for (auto p : net.parameters()) p.mutable_value() = random_matrix(p.rows(), p.cols(), rng, -0.5, 0.5);
  const Var<double> x(random_matrix(4, 100, rng, 0, 1));
  const std::vector<int> labels{0, 2, 1, 2};
  Rng draw(3, "draws");
  const auto episode = net.run(x, &draw);
  REQUIRE(episode.samples.size() == 3);
  CHECK(episode.log_prob.rows() == 4);
  CHECK(episode.log_prob.cols() == 3);
  CHECK(episode.baseline.cols() == 3);
  // the replayed episode is the same episode
  const auto again = net.run(x, nullptr, &episode.samples);
  CHECK((again.logits.value() - episode.logits.value()).norm() == 0.0);
  CHECK((again.log_prob.value() - episode.log_prob.value()).norm() == 0.0);
  // The core's state reaches the policy and the critic only through a stop-gradient, and the
  // REINFORCE term holds the advantage R - b constant: so each part is checked in the parameters
  // it trains (the classifier's cross-entropy in all, log p in the location network's, the
  // critic's squared error in the critic's), then the hybrid loss's gradient is their sum.
  V location, critic;
  for (const auto& [name, p] : net.named_parameters()) {
    if (name.rfind("location.", 0) == 0) location.push_back(p);
    if (name.rfind("baseline.", 0) == 0) critic.push_back(p);
  }
  REQUIRE(location.size() == 2);
  REQUIRE(critic.size() == 2);
  const auto replay = [&] { return net.run(x, nullptr, &episode.samples); };
  MatD reward;
  (void)reinforce_loss<double>(episode, labels, &reward);
  const MatD advantage = reward.replicate(1, 3) - episode.baseline.value();
  const auto ce = [&](const V&) { return cross_entropy(replay().logits, labels); };
  const auto policy = [&](const V&) { return scale(sum(mul(constant<double>(advantage), replay().log_prob)), -0.25); };
  const auto critic_loss = [&](const V&) { return scale(mse(replay().baseline, reward.replicate(1, 3)), 3.0); };
  CHECK(check_gradient(ce, net.parameters()) < 1e-6);
  CHECK(check_gradient(policy, location) < 1e-6);
  CHECK(check_gradient(critic_loss, critic) < 1e-6);
  const auto grads = [&](const Var<double>& l) {
    for (auto q : net.parameters()) q.zero_grad();
    backward(l);
    std::vector<MatD> g;
    for (auto q : net.parameters()) g.push_back(q.grad());
    return g;
  };
  const auto whole = grads(reinforce_loss<double>(replay(), labels));
  const auto parts = grads(add(add(ce({}), policy({})), critic_loss({})));
  for (size_t k = 0; k < whole.size(); ++k) CHECK((whole[k] - parts[k]).norm() < 1e-12);
  // each part reaches only its own networks: the policy's log p only the location network's, the
  // baseline only the critic's
  const auto names = net.named_parameters();
  for (const auto& [name, p] : names) {
    INFO(name);
    const bool location = name.rfind("location.", 0) == 0, critic = name.rfind("baseline.", 0) == 0;
    for (auto q : net.parameters()) q.zero_grad();
    backward(sum(net.run(x, nullptr, &episode.samples).log_prob));
    CHECK((p.grad().norm() > 0) == location);
    for (auto q : net.parameters()) q.zero_grad();
    backward(sum(net.run(x, nullptr, &episode.samples).baseline));
    CHECK((p.grad().norm() > 0) == critic);
  }
  const std::vector<MatD> two(2, MatD::Zero(4, 2));
  CHECK_THROWS_WITH(net.run(x, nullptr, &two), Catch::Contains("3 matrices of [4 x 2]"));
}

TEST_CASE("the location policy draws from N(mu, sigma^2) and log p is that density", "[networks][glimpse]") {
  Rng rng(4, "ram-policy");
  GlimpseOptions o = small(8, 2, 1, 1);
  o.location_std = 0.1;
  GlimpseNetwork<double> net(o, rng);
  const auto mean = net.run(Var<double>(MatD::Zero(1, 64)), nullptr);
  const MatD mu = mean.samples[0];  // the means: tanh of the location network's bias at h = 0
  const Index n = 4000;
  Rng draw(5, "draws");
  const auto e = net.run(Var<double>(MatD::Zero(n, 64)), &draw);
  const MatD& s = e.samples[0];
  for (Index d = 0; d < 2; ++d) {
    const double m = s.col(d).mean(), sd = std::sqrt((s.col(d).array() - m).square().mean());
    CHECK(m == Approx(mu(0, d)).margin(0.01));
    CHECK(sd == Approx(0.1).margin(0.005));
  }
  const double z0 = (s(0, 0) - mu(0, 0)) / 0.1, z1 = (s(0, 1) - mu(0, 1)) / 0.1;
  CHECK(e.log_prob.value()(0, 0) == Approx(-0.5 * (z0 * z0 + z1 * z1) - std::log(2 * M_PI * 0.01)));
  CHECK(e.locations[0].cwiseAbs().maxCoeff() <= 1.0);
}

TEST_CASE("the policy learns where to look when one corner of the image tells the class", "[networks][glimpse][learning]") {
  // 12 x 12 images, blank but for a 3 x 3 mark at rows and columns 1-3: a plus (class 0) or a cross
  // (class 1). One glimpse of 4 x 4 pixels: looking at the centre (where it starts) sees nothing,
  // so only the policy moving the glimpse to the corner can beat chance.
  Rng rng(6, "ram-learn");
  GlimpseOptions o = small(12, 4, 1, 1);
  o.classes = 2;
  o.glimpse_hidden = 16;
  o.hidden = 16;
  o.location_std = 0.25;
  GlimpseNetwork<float> net(o, rng);
  const auto batch = [&](Index n, Rng& r, std::vector<int>& labels) {
    MatF x = MatF::Zero(n, 144);
    labels.clear();
    for (Index i = 0; i < n; ++i) {
      const int cls = static_cast<int>(r.below(2));
      labels.push_back(cls);
      for (Index a = 0; a < 3; ++a)
        for (Index b = 0; b < 3; ++b)
          if (cls == 0 ? (a == 1 || b == 1) : (a == b || a + b == 2)) x(i, (1 + a) * 12 + 1 + b) = 1;
    }
    return x;
  };
  AdamOptions adam;
  adam.lr = 0.01;
  Adam<float> opt(net.named_parameters(), adam);
  Rng data(7, "data"), draws(8, "draws");
  std::vector<int> labels;
  for (int step = 0; step < 600; ++step) {
    const MatF x = batch(32, data, labels);
    opt.zero_grad();
    backward(reinforce_loss<float>(net.run(Var<float>(x), &draws), labels));
    opt.step();
  }
  const MatF x = batch(400, data, labels);
  const auto e = net.run(Var<float>(x), nullptr);
  Index right = 0;
  for (Index i = 0; i < x.rows(); ++i) {
    Index best = 0;
    e.logits.value().row(i).maxCoeff(&best);
    right += best == labels[static_cast<size_t>(i)];
  }
  // the mark's centre is pixel 2: (2 / 11) * 2 - 1 = -0.64
  INFO("first glimpse at " << e.locations[0].row(0) << ", accuracy " << double(right) / 400);
  CHECK(e.locations[0](0, 0) < -0.3f);
  CHECK(e.locations[0](0, 1) < -0.3f);
  CHECK(double(right) / 400 > 0.9);
}
