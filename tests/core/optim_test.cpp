// Tests of core/optim.h: every optimizer's first steps against arithmetic written out here,
// state round trips through a Checkpoint, atomic load_state, and option validation.
//
// Unless a test says otherwise: one 1 x 2 parameter p0 = [1, -2] and the gradients
//   g1 = [0.5, 1],  g2 = [-1, 0.25],  g3 = [0.25, -0.5]
// (they change sign and size, so a slip between m and v, or between steps, shows).
#include "core/optim.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

using namespace engram;
using Catch::Matchers::Contains;

namespace {

MatD row(double a, double b) {
  MatD m(1, 2);
  m << a, b;
  return m;
}

const MatD kP0 = row(1, -2);
const std::vector<MatD> kGrads = {row(0.5, 1), row(-1, 0.25), row(0.25, -0.5)};

// Runs an optimizer of type O over one parameter starting at kP0 with the first `n` of kGrads;
// returns the parameter after each step.
template <class O, class Options>
std::vector<MatD> trajectory(const Options& options, std::size_t n) {
  Var<double> p(kP0, true);
  O opt({{"p", p}}, options);
  std::vector<MatD> out;
  for (std::size_t k = 0; k < n; ++k) {
    p.mutable_grad() = kGrads[k];
    opt.step();
    out.push_back(p.value());
  }
  REQUIRE(opt.steps() == n);
  return out;
}

void require_values(const MatD& got, std::initializer_list<double> want) {
  REQUIRE(got.size() == static_cast<Index>(want.size()));
  Index k = 0;
  for (double w : want) {
    CHECK(got(k / got.cols(), k % got.cols()) == Approx(w).epsilon(1e-12).margin(1e-14));
    ++k;
  }
}

}  // namespace

// ------------------------------------------------------------------------------------- SGD

TEST_CASE("SGD: plain steps are p -= lr * g", "[optim]") {
  const auto p = trajectory<SGD<double>>(SGDOptions{.lr = 0.1}, 2);
  // p1 = [1 - 0.1*0.5, -2 - 0.1*1]         = [0.95, -2.1]
  require_values(p[0], {0.95, -2.1});
  // p2 = [0.95 - 0.1*(-1), -2.1 - 0.1*0.25] = [1.05, -2.125]
  require_values(p[1], {1.05, -2.125});
}

TEST_CASE("SGD: momentum starts the buffer at g, then b = mu*b + g", "[optim]") {
  const auto p = trajectory<SGD<double>>(SGDOptions{.lr = 0.1, .momentum = 0.9}, 3);
  // element 0: b1 = 0.5                      p1 = 1     - 0.1*0.5     = 0.95
  //            b2 = 0.9*0.5 + (-1)  = -0.55  p2 = 0.95  - 0.1*(-0.55) = 1.005
  //            b3 = 0.9*(-0.55)+0.25= -0.245 p3 = 1.005 - 0.1*(-0.245)= 1.0295
  // element 1: b1 = 1                        p1 = -2     - 0.1*1      = -2.1
  //            b2 = 0.9*1 + 0.25    = 1.15   p2 = -2.1   - 0.1*1.15   = -2.215
  //            b3 = 0.9*1.15 - 0.5  = 0.535  p3 = -2.215 - 0.1*0.535  = -2.2685
  require_values(p[0], {0.95, -2.1});
  require_values(p[1], {1.005, -2.215});
  require_values(p[2], {1.0295, -2.2685});
}

TEST_CASE("SGD: nesterov steps along g + mu*b", "[optim]") {
  const auto p = trajectory<SGD<double>>(SGDOptions{.lr = 0.1, .momentum = 0.9, .nesterov = true}, 3);
  // element 0: b1 = 0.5     d1 = 0.5 + 0.9*0.5       = 0.95    p1 = 1      - 0.095   = 0.905
  //            b2 = -0.55   d2 = -1 + 0.9*(-0.55)    = -1.495  p2 = 0.905  + 0.1495  = 1.0545
  //            b3 = -0.245  d3 = 0.25 + 0.9*(-0.245) = 0.0295  p3 = 1.0545 - 0.00295 = 1.05155
  // element 1: b1 = 1       d1 = 1 + 0.9             = 1.9     p1 = -2     - 0.19    = -2.19
  //            b2 = 1.15    d2 = 0.25 + 0.9*1.15     = 1.285   p2 = -2.19  - 0.1285  = -2.3185
  //            b3 = 0.535   d3 = -0.5 + 0.9*0.535    = -0.0185 p3 = -2.3185 + 0.00185 = -2.31665
  require_values(p[0], {0.905, -2.19});
  require_values(p[1], {1.0545, -2.3185});
  require_values(p[2], {1.05155, -2.31665});
}

TEST_CASE("SGD: dampening scales g from the second step on", "[optim]") {
  const auto p = trajectory<SGD<double>>(SGDOptions{.lr = 0.1, .momentum = 0.9, .dampening = 0.5}, 2);
  // element 0: b1 = 0.5 (undamped)                  p1 = 0.95
  //            b2 = 0.9*0.5 + 0.5*(-1)   = -0.05    p2 = 0.95 + 0.005   = 0.955
  // element 1: b1 = 1                               p1 = -2.1
  //            b2 = 0.9*1 + 0.5*0.25     = 1.025    p2 = -2.1 - 0.1025  = -2.2025
  require_values(p[0], {0.95, -2.1});
  require_values(p[1], {0.955, -2.2025});
}

