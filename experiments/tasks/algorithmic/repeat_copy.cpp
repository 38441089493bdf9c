// The repeat copy task and its registration as `repeat_copy`.
#include "experiments/tasks/algorithmic/repeat_copy.h"

#include <cmath>

namespace engram::experiments::algorithmic {

float repeat_count_value(int repeats, int min_repeats, int max_repeats) {
  // uniform over the k = max - min + 1 integers: mean (min + max) / 2, variance (k^2 - 1) / 12
  const double k = max_repeats - min_repeats + 1;
  const double mean = 0.5 * (min_repeats + max_repeats);
  const double sd = k > 1 ? std::sqrt((k * k - 1) / 12) : 1.0;
  return static_cast<float>((repeats - mean) / sd);
}

BitSequenceExample repeat_copy_episode(const MatF& sequence, int repeats, int min_repeats, int max_repeats) {
  require(repeats >= 1, "repeat_copy_episode", "repeats must be >= 1, got " + std::to_string(repeats));
  const Index L = sequence.rows(), bits = sequence.cols(), n = repeats, T = L + 1 + n * L + 1;
  BitSequenceExample e;
  e.input = MatF::Zero(T, bits + 2);
  e.target = MatF::Zero(T, bits + 1);
  e.mask = MatF::Zero(T, 1);
  e.input.topLeftCorner(L, bits) = sequence;
  e.input(L, bits) = 1;                                                     // delimiter
  e.input(L, bits + 1) = repeat_count_value(repeats, min_repeats, max_repeats);  // count
  for (Index r = 0; r < n; ++r) e.target.block(L + 1 + r * L, 0, L, bits) = sequence;
  e.target(T - 1, bits) = 1;                                                // end marker
  e.mask.bottomRows(n * L + 1).setOnes();
  e.length = static_cast<int>(L);
  return e;
}

RepeatCopyTask::RepeatCopyTask(const RepeatCopyOptions& o, const Rng& rng)
    : GeneratedBitSequenceTask("repeat_copy", rng), o_(o) {
  require(o.bits >= 1 && o.min_length >= 1 && o.min_length <= o.max_length && o.min_repeats >= 1 &&
              o.min_repeats <= o.max_repeats && o.val_size >= 1 && o.eval_size >= 1,
          "repeat_copy", "needs bits >= 1, 1 <= min_length <= max_length, 1 <= min_repeats <= max_repeats, "
                         "val_size, eval_size >= 1");
  // fixed_length / fixed_repeats: 0 draws from the training range
  const auto gen = [this](int fixed_length, int fixed_repeats) {
    return [this, fixed_length, fixed_repeats](Rng& r) {
      const int L = fixed_length > 0 ? fixed_length : uniform_int(r, o_.min_length, o_.max_length);
      const int n = fixed_repeats > 0 ? fixed_repeats : uniform_int(r, o_.min_repeats, o_.max_repeats);
      return repeat_copy_episode(random_bits(L, o_.bits, r), n, o_.min_repeats, o_.max_repeats);
    };
  };
  set_train_generator(gen(0, 0));
  add_split("val", o_.val_size, gen(0, 0));
  for (int L : o_.eval_lengths) add_split("len" + std::to_string(L), o_.eval_size, gen(L, 0));
  for (int n : o_.eval_repeats) add_split("rep" + std::to_string(n), o_.eval_size, gen(0, n));
}

namespace {

ENGRAM_REGISTER(tasks(), "repeat_copy", "copy a bit sequence a given number of times, then an end marker (Graves et al. 2014; generated)",
    [](Section& cfg, const Rng& rng) -> std::unique_ptr<Task> {
      RepeatCopyOptions o;
      o.bits = static_cast<int>(cfg.integer("bits", o.bits, 1, 4096));
      o.min_length = static_cast<int>(cfg.integer("min_length", o.min_length, 1, 100000));
      o.max_length = static_cast<int>(cfg.integer("max_length", o.max_length, 1, 100000));
      require_ordered(cfg, "min_length", o.min_length, "max_length", o.max_length);
      o.min_repeats = static_cast<int>(cfg.integer("min_repeats", o.min_repeats, 1, 100000));
      o.max_repeats = static_cast<int>(cfg.integer("max_repeats", o.max_repeats, 1, 100000));
      require_ordered(cfg, "min_repeats", o.min_repeats, "max_repeats", o.max_repeats);
      o.eval_lengths = read_int_list(cfg, "eval_lengths", o.eval_lengths, 1, 100000);
      o.eval_repeats = read_int_list(cfg, "eval_repeats", o.eval_repeats, 1, 100000);
      o.val_size = static_cast<int>(cfg.integer("val_size", o.val_size, 1, 10000000));
      o.eval_size = static_cast<int>(cfg.integer("eval_size", o.val_size, 1, 10000000));
      cfg.finish();
      return std::make_unique<RepeatCopyTask>(o, rng);
    });

}  // namespace

}  // namespace engram::experiments::algorithmic
