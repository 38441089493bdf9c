// The addition task, registered as `addition`: "a+b" written as characters, a and b uniform in
// 0..10^digits - 1, to be answered with the digits of the sum.
//
//   task: {name: addition, digits: 3, val_size: 500, test_size: 1000}
#include "experiments/tasks/seq2seq/seq2seq_task.h"

#include <cmath>

namespace engram::experiments::seq2seq {

namespace {

class AdditionTask : public Seq2SeqTask {
 public:
  AdditionTask(int digits, int val_size, int test_size, const Rng& rng)
      : Seq2SeqTask("addition", rng, characters("0123456789+"), characters("0123456789")) {
    const auto top = static_cast<std::uint64_t>(std::llround(std::pow(10.0, digits)));
    const Generator gen = [this, top](Rng& r) {
      const std::uint64_t a = r.below(top), b = r.below(top);
      return Seq2SeqExample{source_ids(characters(std::to_string(a) + "+" + std::to_string(b))),
                            target_ids(characters(std::to_string(a + b)))};
    };
    set_train_generator(gen);
    add_split("val", val_size, gen);
    add_split("test", test_size, gen);
  }
};

ENGRAM_REGISTER(tasks(), "addition", "add two decimal numbers written as characters (seq2seq; generated)",
    [](Section& cfg, const Rng& rng) -> std::unique_ptr<Task> {
      const int digits = static_cast<int>(cfg.integer("digits", 3, 1, 18));
      const int val = static_cast<int>(cfg.integer("val_size", 500, 1, 1 << 24));
      const int test = static_cast<int>(cfg.integer("test_size", 1000, 1, 1 << 24));
      cfg.finish();
      return std::make_unique<AdditionTask>(digits, val, test, rng);
    });

}  // namespace

}  // namespace engram::experiments::seq2seq