TEST_CASE("SGD: weight decay adds wd*p to the gradient", "[optim]") {
  SECTION("without momentum") {
    const auto p = trajectory<SGD<double>>(SGDOptions{.lr = 0.1, .weight_decay = 0.1}, 2);
    // element 0: g' = 0.5 + 0.1*1      = 0.6     p1 = 1    - 0.06    = 0.94
    //            g' = -1 + 0.1*0.94    = -0.906  p2 = 0.94 + 0.0906  = 1.0306
    // element 1: g' = 1 + 0.1*(-2)     = 0.8     p1 = -2   - 0.08    = -2.08
    //            g' = 0.25 + 0.1*(-2.08) = 0.042 p2 = -2.08 - 0.0042 = -2.0842
    require_values(p[0], {0.94, -2.08});
    require_values(p[1], {1.0306, -2.0842});
  }
  SECTION("with momentum: the decayed gradient enters the buffer") {
    const auto p = trajectory<SGD<double>>(SGDOptions{.lr = 0.1, .momentum = 0.9, .weight_decay = 0.1}, 2);
    // element 0: b1 = 0.6                         p1 = 0.94
    //            b2 = 0.9*0.6 + (-0.906) = -0.366 p2 = 0.94 + 0.0366  = 0.9766
    // element 1: b1 = 0.8                         p1 = -2.08
    //            b2 = 0.9*0.8 + 0.042   = 0.762   p2 = -2.08 - 0.0762 = -2.1562
    require_values(p[0], {0.94, -2.08});
    require_values(p[1], {0.9766, -2.1562});
  }
}

// ------------------------------------------------------------------------------------ Adam

TEST_CASE("Adam: bias-corrected steps", "[optim]") {
  const auto p = trajectory<Adam<double>>(AdamOptions{.lr = 0.1}, 3);
  // beta1 = 0.9, beta2 = 0.999, eps = 1e-8; bias corrections bc1 = 1 - 0.9^t, bc2 = 1 - 0.999^t:
  //   t = 1: 0.1, 0.001    t = 2: 0.19, 0.001999    t = 3: 0.271, 0.002997001
  // p -= 0.1 * (m / bc1) / (sqrt(v / bc2) + 1e-8)
  //
  // element 0 (g = 0.5, -1, 0.25):
  //   t=1: m = 0.1*0.5 = 0.05                    v = 0.001*0.25 = 0.00025
  //   t=2: m = 0.9*0.05 + 0.1*(-1) = -0.055      v = 0.999*0.00025 + 0.001*1 = 0.00124975
  //   t=3: m = 0.9*(-0.055) + 0.1*0.25 = -0.0245 v = 0.999*0.00124975 + 0.001*0.0625 = 0.00131100025
  const double a1 = 1 - 0.1 * (0.05 / 0.1) / (std::sqrt(0.00025 / 0.001) + 1e-8);
  const double a2 = a1 - 0.1 * (-0.055 / 0.19) / (std::sqrt(0.00124975 / 0.001999) + 1e-8);
  const double a3 = a2 - 0.1 * (-0.0245 / 0.271) / (std::sqrt(0.00131100025 / 0.002997001) + 1e-8);
  // element 1 (g = 1, 0.25, -0.5):
  //   t=1: m = 0.1                               v = 0.001
  //   t=2: m = 0.9*0.1 + 0.1*0.25 = 0.115        v = 0.999*0.001 + 0.001*0.0625 = 0.0010615
  //   t=3: m = 0.9*0.115 + 0.1*(-0.5) = 0.0535   v = 0.999*0.0010615 + 0.001*0.25 = 0.0013104385
  const double b1 = -2 - 0.1 * (0.1 / 0.1) / (std::sqrt(0.001 / 0.001) + 1e-8);
  const double b2 = b1 - 0.1 * (0.115 / 0.19) / (std::sqrt(0.0010615 / 0.001999) + 1e-8);
  const double b3 = b2 - 0.1 * (0.0535 / 0.271) / (std::sqrt(0.0013104385 / 0.002997001) + 1e-8);
  require_values(p[0], {a1, b1});
  require_values(p[1], {a2, b2});
  require_values(p[2], {a3, b3});
  // The known property: with bias correction the first step moves every coordinate by ~lr.
  CHECK(p[0](0, 0) == Approx(0.9).margin(1e-6));
  CHECK(p[0](0, 1) == Approx(-2.1).margin(1e-6));
}

TEST_CASE("Adam: custom betas and eps outside the square root", "[optim]") {
  const auto p = trajectory<Adam<double>>(AdamOptions{.lr = 0.1, .beta1 = 0.5, .beta2 = 0.75, .eps = 0.1}, 2);
  // bc1 = 1 - 0.5^t: 0.5, 0.75      bc2 = 1 - 0.75^t: 0.25, 0.4375
  // element 0: t=1: m = 0.5*0.5 = 0.25            v = 0.25*0.25 = 0.0625
  //                 p1 = 1 - 0.1*(0.25/0.5)/(sqrt(0.0625/0.25) + 0.1) = 1 - 0.05/0.6
  //            t=2: m = 0.5*0.25 + 0.5*(-1) = -0.375   v = 0.75*0.0625 + 0.25*1 = 0.296875
  // element 1: t=1: m = 0.5                       v = 0.25;  p1 = -2 - 0.1*1/(1 + 0.1)
  //            t=2: m = 0.25 + 0.125 = 0.375      v = 0.1875 + 0.25*0.0625 = 0.203125
  const double a1 = 1 - 0.05 / 0.6;
  const double a2 = a1 - 0.1 * (-0.375 / 0.75) / (std::sqrt(0.296875 / 0.4375) + 0.1);
  const double b1 = -2 - 0.1 / 1.1;
  const double b2 = b1 - 0.1 * (0.375 / 0.75) / (std::sqrt(0.203125 / 0.4375) + 0.1);
  require_values(p[0], {a1, b1});
  require_values(p[1], {a2, b2});
}

