// Tests of core/schedule.h: values at chosen steps, argument checks, and a schedule driving an
// optimizer.
#include "core/optim.h"
#include "core/schedule.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <memory>

using namespace engram;
using Catch::Matchers::Contains;

namespace {
Approx near(double x) { return Approx(x).epsilon(1e-14).margin(1e-300); }
}  // namespace

TEST_CASE("ConstantLr", "[schedule]") {
  const ConstantLr s(0.1);
  CHECK(s.lr(0) == 0.1);
  CHECK(s.lr(1) == 0.1);
  CHECK(s.lr(1'000'000'000) == 0.1);
}

TEST_CASE("StepLr: base * gamma^floor(step / every)", "[schedule]") {
  const StepLr s(0.01, 25, 0.5);  // MemN2N: halve every 25 epochs
  CHECK(s.lr(0) == near(0.01));
  CHECK(s.lr(24) == near(0.01));
  CHECK(s.lr(25) == near(0.005));
  CHECK(s.lr(49) == near(0.005));
  CHECK(s.lr(50) == near(0.0025));
  CHECK(s.lr(100) == near(0.01 / 16));
  CHECK(StepLr(1, 1, 0.1).lr(3) == near(0.001));
}

TEST_CASE("MultiStepLr: base * gamma^(milestones passed)", "[schedule]") {
  const MultiStepLr s(0.16, {45, 70, 95}, 0.5);  // the MemN2N authors' schedule after linear start
  CHECK(s.lr(0) == near(0.16));
  CHECK(s.lr(44) == near(0.16));
  CHECK(s.lr(45) == near(0.08));
  CHECK(s.lr(70) == near(0.04));
  CHECK(s.lr(119) == near(0.02));
  CHECK(MultiStepLr(1, {}, 0.1).lr(1000) == near(1));
  CHECK_THROWS_WITH(MultiStepLr(1, {5, 5}, 0.5), Catch::Contains("milestones must increase"));
  CHECK_THROWS_AS(MultiStepLr(1, {5}, 0), std::invalid_argument);
}

TEST_CASE("ExponentialLr: base * gamma^step", "[schedule]") {
  const ExponentialLr s(0.1, 0.9);
  CHECK(s.lr(0) == near(0.1));
  CHECK(s.lr(1) == near(0.09));
  CHECK(s.lr(2) == near(0.081));
  CHECK(s.lr(10) == near(0.1 * 0.3486784401));  // 0.9^10 = 0.3486784401
}

TEST_CASE("WarmupLr: linear to after->lr(0), then after restarted at 0", "[schedule]") {
  SECTION("into a constant") {
    const WarmupLr s(4, std::make_shared<ConstantLr>(0.1));
    CHECK(s.lr(0) == near(0.025));  // 0.1 * 1/4
    CHECK(s.lr(1) == near(0.05));   // 0.1 * 2/4
    CHECK(s.lr(2) == near(0.075));
    CHECK(s.lr(3) == near(0.1));    // the last warm-up step reaches after->lr(0)
    CHECK(s.lr(4) == near(0.1));
    CHECK(s.lr(1000) == near(0.1));
  }
  SECTION("into a step schedule, which starts counting at the end of the warm-up") {
    const WarmupLr s(3, std::make_shared<StepLr>(0.3, 2, 0.5));
    CHECK(s.lr(0) == near(0.1));    // 0.3 * 1/3
    CHECK(s.lr(1) == near(0.2));    // 0.3 * 2/3
    CHECK(s.lr(2) == near(0.3));
    CHECK(s.lr(3) == near(0.3));    // after(0)
    CHECK(s.lr(4) == near(0.3));    // after(1)
    CHECK(s.lr(5) == near(0.15));   // after(2) = 0.3 * 0.5
    CHECK(s.lr(7) == near(0.075));  // after(4) = 0.3 * 0.25
  }
  SECTION("warm-ups nest") {
    const WarmupLr s(2, std::make_shared<WarmupLr>(2, std::make_shared<ConstantLr>(0.8)));
    // inner: 0.4, 0.8, 0.8, ...;  outer: 0.4 * 1/2, 0.4 * 2/2, then inner from 0
    CHECK(s.lr(0) == near(0.2));
    CHECK(s.lr(1) == near(0.4));
    CHECK(s.lr(2) == near(0.4));
    CHECK(s.lr(3) == near(0.8));
  }
}

TEST_CASE("Schedules validate their arguments", "[schedule]") {
  CHECK_THROWS_WITH(ConstantLr(0), Contains("ConstantLr") && Contains("base") && Contains("got 0"));
  CHECK_THROWS_WITH(ConstantLr(-0.5), Contains("base") && Contains("-0.5"));
  CHECK_THROWS_WITH(ConstantLr(std::nan("")), Contains("base") && Contains("nan"));
  CHECK_THROWS_WITH(ConstantLr(INFINITY), Contains("base") && Contains("inf"));
  CHECK_THROWS_WITH(StepLr(-1, 10, 0.5), Contains("StepLr") && Contains("base") && Contains("-1"));
  CHECK_THROWS_WITH(StepLr(0.1, 0, 0.5), Contains("StepLr") && Contains("every") && Contains("got 0"));
  CHECK_THROWS_WITH(StepLr(0.1, 10, 0), Contains("gamma") && Contains("got 0"));
  CHECK_THROWS_WITH(StepLr(0.1, 10, -2), Contains("gamma") && Contains("-2"));
  CHECK_THROWS_WITH(ExponentialLr(0, 0.9), Contains("ExponentialLr") && Contains("base"));
  CHECK_THROWS_WITH(ExponentialLr(0.1, -0.9), Contains("ExponentialLr") && Contains("gamma") && Contains("-0.9"));
  CHECK_THROWS_WITH(WarmupLr(0, std::make_shared<ConstantLr>(0.1)),
                    Contains("WarmupLr") && Contains("warmup_steps") && Contains("got 0"));
  CHECK_THROWS_WITH(WarmupLr(10, nullptr), Contains("WarmupLr") && Contains("after") && Contains("nullptr"));
  CHECK_THROWS_AS(StepLr(0.1, 0, 0.5), std::invalid_argument);
}

TEST_CASE("A schedule drives an optimizer through set_lr(lr(steps()))", "[schedule][optim]") {
  Var<double> p(MatD::Constant(1, 2, 1.0), true);
  SGD<double> opt({{"p", p}}, {.lr = 1});
  const ExponentialLr sched(0.1, 0.5);
  for (int k = 0; k < 3; ++k) {
    p.mutable_grad() = MatD::Ones(1, 2);
    opt.set_lr(sched.lr(opt.steps()));
    opt.step();
  }
  // p = 1 - 0.1 - 0.05 - 0.025 = 0.825
  CHECK(p.value()(0, 0) == Approx(0.825).epsilon(1e-14));
  CHECK(p.value()(0, 1) == Approx(0.825).epsilon(1e-14));
}
