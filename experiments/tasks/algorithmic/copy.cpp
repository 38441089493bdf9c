// The copy task and its registration as `copy`.
#include "experiments/tasks/algorithmic/copy.h"

namespace engram::experiments::algorithmic {

BitSequenceExample copy_episode(const MatF& sequence) {
  const Index L = sequence.rows(), bits = sequence.cols(), T = 2 * L + 1;
  BitSequenceExample e;
  e.input = MatF::Zero(T, bits + 1);
  e.target = MatF::Zero(T, bits);
  e.mask = MatF::Zero(T, 1);
  e.input.topLeftCorner(L, bits) = sequence;
  e.input(L, bits) = 1;                      // delimiter
  e.target.bottomRows(L) = sequence;
  e.mask.bottomRows(L).setOnes();
  e.length = static_cast<int>(L);
  return e;
}

CopyTask::CopyTask(const CopyOptions& o, const Rng& rng) : GeneratedBitSequenceTask("copy", rng), o_(o) {
  require(o.bits >= 1 && o.min_length >= 1 && o.min_length <= o.max_length && o.val_size >= 1 && o.eval_size >= 1,
          "copy", "needs bits >= 1, 1 <= min_length <= max_length, val_size, eval_size >= 1; got bits=" +
                      std::to_string(o.bits) + " lengths " + std::to_string(o.min_length) + ".." +
                      std::to_string(o.max_length));
  const auto of_length = [this](int fixed) {
    return [this, fixed](Rng& r) {
      const int L = fixed > 0 ? fixed : uniform_int(r, o_.min_length, o_.max_length);
      return copy_episode(random_bits(L, o_.bits, r));
    };
  };
  set_train_generator(of_length(0));
  add_split("val", o_.val_size, of_length(0));
  for (int L : o_.eval_lengths) {
    require(L >= 1, "copy", "eval lengths must be >= 1, got " + std::to_string(L));
    add_split("len" + std::to_string(L), o_.eval_size, of_length(L));
  }
}

namespace {

ENGRAM_REGISTER(tasks(), "copy", "copy a random bit sequence after a delimiter (Graves et al. 2014; generated)",
    [](Section& cfg, const Rng& rng) -> std::unique_ptr<Task> {
      CopyOptions o;
      o.bits = static_cast<int>(cfg.integer("bits", o.bits, 1, 4096));
      o.min_length = static_cast<int>(cfg.integer("min_length", o.min_length, 1, 100000));
      o.max_length = static_cast<int>(cfg.integer("max_length", o.max_length, 1, 100000));
      require_ordered(cfg, "min_length", o.min_length, "max_length", o.max_length);
      o.eval_lengths = read_int_list(cfg, "eval_lengths", o.eval_lengths, 1, 100000);
      o.val_size = static_cast<int>(cfg.integer("val_size", o.val_size, 1, 10000000));
      o.eval_size = static_cast<int>(cfg.integer("eval_size", o.val_size, 1, 10000000));
      cfg.finish();
      return std::make_unique<CopyTask>(o, rng);
    });

}  // namespace

}  // namespace engram::experiments::algorithmic