TEST_CASE("Adam: weight decay is L2 added to the gradient before the moments", "[optim]") {
  const auto p = trajectory<Adam<double>>(AdamOptions{.lr = 0.1, .weight_decay = 0.1}, 2);
  // element 0: t=1: g' = 0.5 + 0.1*1 = 0.6;  m = 0.06, v = 0.00036
  const double a1 = 1 - 0.1 * (0.06 / 0.1) / (std::sqrt(0.00036 / 0.001) + 1e-8);
  //            t=2: g' = -1 + 0.1*a1;  m = 0.9*0.06 + 0.1*g';  v = 0.999*0.00036 + 0.001*g'^2
  const double ga = -1 + 0.1 * a1, ma = 0.9 * 0.06 + 0.1 * ga, va = 0.999 * 0.00036 + 0.001 * ga * ga;
  const double a2 = a1 - 0.1 * (ma / 0.19) / (std::sqrt(va / 0.001999) + 1e-8);
  // element 1: t=1: g' = 1 + 0.1*(-2) = 0.8; m = 0.08, v = 0.00064
  const double b1 = -2 - 0.1 * (0.08 / 0.1) / (std::sqrt(0.00064 / 0.001) + 1e-8);
  //            t=2: g' = 0.25 + 0.1*b1
  const double gb = 0.25 + 0.1 * b1, mb = 0.9 * 0.08 + 0.1 * gb, vb = 0.999 * 0.00064 + 0.001 * gb * gb;
  const double b2 = b1 - 0.1 * (mb / 0.19) / (std::sqrt(vb / 0.001999) + 1e-8);
  require_values(p[0], {a1, b1});
  require_values(p[1], {a2, b2});
}

TEST_CASE("Adam<float> does the arithmetic in float and agrees with double", "[optim]") {
  Var<float> pf(kP0.cast<float>(), true);
  Adam<float> of({{"p", pf}}, {.lr = 0.1});
  const auto pd = trajectory<Adam<double>>(AdamOptions{.lr = 0.1}, 3);
  for (std::size_t k = 0; k < 3; ++k) {
    pf.mutable_grad() = kGrads[k].cast<float>();
    of.step();
    for (Index j = 0; j < 2; ++j) CHECK(pf.value()(0, j) == Approx(pd[k](0, j)).epsilon(1e-6));
  }
}

// --------------------------------------------------------------------------------- RMSProp

TEST_CASE("RMSProp: plain steps divide by sqrt(s) + eps", "[optim]") {
  const auto p = trajectory<RMSProp<double>>(RMSPropOptions{.lr = 0.01}, 2);
  // alpha = 0.99, eps = 1e-8;  s = 0.99*s + 0.01*g^2;  p -= 0.01 * g / (sqrt(s) + 1e-8)
  // element 0: s1 = 0.01*0.25 = 0.0025;  s2 = 0.99*0.0025 + 0.01*1 = 0.012475
  const double a1 = 1 - 0.01 * 0.5 / (std::sqrt(0.0025) + 1e-8);
  const double a2 = a1 - 0.01 * (-1) / (std::sqrt(0.012475) + 1e-8);
  // element 1: s1 = 0.01*1 = 0.01;       s2 = 0.99*0.01 + 0.01*0.0625 = 0.010525
  const double b1 = -2 - 0.01 * 1 / (std::sqrt(0.01) + 1e-8);
  const double b2 = b1 - 0.01 * 0.25 / (std::sqrt(0.010525) + 1e-8);
  require_values(p[0], {a1, b1});
  require_values(p[1], {a2, b2});
  CHECK(a1 == Approx(1 - 0.1).margin(1e-6));  // first step: lr * g / (0.1 |g|) = 0.1 sign(g)
}

TEST_CASE("RMSProp: centered divides by the standard deviation", "[optim]") {
  const auto p = trajectory<RMSProp<double>>(RMSPropOptions{.lr = 0.01, .centered = true}, 2);
  // a = 0.99*a + 0.01*g;  d = sqrt(s - a^2) + 1e-8;  p -= 0.01 * g / d
  // element 0: s1 = 0.0025, a1 = 0.005:          d1 = sqrt(0.0025 - 0.000025) = sqrt(0.002475)
  //            s2 = 0.012475, a2 = 0.99*0.005 - 0.01 = -0.00505:
  //                                              d2 = sqrt(0.012475 - 0.0000255025) = sqrt(0.0124494975)
  const double a1 = 1 - 0.01 * 0.5 / (std::sqrt(0.002475) + 1e-8);
  const double a2 = a1 - 0.01 * (-1) / (std::sqrt(0.0124494975) + 1e-8);
  // element 1: s1 = 0.01, a1 = 0.01:             d1 = sqrt(0.01 - 0.0001) = sqrt(0.0099)
  //            s2 = 0.010525, a2 = 0.0099 + 0.0025 = 0.0124:
  //                                              d2 = sqrt(0.010525 - 0.00015376) = sqrt(0.01037124)
  const double b1 = -2 - 0.01 * 1 / (std::sqrt(0.0099) + 1e-8);
  const double b2 = b1 - 0.01 * 0.25 / (std::sqrt(0.01037124) + 1e-8);
  require_values(p[0], {a1, b1});
  require_values(p[1], {a2, b2});
}

