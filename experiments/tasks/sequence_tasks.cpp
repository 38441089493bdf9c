#include "experiments/tasks/sequence_tasks.h"

namespace engram::experiments {

KvSequenceTask::KvSequenceTask(const KvSequenceOptions& o, const Rng& rng)
    : o_(o), train_root_(rng.child("kvseq-train")) {
  require(o.pairs <= o.keys, "kv_sequence", "pairs (" + std::to_string(o.pairs) + ") cannot exceed keys (" +
                                                std::to_string(o.keys) + "): keys are distinct");
  Rng v = rng.child("kvseq-val");
  for (int i = 0; i < o_.val_size; ++i) val_.push_back(generate(v));
}

SequenceExample KvSequenceTask::generate(Rng& rng) const {
  std::vector<int> keys = rng.permutation(o_.keys);
  SequenceExample e;
  std::vector<int> vals;
  for (int i = 0; i < o_.pairs; ++i) {
    vals.push_back(static_cast<int>(rng.below(static_cast<std::uint64_t>(o_.values))));
    const int k = keys[static_cast<size_t>(i)];
    if (o_.pairs_format) {
      e.tokens.push_back(o_.keys + o_.values + 1 + k * o_.values + vals.back());
    } else {
      e.tokens.push_back(k);
      e.tokens.push_back(o_.keys + vals.back());
    }
  }
  const auto probe = static_cast<size_t>(rng.below(static_cast<std::uint64_t>(o_.pairs)));
  e.tokens.push_back(o_.keys + o_.values);  // '?'
  e.tokens.push_back(keys[probe]);
  e.target = vals[probe];
  return e;
}

SequenceExample KvSequenceTask::train_example(std::uint64_t id) const {
  Rng r = train_root_.child(id);
  return generate(r);
}

ENGRAM_REGISTER(tasks(), "kv_sequence", "associative recall as a token sequence: k1 v1 ... kN vN ? kq -> vq (generated)",
    [](Section& cfg, const Rng& rng) -> std::unique_ptr<Task> {
      KvSequenceOptions o;
      o.pairs = static_cast<int>(cfg.integer("pairs", 6, 1, 10000));
      o.keys = static_cast<int>(cfg.integer("keys", 16, 1, 1000000));
      o.values = static_cast<int>(cfg.integer("values", 8, 2, 1000000));
      o.val_size = static_cast<int>(cfg.integer("val_size", 256, 1, 10000000));
      o.pairs_format = cfg.choice("format", "pairs", {"pairs", "interleaved"}) == "pairs";
      if (o.pairs > o.keys) cfg.fail("pairs", "cannot exceed task.keys (" + std::to_string(o.keys) + "): keys are distinct");
      cfg.finish();
      return std::make_unique<KvSequenceTask>(o, rng);
    });

}  // namespace engram::experiments
