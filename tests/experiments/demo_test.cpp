#include "experiments/demo.h"

#include <catch2/catch.hpp>

using namespace engram::experiments;

TEST_CASE("the key-value demo learns retrieval by attention", "[demo]") {
  KvDemoOptions o;
  o.steps = 300;
  o.eval_examples = 256;
  const auto curve = run_kv_demo(o, nullptr);
  REQUIRE(curve.size() == 6);
  CHECK(curve.front().eval_accuracy < 0.6);   // it starts near chance...
  CHECK(curve.back().eval_accuracy > 0.95);   // ...and learns to retrieve
  CHECK(curve.back().eval_loss < 0.3 * curve.front().eval_loss);
}

TEST_CASE("the demo's numbers depend on the seed, not on the thread count", "[demo][determinism]") {
  KvDemoOptions o;
  o.steps = 60;
  o.eval_every = 20;
  o.eval_examples = 64;
  o.threads = 1;
  const auto one = run_kv_demo(o, nullptr);
  o.threads = 2;
  const auto two = run_kv_demo(o, nullptr);
  REQUIRE(one.size() == two.size());
  for (size_t i = 0; i < one.size(); ++i) {
    CHECK(one[i].train_loss == two[i].train_loss);
    CHECK(one[i].eval_loss == two[i].eval_loss);
  }
  o.seed = 1;
  CHECK(run_kv_demo(o, nullptr).back().eval_loss != two.back().eval_loss);
}