TEST_CASE("RMSProp: momentum accumulates g / d", "[optim]") {
  const auto p = trajectory<RMSProp<double>>(RMSPropOptions{.lr = 0.01, .momentum = 0.9}, 2);
  // b = 0.9*b + g / (sqrt(s) + 1e-8);  p -= 0.01 * b   (s as in the plain test)
  const double ba1 = 0.5 / (std::sqrt(0.0025) + 1e-8), ba2 = 0.9 * ba1 + (-1) / (std::sqrt(0.012475) + 1e-8);
  const double bb1 = 1 / (std::sqrt(0.01) + 1e-8), bb2 = 0.9 * bb1 + 0.25 / (std::sqrt(0.010525) + 1e-8);
  require_values(p[0], {1 - 0.01 * ba1, -2 - 0.01 * bb1});
  require_values(p[1], {1 - 0.01 * ba1 - 0.01 * ba2, -2 - 0.01 * bb1 - 0.01 * bb2});
}

TEST_CASE("RMSProp: the NTM configuration (centered, momentum 0.9, alpha 0.95, eps 1e-4)", "[optim]") {
  const auto p = trajectory<RMSProp<double>>(
      RMSPropOptions{.lr = 1e-4, .alpha = 0.95, .eps = 1e-4, .momentum = 0.9, .centered = true}, 2);
  // s = 0.95*s + 0.05*g^2;  a = 0.95*a + 0.05*g;  d = sqrt(s - a^2) + 1e-4;  b = 0.9*b + g/d
  // element 0: s1 = 0.0125, a1 = 0.025:                     d1 = sqrt(0.0125 - 0.000625) + 1e-4
  //            s2 = 0.011875 + 0.05 = 0.061875, a2 = 0.02375 - 0.05 = -0.02625:
  //                                                          d2 = sqrt(0.061875 - 0.0006890625) + 1e-4
  const double ba1 = 0.5 / (std::sqrt(0.011875) + 1e-4);
  const double ba2 = 0.9 * ba1 + (-1) / (std::sqrt(0.0611859375) + 1e-4);
  // element 1: s1 = 0.05, a1 = 0.05:                        d1 = sqrt(0.05 - 0.0025) + 1e-4
  //            s2 = 0.0475 + 0.003125 = 0.050625, a2 = 0.0475 + 0.0125 = 0.06:
  //                                                          d2 = sqrt(0.050625 - 0.0036) + 1e-4
  const double bb1 = 1 / (std::sqrt(0.0475) + 1e-4);
  const double bb2 = 0.9 * bb1 + 0.25 / (std::sqrt(0.047025) + 1e-4);
  require_values(p[0], {1 - 1e-4 * ba1, -2 - 1e-4 * bb1});
  require_values(p[1], {1 - 1e-4 * (ba1 + ba2), -2 - 1e-4 * (bb1 + bb2)});
}

TEST_CASE("RMSProp: weight decay adds wd*p to the gradient", "[optim]") {
  const auto p = trajectory<RMSProp<double>>(RMSPropOptions{.lr = 0.01, .weight_decay = 0.1}, 2);
  // element 0: g' = 0.5 + 0.1 = 0.6, s1 = 0.01*0.36 = 0.0036
  const double a1 = 1 - 0.01 * 0.6 / (std::sqrt(0.0036) + 1e-8);
  const double ga = -1 + 0.1 * a1, sa = 0.99 * 0.0036 + 0.01 * ga * ga;
  const double a2 = a1 - 0.01 * ga / (std::sqrt(sa) + 1e-8);
  // element 1: g' = 1 - 0.2 = 0.8, s1 = 0.01*0.64 = 0.0064
  const double b1 = -2 - 0.01 * 0.8 / (std::sqrt(0.0064) + 1e-8);
  const double gb = 0.25 + 0.1 * b1, sb = 0.99 * 0.0064 + 0.01 * gb * gb;
  const double b2 = b1 - 0.01 * gb / (std::sqrt(sb) + 1e-8);
  require_values(p[0], {a1, b1});
  require_values(p[1], {a2, b2});
}

TEST_CASE("Momentum buffers hold no lr: a new lr scales the whole step (PyTorch's convention)", "[optim]") {
  Var<double> p(kP0, true);
  SECTION("SGD") {
    SGD<double> opt({{"p", p}}, {.lr = 0.1, .momentum = 0.9});
    p.mutable_grad() = kGrads[0], opt.step();
    opt.set_lr(0.2);
    p.mutable_grad() = kGrads[1], opt.step();
    // b2 = [-0.55, 1.15] as in the momentum test;  p2 = p1 - 0.2 * b2
    require_values(p.value(), {0.95 + 0.2 * 0.55, -2.1 - 0.2 * 1.15});
  }
  SECTION("RMSProp") {
    RMSProp<double> opt({{"p", p}}, {.lr = 0.01, .momentum = 0.9});
    p.mutable_grad() = kGrads[0], opt.step();
    opt.set_lr(0.02);
    p.mutable_grad() = kGrads[1], opt.step();
    // b as in the RMSProp momentum test;  p2 = p1 - 0.02 * b2
    const double ba1 = 0.5 / (std::sqrt(0.0025) + 1e-8), ba2 = 0.9 * ba1 + (-1) / (std::sqrt(0.012475) + 1e-8);
    const double bb1 = 1 / (std::sqrt(0.01) + 1e-8), bb2 = 0.9 * bb1 + 0.25 / (std::sqrt(0.010525) + 1e-8);
    require_values(p.value(), {1 - 0.01 * ba1 - 0.02 * ba2, -2 - 0.01 * bb1 - 0.02 * bb2});
  }
}

