// engram/core/rng.h — seeded random streams, derived by name; no global state.
//
// One master seed per run. Every stream is Rng(seed, "name") or parent.child("name"): its
// sequence depends only on the seed and the path of names, never on how many numbers other
// streams drew, so adding a draw in one place does not shift any other stream.
// The generator is xoshiro256** with its own uniform/normal transforms (std:: distributions
// differ between standard libraries), so numbers are the same on every platform.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

namespace engram {

class Rng {
 public:
  using State = std::array<std::uint64_t, 4>;

  explicit Rng(std::uint64_t seed = 0, std::string_view name = "");

  // A stream derived from this one's identity (seed and name path), not its current state.
  Rng child(std::string_view name) const;
  Rng child(std::uint64_t index) const;

  std::uint64_t next_u64();
  double uniform();                          // [0, 1)
  double uniform(double lo, double hi);      // [lo, hi)
  double normal();                           // N(0, 1), Box-Muller
  double normal(double mean, double stddev);
  bool bernoulli(double p);
  std::uint64_t below(std::uint64_t n);      // uniform in [0, n), unbiased; n > 0
  template <class V>
  void shuffle(V& v) {                       // Fisher-Yates
    for (std::size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[below(i)]);
  }
  std::vector<int> permutation(int n);

  // For checkpoints: the full state, restorable exactly.
  State state() const { return s_; }
  std::uint64_t key() const { return key_; }
  void set_state(const State& s) { s_ = s; }

 private:
  Rng(std::uint64_t key, int);
  std::uint64_t key_;  // identity: hash of seed and name path
  State s_;
};

// 64-bit FNV-1a, used to turn names into stream keys (and by checkpoints as a checksum seed).
std::uint64_t fnv1a64(const void* data, std::size_t n, std::uint64_t h = 0xcbf29ce484222325ULL);

}  // namespace engram
