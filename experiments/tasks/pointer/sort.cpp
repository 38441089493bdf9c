// The sorting task of pointer networks, registered as `sort`: n distinct integers from
// 0..max_value (features: the value / max_value, and with `features: binary` also its bits as
// +-1), or n floats uniform in [0, 1) ("Order Matters", Vinyals, Bengio & Kudlur 2016); the answer
// is the positions in ascending order of value, a permutation.
//
//   task: {name: sort, values: integers, min_n: 10, max_n: 10, max_value: 999, features: scalar,
//          val_size: 1000, test_size: 1000, eval_lengths: [15, 20]}
// Splits: val and test at lengths min_n..max_n, then "n<k>" at length k for each eval length.
#include "experiments/tasks/pointer/sort.h"

#include "experiments/tasks/algorithmic/bit_sequence.h"

#include <cmath>
#include <set>

namespace engram::experiments::pointer {

namespace {

int bits_for(int max_value) {
  int b = 1;
  while ((1LL << b) <= max_value) ++b;
  return b;
}

}  // namespace

PointerExample sort_example(const std::vector<double>& values, const SortOptions& o) {
  const Index n = static_cast<Index>(values.size());
  const bool binary = o.integers && o.binary;
  const int bits = binary ? bits_for(o.max_value) : 0;
  PointerExample e;
  e.input = MatF::Zero(n, 1 + bits);
  for (Index i = 0; i < n; ++i) {
    const double v = values[static_cast<size_t>(i)];
    e.input(i, 0) = static_cast<float>(o.integers ? v / o.max_value : v);
    for (int b = 0; b < bits; ++b) e.input(i, 1 + b) = (static_cast<long long>(v) >> b) & 1 ? 1.0f : -1.0f;
  }
  e.target = ascending_order(values);
  return e;
}

std::vector<double> sort_values(Rng& rng, int n, const SortOptions& o) {
  std::vector<double> v;
  v.reserve(static_cast<size_t>(n));
  if (!o.integers) {
    for (int i = 0; i < n; ++i) v.push_back(rng.uniform());
    return v;
  }
  std::set<long long> seen;
  while (static_cast<int>(v.size()) < n) {
    const auto x = static_cast<long long>(rng.below(static_cast<std::uint64_t>(o.max_value) + 1));
    if (seen.insert(x).second) v.push_back(static_cast<double>(x));
  }
  return v;
}

SortTask::SortTask(const SortOptions& o, const Rng& rng) : PointerTask("sort", rng), o_(o) {
  require(o.min_n >= 1 && o.min_n <= o.max_n && o.val_size >= 1 && o.test_size >= 1 && o.max_value >= 1, "sort",
          "needs 1 <= min_n <= max_n, max_value >= 1 and val_size, test_size >= 1");
  require(!o.integers || o.max_n <= o.max_value + 1, "sort",
          "needs max_n <= max_value + 1 distinct integers, got max_n " + std::to_string(o.max_n));
  const auto gen = [this](int lo, int hi) {
    return [this, lo, hi](Rng& r) {
      const int n = lo + static_cast<int>(r.below(static_cast<std::uint64_t>(hi - lo + 1)));
      return sort_example(sort_values(r, n, o_), o_);
    };
  };
  set_train_generator(gen(o_.min_n, o_.max_n));
  add_split("val", o_.val_size, gen(o_.min_n, o_.max_n));
  add_split("test", o_.test_size, gen(o_.min_n, o_.max_n));
  for (int n : o_.eval_lengths) {
    require(!o_.integers || n <= o_.max_value + 1, "sort", "eval length " + std::to_string(n) + " exceeds max_value + 1");
    add_split("n" + std::to_string(n), o_.test_size, gen(n, n));
  }
}

Index SortTask::input_size() const { return 1 + (o_.integers && o_.binary ? bits_for(o_.max_value) : 0); }

namespace {

ENGRAM_REGISTER(tasks(), "sort", "point at n numbers in ascending order (integers or floats; generated)",
    [](Section& cfg, const Rng& rng) -> std::unique_ptr<Task> {
      SortOptions o;
      o.integers = cfg.choice("values", "integers", {"integers", "floats"}) == "integers";
      o.min_n = static_cast<int>(cfg.integer("min_n", o.min_n, 1, 10000));
      o.max_n = static_cast<int>(cfg.integer("max_n", std::max(o.max_n, o.min_n), 1, 10000));
      if (o.max_n < o.min_n) cfg.fail("max_n", "must be >= min_n (" + std::to_string(o.min_n) + ")");
      o.max_value = static_cast<int>(cfg.integer("max_value", o.max_value, 1, 1 << 30));
      if (o.integers && o.max_n > o.max_value + 1)
        cfg.fail("max_n", "needs max_n <= max_value + 1 distinct integers (max_value " + std::to_string(o.max_value) + ")");
      o.binary = cfg.choice("features", "scalar", {"scalar", "binary"}) == "binary";
      o.val_size = static_cast<int>(cfg.integer("val_size", o.val_size, 1, 1 << 24));
      o.test_size = static_cast<int>(cfg.integer("test_size", o.test_size, 1, 1 << 24));
      o.eval_lengths = algorithmic::read_int_list(cfg, "eval_lengths", {}, 1, o.integers ? o.max_value + 1 : 10000);
      cfg.finish();
      return std::make_unique<SortTask>(o, rng);
    });

}  // namespace

}  // namespace engram::experiments::pointer