// --------------------------------------------------------------------------------- Adagrad

TEST_CASE("Adagrad: steps divide by the root of the summed squares", "[optim]") {
  SECTION("defaults (eps 1e-10)") {
    const auto p = trajectory<Adagrad<double>>(AdagradOptions{.lr = 0.1}, 3);
    // s += g^2;  p -= 0.1 * g / (sqrt(s) + 1e-10)
    // element 0: s = 0.25, 1.25, 1.3125           element 1: s = 1, 1.0625, 1.3125
    const double a1 = 1 - 0.1 * 0.5 / (0.5 + 1e-10);
    const double a2 = a1 - 0.1 * (-1) / (std::sqrt(1.25) + 1e-10);
    const double a3 = a2 - 0.1 * 0.25 / (std::sqrt(1.3125) + 1e-10);
    const double b1 = -2 - 0.1 * 1 / (1 + 1e-10);
    const double b2 = b1 - 0.1 * 0.25 / (std::sqrt(1.0625) + 1e-10);
    const double b3 = b2 - 0.1 * (-0.5) / (std::sqrt(1.3125) + 1e-10);
    require_values(p[0], {a1, b1});
    require_values(p[1], {a2, b2});
    require_values(p[2], {a3, b3});
  }
  SECTION("lr_decay: lr / (1 + (t-1) * lr_decay)") {
    const auto p = trajectory<Adagrad<double>>(AdagradOptions{.lr = 0.1, .lr_decay = 0.5}, 3);
    // effective lr: t=1: 0.1,  t=2: 0.1/1.5,  t=3: 0.1/2
    const double a1 = 1 - 0.1 * 0.5 / (0.5 + 1e-10);
    const double a2 = a1 - (0.1 / 1.5) * (-1) / (std::sqrt(1.25) + 1e-10);
    const double a3 = a2 - (0.1 / 2) * 0.25 / (std::sqrt(1.3125) + 1e-10);
    const double b1 = -2 - 0.1 * 1 / (1 + 1e-10);
    const double b2 = b1 - (0.1 / 1.5) * 0.25 / (std::sqrt(1.0625) + 1e-10);
    const double b3 = b2 - (0.1 / 2) * (-0.5) / (std::sqrt(1.3125) + 1e-10);
    require_values(p[0], {a1, b1});
    require_values(p[1], {a2, b2});
    require_values(p[2], {a3, b3});
  }
  SECTION("initial_accumulator_value starts the sum") {
    const auto p = trajectory<Adagrad<double>>(AdagradOptions{.lr = 0.1, .initial_accumulator_value = 0.1}, 2);
    // element 0: s = 0.1 + 0.25 = 0.35, then 1.35   element 1: s = 1.1, then 1.1625
    const double a1 = 1 - 0.1 * 0.5 / (std::sqrt(0.35) + 1e-10);
    const double a2 = a1 - 0.1 * (-1) / (std::sqrt(1.35) + 1e-10);
    const double b1 = -2 - 0.1 * 1 / (std::sqrt(1.1) + 1e-10);
    const double b2 = b1 - 0.1 * 0.25 / (std::sqrt(1.1625) + 1e-10);
    require_values(p[0], {a1, b1});
    require_values(p[1], {a2, b2});
  }
  SECTION("weight decay adds wd*p to the gradient before it is squared") {
    const auto p = trajectory<Adagrad<double>>(AdagradOptions{.lr = 0.1, .weight_decay = 0.1}, 2);
    // element 0: g' = 0.6, s = 0.36;   then g' = -1 + 0.1*a1, s = 0.36 + g'^2
    const double a1 = 1 - 0.1 * 0.6 / (0.6 + 1e-10);
    const double ga = -1 + 0.1 * a1;
    const double a2 = a1 - 0.1 * ga / (std::sqrt(0.36 + ga * ga) + 1e-10);
    // element 1: g' = 0.8, s = 0.64;   then g' = 0.25 + 0.1*b1
    const double b1 = -2 - 0.1 * 0.8 / (0.8 + 1e-10);
    const double gb = 0.25 + 0.1 * b1;
    const double b2 = b1 - 0.1 * gb / (std::sqrt(0.64 + gb * gb) + 1e-10);
    require_values(p[0], {a1, b1});
    require_values(p[1], {a2, b2});
  }
}

// ------------------------------------------------------------------ the Optimizer contract

TEST_CASE("Optimizer: an empty grad counts as zero", "[optim]") {
  Var<double> p(kP0, true);
  REQUIRE(p.grad().size() == 0);
  SECTION("no weight decay: the parameter stays") {
    SGD<double> opt({{"p", p}}, {.lr = 0.1});
    opt.step();
    require_values(p.value(), {1, -2});
    REQUIRE(opt.steps() == 1);
  }
  SECTION("weight decay still applies: p -= 0.1 * (0 + 0.1 p)") {
    SGD<double> opt({{"p", p}}, {.lr = 0.1, .weight_decay = 0.1});
    opt.step();
    require_values(p.value(), {0.99, -1.98});
  }
  SECTION("Adam with zero gradient stays put (0 / (0 + eps))") {
    Adam<double> opt({{"p", p}}, {.lr = 0.1});
    opt.step();
    require_values(p.value(), {1, -2});
  }
}

