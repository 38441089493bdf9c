#include "core/rng.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <set>

using namespace engram;

TEST_CASE("the same seed and name give the same stream", "[rng]") {
  Rng a(42, "init"), b(42, "init"), c(42, "data"), d(43, "init");
  const auto x = a.next_u64();
  CHECK(x == b.next_u64());
  CHECK(x != c.next_u64());
  CHECK(x != d.next_u64());
}

TEST_CASE("child streams depend on identity, not on draws already made", "[rng]") {
  Rng a(1, "root"), b(1, "root");
  for (int i = 0; i < 100; ++i) a.next_u64();
  CHECK(a.child("dropout").next_u64() == b.child("dropout").next_u64());
  CHECK(a.child(std::uint64_t{3}).next_u64() == b.child(std::uint64_t{3}).next_u64());
  CHECK(a.child(std::uint64_t{3}).next_u64() != a.child(std::uint64_t{4}).next_u64());
}

TEST_CASE("the generator's output is pinned across platforms and releases", "[rng]") {
  // Changing these numbers changes every seeded result engram has published: a change to the
  // generator, the name hashing or the transforms must be deliberate and announced.
  Rng r(2024, "pinned");
  CHECK(r.next_u64() == 9404238892018648416ULL);
  CHECK(r.next_u64() == 8664156986095211113ULL);
  CHECK(r.next_u64() == 16501196173427282124ULL);
  CHECK(Rng(0, "").uniform() == 0.54799693542090244);
  CHECK(Rng(1, "n").normal() == Approx(-0.20150824925097352).epsilon(1e-15));
}

TEST_CASE("distributions have the right moments", "[rng]") {
  Rng r(7, "moments");
  const int n = 200000;
  double su = 0, sn = 0, sn2 = 0;
  for (int i = 0; i < n; ++i) {
    su += r.uniform();
    const double z = r.normal();
    sn += z;
    sn2 += z * z;
  }
  CHECK(su / n == Approx(0.5).margin(0.005));
  CHECK(sn / n == Approx(0.0).margin(0.01));
  CHECK(sn2 / n == Approx(1.0).margin(0.015));
  std::vector<int> counts(7, 0);
  for (int i = 0; i < 70000; ++i) counts[r.below(7)]++;
  for (int c : counts) CHECK(c == Approx(10000).margin(400));
}

TEST_CASE("permutations are permutations and the state round-trips", "[rng]") {
  Rng r(5, "perm");
  auto p = r.permutation(50);
  CHECK(std::set<int>(p.begin(), p.end()).size() == 50);
  const auto st = r.state();
  const auto x = r.next_u64();
  r.set_state(st);
  CHECK(r.next_u64() == x);
  CHECK_THROWS_AS(r.below(0), std::invalid_argument);
}
