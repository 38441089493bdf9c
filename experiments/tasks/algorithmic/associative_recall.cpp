// The associative recall task and its registration as `associative_recall`.
#include "experiments/tasks/algorithmic/associative_recall.h"

#include <algorithm>

namespace engram::experiments::algorithmic {

namespace {

// How many distinct items there are (capped: only compared with item counts).
long long distinct_items(const AssociativeRecallOptions& o) {
  const long long b = static_cast<long long>(o.bits) * o.item_length;
  return b >= 40 ? (1LL << 40) : (1LL << b);
}

}  // namespace

BitSequenceExample associative_recall_episode(const std::vector<MatF>& items, int query) {
  const Index n = static_cast<Index>(items.size());
  require(n >= 2 && query >= 0 && query <= n - 2, "associative_recall_episode",
          "needs >= 2 items and a query in [0, items - 2], got " + std::to_string(n) + " items, query " +
              std::to_string(query));
  const Index m = items[0].rows(), bits = items[0].cols();
  for (const MatF& item : items)
    require(item.rows() == m && item.cols() == bits, "associative_recall_episode",
            "items must share one shape, got " + shape_str(items[0]) + " and " + shape_str(item));
  const Index T = n * (m + 1) + (m + 2) + m;
  BitSequenceExample e;
  e.input = MatF::Zero(T, bits + 2);
  e.target = MatF::Zero(T, bits);
  e.mask = MatF::Zero(T, 1);
  Index t = 0;
  for (const MatF& item : items) {
    e.input(t++, bits) = 1;                           // item delimiter
    e.input.block(t, 0, m, bits) = item;
    t += m;
  }
  e.input(t++, bits + 1) = 1;                         // query delimiter
  e.input.block(t, 0, m, bits) = items[static_cast<size_t>(query)];
  t += m;
  e.input(t++, bits + 1) = 1;
  e.target.block(t, 0, m, bits) = items[static_cast<size_t>(query) + 1];
  e.mask.block(t, 0, m, 1).setOnes();
  e.length = static_cast<int>(n);
  return e;
}

AssociativeRecallTask::AssociativeRecallTask(const AssociativeRecallOptions& o, const Rng& rng)
    : GeneratedBitSequenceTask("associative_recall", rng), o_(o) {
  require(o.bits >= 1 && o.item_length >= 1 && o.min_items >= 2 && o.min_items <= o.max_items && o.val_size >= 1 &&
              o.eval_size >= 1,
          "associative_recall", "needs bits, item_length >= 1, 2 <= min_items <= max_items, val_size, eval_size >= 1");
  int most = o.max_items;
  for (int n : o.eval_items) most = std::max(most, n);
  require(distinct_items(o) >= most, "associative_recall",
          "bits x item_length leaves fewer distinct items than the " + std::to_string(most) + " items of an episode");
  const auto gen = [this](int fixed_items) {
    return [this, fixed_items](Rng& r) {
      const int n = fixed_items > 0 ? fixed_items : uniform_int(r, o_.min_items, o_.max_items);
      std::vector<MatF> items;
      while (static_cast<int>(items.size()) < n) {
        MatF item = random_bits(o_.item_length, o_.bits, r);
        if (std::none_of(items.begin(), items.end(), [&](const MatF& x) { return x == item; }))
          items.push_back(std::move(item));
      }
      return associative_recall_episode(items, uniform_int(r, 0, n - 2));
    };
  };
  set_train_generator(gen(0));
  add_split("val", o_.val_size, gen(0));
  for (int n : o_.eval_items) {
    require(n >= 2, "associative_recall", "eval items must be >= 2, got " + std::to_string(n));
    add_split("items" + std::to_string(n), o_.eval_size, gen(n));
  }
}

namespace {

ENGRAM_REGISTER(tasks(), "associative_recall", "recall the item that followed a query item (Graves et al. 2014; generated)",
    [](Section& cfg, const Rng& rng) -> std::unique_ptr<Task> {
      AssociativeRecallOptions o;
      o.bits = static_cast<int>(cfg.integer("bits", o.bits, 1, 4096));
      o.item_length = static_cast<int>(cfg.integer("item_length", o.item_length, 1, 10000));
      o.min_items = static_cast<int>(cfg.integer("min_items", o.min_items, 2, 100000));
      o.max_items = static_cast<int>(cfg.integer("max_items", o.max_items, 2, 100000));
      require_ordered(cfg, "min_items", o.min_items, "max_items", o.max_items);
      o.eval_items = read_int_list(cfg, "eval_items", o.eval_items, 2, 100000);
      o.val_size = static_cast<int>(cfg.integer("val_size", o.val_size, 1, 10000000));
      o.eval_size = static_cast<int>(cfg.integer("eval_size", o.val_size, 1, 10000000));
      // the items of an episode are distinct: there must be enough different ones
      int most = o.max_items;
      for (int n : o.eval_items) most = std::max(most, n);
      if (distinct_items(o) < most)
        cfg.fail("item_length", "x bits gives only " + std::to_string(distinct_items(o)) +
                                    " distinct items, fewer than the " + std::to_string(most) + " items of an episode");
      cfg.finish();
      return std::make_unique<AssociativeRecallTask>(o, rng);
    });

}  // namespace

}  // namespace engram::experiments::algorithmic