TEST_CASE("Optimizer: a mis-shaped grad throws before anything moves", "[optim]") {
  Var<double> a(kP0, true), b(MatD::Ones(2, 2), true);
  Adam<double> opt({{"a", a}, {"b", b}}, {.lr = 0.1});
  a.mutable_grad() = row(1, 1);
  b.mutable_grad() = MatD::Ones(3, 2);
  REQUIRE_THROWS_WITH(opt.step(), Contains("'b'") && Contains("[3 x 2]") && Contains("[2 x 2]"));
  REQUIRE(opt.steps() == 0);
  require_values(a.value(), {1, -2});  // a comes first and was not updated
}

TEST_CASE("Optimizer: zero_grad, set_lr, steps, params", "[optim]") {
  Var<double> a(kP0, true), b(MatD::Ones(2, 2), true);
  SGD<double> opt({{"a", a}, {"enc.w", b}}, {.lr = 0.5});
  REQUIRE(opt.name() == "SGD");
  REQUIRE(opt.params().size() == 2);
  REQUIRE(opt.params()[1].name == "enc.w");
  REQUIRE(opt.lr() == 0.5);
  opt.zero_grad();
  REQUIRE(a.grad() == MatD::Zero(1, 2));
  REQUIRE(b.grad() == MatD::Zero(2, 2));
  a.mutable_grad() = row(1, 2);
  opt.set_lr(0.25);
  opt.step();
  opt.step();
  REQUIRE(opt.steps() == 2);
  require_values(a.value(), {1 - 0.5, -2 - 1.0});  // two steps of 0.25 * [1, 2]
  REQUIRE_THROWS_WITH(opt.set_lr(0), Contains("lr") && Contains("0"));
  REQUIRE_THROWS_AS(opt.set_lr(-1), std::invalid_argument);
  REQUIRE_THROWS_AS(opt.set_lr(std::nan("")), std::invalid_argument);
  REQUIRE_THROWS_AS(opt.set_lr(INFINITY), std::invalid_argument);
  REQUIRE(opt.lr() == 0.25);
}

TEST_CASE("Optimizer: the parameter list is checked", "[optim]") {
  Var<double> a(kP0, true), b(kP0, true);
  REQUIRE_THROWS_WITH(SGD<double>({{"w", a}, {"w", b}}), Contains("'w'") && Contains("twice"));
  REQUIRE_THROWS_WITH(SGD<double>({{"w", a}, {"u", Var<double>()}}), Contains("'u'"));
  REQUIRE_NOTHROW(SGD<double>(ParameterList<double>{}));
}

// ------------------------------------------------------------------------- bad options

TEST_CASE("Optimizer options are validated at construction", "[optim]") {
  Var<double> w(kP0, true);
  const ParameterList<double> ps = {{"w", w}};
  auto sgd = [&](SGDOptions o) { SGD<double> x(ps, o); };
  auto adam = [&](AdamOptions o) { Adam<double> x(ps, o); };
  auto rms = [&](RMSPropOptions o) { RMSProp<double> x(ps, o); };
  auto ada = [&](AdagradOptions o) { Adagrad<double> x(ps, o); };

  REQUIRE_THROWS_WITH(adam({.beta2 = 1.5}), "Adam: beta2 must be in [0, 1), got 1.5");

  REQUIRE_THROWS_WITH(sgd({.lr = 0}), Contains("SGD: lr") && Contains("got 0"));
  REQUIRE_THROWS_WITH(sgd({.lr = -0.1}), Contains("SGD: lr") && Contains("-0.1"));
  REQUIRE_THROWS_WITH(sgd({.lr = std::nan("")}), Contains("SGD: lr") && Contains("nan"));
  REQUIRE_THROWS_WITH(sgd({.momentum = -0.5}), Contains("momentum") && Contains("-0.5"));
  REQUIRE_THROWS_WITH(sgd({.dampening = -1}), Contains("dampening") && Contains("-1"));
  REQUIRE_THROWS_WITH(sgd({.weight_decay = -1e-4}), Contains("weight_decay") && Contains("-0.0001"));
  REQUIRE_THROWS_WITH(sgd({.nesterov = true}), Contains("nesterov") && Contains("momentum 0"));
  REQUIRE_THROWS_WITH(sgd({.momentum = 0.9, .dampening = 0.1, .nesterov = true}),
                      Contains("nesterov") && Contains("dampening 0.1"));
  REQUIRE_NOTHROW(sgd({.momentum = 0.9, .nesterov = true}));

  REQUIRE_THROWS_WITH(adam({.lr = 0}), Contains("Adam: lr"));
  REQUIRE_THROWS_WITH(adam({.beta1 = 1}), Contains("beta1") && Contains("got 1"));
  REQUIRE_THROWS_WITH(adam({.beta1 = -0.1}), Contains("beta1") && Contains("-0.1"));
  REQUIRE_THROWS_WITH(adam({.beta2 = std::nan("")}), Contains("beta2") && Contains("nan"));
  REQUIRE_THROWS_WITH(adam({.eps = -1e-8}), Contains("eps") && Contains("-1e-08"));
  REQUIRE_THROWS_WITH(adam({.weight_decay = -1}), Contains("Adam: weight_decay"));
  REQUIRE_NOTHROW(adam({.beta1 = 0, .beta2 = 0, .eps = 0}));

  REQUIRE_THROWS_WITH(rms({.lr = -1}), Contains("RMSProp: lr"));
  REQUIRE_THROWS_WITH(rms({.alpha = 1}), Contains("alpha") && Contains("got 1"));
  REQUIRE_THROWS_WITH(rms({.alpha = -0.5}), Contains("alpha") && Contains("-0.5"));
  REQUIRE_THROWS_WITH(rms({.eps = -1}), Contains("RMSProp: eps"));
  REQUIRE_THROWS_WITH(rms({.momentum = -0.9}), Contains("momentum") && Contains("-0.9"));
  REQUIRE_THROWS_WITH(rms({.weight_decay = INFINITY}), Contains("weight_decay") && Contains("inf"));

  REQUIRE_THROWS_WITH(ada({.lr = 0}), Contains("Adagrad: lr"));
  REQUIRE_THROWS_WITH(ada({.lr_decay = -1}), Contains("lr_decay") && Contains("-1"));
  REQUIRE_THROWS_WITH(ada({.weight_decay = -1}), Contains("Adagrad: weight_decay"));
  REQUIRE_THROWS_WITH(ada({.initial_accumulator_value = -0.1}),
                      Contains("initial_accumulator_value") && Contains("-0.1"));
  REQUIRE_THROWS_WITH(ada({.eps = -1}), Contains("Adagrad: eps"));
}

