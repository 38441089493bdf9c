#include "core/gradcheck.h"
#include "core/init.h"
#include "core/layers.h"
#include "core/parallel.h"

#include <catch2/catch.hpp>

#include <atomic>

using namespace engram;

TEST_CASE("parallel_for visits every index once and rethrows the lowest failure", "[parallel]") {
  for (int threads : {1, 2, 3}) {
    ThreadPool pool(threads);
    std::vector<std::atomic<int>> hits(1000);
    pool.parallel_for(1000, [&](Index i) { hits[static_cast<size_t>(i)]++; });
    for (auto& h : hits) CHECK(h.load() == 1);
    CHECK_THROWS_WITH(pool.parallel_for(100, [](Index i) {
                        if (i == 17 || i == 60) throw std::runtime_error("fail " + std::to_string(i));
                      }),
                      "fail 17");
    // the pool is still usable after a failure
    std::atomic<int> n{0};
    pool.parallel_for(10, [&](Index) { n++; });
    CHECK(n == 10);
  }
}

namespace {
// A small classifier trained with plain SGD for `steps` steps on a fixed synthetic set; the
// batch gradient comes from accumulate_gradients. Dropout draws from per-example streams.
MatF train(int threads, int steps) {
  Rng rng(123, "model");
  Linear<float> l1(8, 16, rng), l2(16, 4, rng);
  ParameterList<float> ps;
  for (auto& p : l1.named_parameters()) ps.push_back({"l1." + p.name, p.var});
  for (auto& p : l2.named_parameters()) ps.push_back({"l2." + p.name, p.var});
  Rng data(123, "data");
  const MatF X = init::normal<float>(64, 8, 0, 1, data);
  std::vector<int> y(64);
  for (int i = 0; i < 64; ++i) y[static_cast<size_t>(i)] = static_cast<int>(data.below(4));
  ThreadPool pool(threads);
  const Rng drop(123, "dropout");
  for (int s = 0; s < steps; ++s) {
    zero_grad(ps);
    const Rng step_rng = drop.child(static_cast<std::uint64_t>(s));
    accumulate_gradients<float>(pool, ps, 16, [&](Index i) {
      const Index row = (s * 16 + i) % 64;
      Rng r = step_rng.child(static_cast<std::uint64_t>(i));
      Var<float> h = dropout(tanh(l1(constant<float>(X.row(row)))), 0.2f, true, r);
      return scale(cross_entropy(l2(h), {y[static_cast<size_t>(row)]}), 1.0f / 16);
    });
    for (auto& p : ps) p.var.mutable_value() -= 0.1f * p.var.grad();
  }
  MatF flat(1, 0);
  for (auto& p : ps) {
    MatF f = Eigen::Map<const MatF>(p.var.value().data(), 1, p.var.size());
    MatF joined(1, flat.cols() + f.cols());
    joined << flat, f;
    flat = joined;
  }
  return flat;
}
}  // namespace

TEST_CASE("1 and 2 threads give bit-identical parameters after 100 steps", "[parallel][determinism]") {
  const MatF one = train(1, 100);
  const MatF two = train(2, 100);
  CHECK(one == two);  // exact equality, not approximate
  CHECK((one - train(1, 99)).cwiseAbs().maxCoeff() > 0);  // and training did move them
}

TEST_CASE("accumulate_gradients equals the gradient of the summed loss", "[parallel]") {
  Rng rng(5);
  Linear<double> l(3, 2, rng);
  ThreadPool pool(2);
  const MatD X = random_matrix(5, 3, rng);
  zero_grad(l.named_parameters());
  const double total = accumulate_gradients<double>(pool, l.named_parameters(), 5, [&](Index i) {
    return sum(l(constant<double>(X.row(i))));
  });
  const MatD g_parallel = l.weight.grad();
  l.weight.zero_grad();
  Var<double> all = sum(l(constant<double>(X)));
  backward(all);
  CHECK(total == Approx(all.item()));
  CHECK((g_parallel - l.weight.grad()).cwiseAbs().maxCoeff() < 1e-12);
  CHECK_THROWS_WITH(accumulate_gradients<double>(pool, l.named_parameters(), 2,
                                                 [&](Index) { return l(constant<double>(X.row(0))); }),
                    Catch::Contains("[1 x 2]"));
}
