// The reversal task, registered as `reversal`: a random string of `symbols` letters, its
// length uniform in min_length..max_length, to be written backwards; the "long" split tests
// lengths long_min..long_max, never seen in training (generalisation in length; 0 turns it off).
//
//   task: {name: reversal, symbols: 10, min_length: 5, max_length: 30, long_min: 31, long_max: 60,
//          val_size: 500, test_size: 1000}
#include "experiments/tasks/seq2seq/seq2seq_task.h"

namespace engram::experiments::seq2seq {

namespace {

struct ReversalOptions {
  int symbols = 10, min_length = 5, max_length = 30, long_min = 31, long_max = 60;
  int val_size = 500, test_size = 1000;
};

std::vector<std::string> letters(int n) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) out.push_back(std::string(1, static_cast<char>('a' + i)));
  return out;
}

class ReversalTask : public Seq2SeqTask {
 public:
  ReversalTask(const ReversalOptions& o, const Rng& rng) : Seq2SeqTask("reversal", rng, letters(o.symbols), letters(o.symbols)), o_(o) {
    const auto gen = [this](int lo, int hi) {
      return [this, lo, hi](Rng& r) {
        const int n = lo + static_cast<int>(r.below(static_cast<std::uint64_t>(hi - lo + 1)));
        std::vector<std::string> s;
        for (int i = 0; i < n; ++i) s.push_back(std::string(1, static_cast<char>('a' + r.below(static_cast<std::uint64_t>(o_.symbols)))));
        Seq2SeqExample e;
        e.source = source_ids(s);
        std::reverse(s.begin(), s.end());
        e.target = target_ids(s);
        return e;
      };
    };
    set_train_generator(gen(o_.min_length, o_.max_length));
    add_split("val", o_.val_size, gen(o_.min_length, o_.max_length));
    add_split("test", o_.test_size, gen(o_.min_length, o_.max_length));
    if (o_.long_max > 0) add_split("long", o_.test_size, gen(o_.long_min, o_.long_max));
  }

 private:
  ReversalOptions o_;
};

ENGRAM_REGISTER(tasks(), "reversal", "write a random string backwards (seq2seq; generated, with a longer test split)",
    [](Section& cfg, const Rng& rng) -> std::unique_ptr<Task> {
      ReversalOptions o;
      o.symbols = static_cast<int>(cfg.integer("symbols", o.symbols, 2, 26));
      o.min_length = static_cast<int>(cfg.integer("min_length", o.min_length, 1, 10000));
      o.max_length = static_cast<int>(cfg.integer("max_length", std::max(o.max_length, o.min_length), 1, 10000));
      if (o.max_length < o.min_length) cfg.fail("max_length", "must be >= min_length (" + std::to_string(o.min_length) + ")");
      o.long_max = static_cast<int>(cfg.integer("long_max", o.long_max, 0, 10000));
      o.long_min = static_cast<int>(cfg.integer("long_min", std::min(o.long_min, std::max(o.long_max, 1)), 1, 10000));
      if (o.long_max > 0 && o.long_max < o.long_min) cfg.fail("long_max", "must be >= long_min (" + std::to_string(o.long_min) + "), or 0");
      o.val_size = static_cast<int>(cfg.integer("val_size", o.val_size, 1, 1 << 24));
      o.test_size = static_cast<int>(cfg.integer("test_size", o.test_size, 1, 1 << 24));
      cfg.finish();
      return std::make_unique<ReversalTask>(o, rng);
    });

}  // namespace

}  // namespace engram::experiments::seq2seq