// -------------------------------------------------------------------------- checkpoints

namespace {

// Two parameters, "a" [1 x 2] and "enc.w" [2 x 2], and a deterministic gradient for each step.
struct Problem {
  Var<double> a{row(1, -2), true};
  Var<double> w{(MatD(2, 2) << 0.5, -0.25, 2, 1).finished(), true};
  ParameterList<double> params() const { return {{"a", a}, {"enc.w", w}}; }
  void set_grads(int k) {
    for (Var<double>* v : {&a, &w}) {
      MatD& g = v->mutable_grad();
      g.resize(v->rows(), v->cols());
      for (Index i = 0; i < g.size(); ++i) g.data()[i] = std::sin(1.0 + k + 0.7 * i) + 0.1 * v->value().data()[i];
    }
  }
  bool same_values(const Problem& o) const { return a.value() == o.a.value() && w.value() == o.w.value(); }
};

using MakeOpt = std::unique_ptr<Optimizer<double>> (*)(const ParameterList<double>&);

std::unique_ptr<Optimizer<double>> make_sgd(const ParameterList<double>& ps) {
  return std::make_unique<SGD<double>>(ps, SGDOptions{.lr = 0.1, .momentum = 0.9, .nesterov = true, .weight_decay = 0.01});
}
std::unique_ptr<Optimizer<double>> make_adam(const ParameterList<double>& ps) {
  return std::make_unique<Adam<double>>(ps, AdamOptions{.lr = 0.05, .weight_decay = 0.01});
}
std::unique_ptr<Optimizer<double>> make_rms(const ParameterList<double>& ps) {
  return std::make_unique<RMSProp<double>>(ps, RMSPropOptions{.lr = 0.01, .alpha = 0.95, .momentum = 0.9, .centered = true});
}
std::unique_ptr<Optimizer<double>> make_adagrad(const ParameterList<double>& ps) {
  return std::make_unique<Adagrad<double>>(ps, AdagradOptions{.lr = 0.1, .lr_decay = 0.1, .initial_accumulator_value = 0.1});
}

// x takes 3 steps and saves its state into `ck`; y starts from x's parameter values and loads
// the state; both take 3 more identical steps and must agree exactly. z, like y but without
// the state, must not agree (else the test would not show that the state was carried over).
void check_round_trip(MakeOpt make, Checkpoint& ck, const std::string& prefix, bool through_file) {
  Problem x, y, z;
  auto ox = make(x.params());
  for (int k = 0; k < 3; ++k) x.set_grads(k), ox->step();
  ox->save_state(ck, prefix);
  if (through_file) {
    const auto path = std::filesystem::temp_directory_path() / "engram_optim_test.ck";
    ck.save(path.string());
    ck = Checkpoint::load(path.string());
    std::filesystem::remove(path);
  }
  for (Problem* q : {&y, &z}) q->a.mutable_value() = x.a.value(), q->w.mutable_value() = x.w.value();
  auto oy = make(y.params());
  auto oz = make(z.params());
  oy->load_state(ck, prefix);
  REQUIRE(oy->steps() == 3);
  for (int k = 3; k < 6; ++k) {
    x.set_grads(k), y.set_grads(k), z.set_grads(k);
    ox->step(), oy->step(), oz->step();
  }
  REQUIRE(oy->steps() == 6);
  REQUIRE(x.same_values(y));
  REQUIRE_FALSE(x.same_values(z));
}

}  // namespace

TEST_CASE("Optimizer state round-trips through a Checkpoint", "[optim]") {
  Checkpoint ck;
  SECTION("SGD (nesterov momentum)") { check_round_trip(make_sgd, ck, "optim/", false); }
  SECTION("Adam") {
    check_round_trip(make_adam, ck, "optim/", false);
    std::vector<std::string> names = ck.names();
    std::sort(names.begin(), names.end());
    REQUIRE(names == std::vector<std::string>{"optim/exp_avg/a", "optim/exp_avg/enc.w", "optim/exp_avg_sq/a",
                                              "optim/exp_avg_sq/enc.w", "optim/steps"});
    REQUIRE(ck.get_u64s("optim/steps") == std::vector<std::uint64_t>{3});
  }
  SECTION("RMSProp (centered, momentum)") { check_round_trip(make_rms, ck, "optim/", false); }
  SECTION("Adagrad") { check_round_trip(make_adagrad, ck, "optim/", false); }
  SECTION("another prefix, through a file") {
    check_round_trip(make_rms, ck, "run7/opt/", true);
    REQUIRE(ck.has("run7/opt/square_avg/enc.w"));
    REQUIRE(ck.has("run7/opt/grad_avg/a"));
    REQUIRE(ck.has("run7/opt/momentum_buffer/a"));
    REQUIRE(ck.has("run7/opt/steps"));
  }
}

TEST_CASE("Optimizer state round-trips in float", "[optim]") {
  Var<float> a(MatF::Constant(2, 3, 0.5f), true), b(MatF::Constant(2, 3, 0.5f), true);
  Adam<float> oa({{"w", a}}, {.lr = 0.01}), ob({{"w", b}}, {.lr = 0.01});
  for (int k = 0; k < 2; ++k) a.mutable_grad() = MatF::Constant(2, 3, 1.0f + k), oa.step();
  Checkpoint ck;
  oa.save_state(ck);
  b.mutable_value() = a.value();
  ob.load_state(ck);
  a.mutable_grad() = b.mutable_grad() = MatF::Constant(2, 3, -3.0f);
  oa.step(), ob.step();
  REQUIRE(a.value() == b.value());
}

TEST_CASE("Optimizer state saved before the first step holds the initial values", "[optim]") {
  Var<double> a(kP0, true);
  Adagrad<double> opt({{"a", a}}, {.initial_accumulator_value = 0.3});
  Checkpoint ck;
  opt.save_state(ck);
  REQUIRE(ck.get_tensor<double>("optim/sum/a") == MatD::Constant(1, 2, 0.3));
  REQUIRE(ck.get_u64s("optim/steps") == std::vector<std::uint64_t>{0});
  SGD<double> plain({{"a", a}});  // no slots: only the step count
  Checkpoint ck2;
  plain.save_state(ck2);
  REQUIRE(ck2.names() == std::vector<std::string>{"optim/steps"});
}

TEST_CASE("Optimizer::load_state checks every entry before assigning any", "[optim]") {
  // `opt` and `twin` take the same two steps; `opt` is then offered a bad checkpoint. In the
  // hand-made ones every entry is valid (all 7s) except the LAST one checked, so an
  // implementation that assigned as it went would already have changed something. `opt` must
  // throw and keep its state: afterwards it still takes exactly the same steps as `twin`.
  Problem x, t;
  auto opt = make_adam(x.params());
  auto twin = make_adam(t.params());
  for (int k = 0; k < 2; ++k) x.set_grads(k), t.set_grads(k), opt->step(), twin->step();

  Checkpoint bad;
  bad.put_tensor<double>("optim/exp_avg/a", MatD::Constant(1, 2, 7));
  bad.put_tensor<double>("optim/exp_avg/enc.w", MatD::Constant(2, 2, 7));
  bad.put_tensor<double>("optim/exp_avg_sq/a", MatD::Constant(1, 2, 7));
  std::string expect;
  SECTION("a missing tensor") {
    bad.put_u64s("optim/steps", {7});
    expect = "optim/exp_avg_sq/enc.w";
  }
  SECTION("a mis-shaped tensor") {
    bad.put_tensor<double>("optim/exp_avg_sq/enc.w", MatD::Constant(2, 3, 7));
    bad.put_u64s("optim/steps", {7});
    expect = "optim/exp_avg_sq/enc.w";
  }
  SECTION("a tensor of the wrong kind") {
    bad.put_string("optim/exp_avg_sq/enc.w", "7");
    bad.put_u64s("optim/steps", {7});
    expect = "optim/exp_avg_sq/enc.w";
  }
  SECTION("missing steps") {
    bad.put_tensor<double>("optim/exp_avg_sq/enc.w", MatD::Constant(2, 2, 7));
    expect = "optim/steps";
  }
  SECTION("steps of the wrong length") {
    bad.put_tensor<double>("optim/exp_avg_sq/enc.w", MatD::Constant(2, 2, 7));
    bad.put_u64s("optim/steps", {7, 7});
    expect = "optim/steps";
  }
  SECTION("a checkpoint of another optimizer") {
    Checkpoint other;
    make_sgd(x.params())->save_state(other);  // has momentum_buffer/..., no exp_avg/...
    bad = other;
    expect = "optim/exp_avg/a";
  }
  REQUIRE_THROWS_AS(opt->load_state(bad), CheckpointError);
  REQUIRE_THROWS_WITH(opt->load_state(bad), Contains("Adam::load_state") && Contains(expect));
  REQUIRE(opt->steps() == 2);
  Checkpoint s1, s2;
  opt->save_state(s1);
  twin->save_state(s2);
  for (const auto& n : s2.names())
    if (n != "optim/steps") REQUIRE(s1.get_tensor<double>(n) == s2.get_tensor<double>(n));
  for (int k = 2; k < 4; ++k) x.set_grads(k), t.set_grads(k), opt->step(), twin->step();
  REQUIRE(x.same_values(t));
}
