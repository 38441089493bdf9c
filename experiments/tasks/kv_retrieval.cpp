#include "experiments/tasks/kv_retrieval.h"

#include "core/init.h"

namespace engram::experiments {

KvRetrievalTask::KvRetrievalTask(const KvRetrievalOptions& o, const Rng& rng)
    : o_(o), train_root_(rng.child("kv-train")) {
  Rng v = rng.child("kv-val");
  for (int i = 0; i < o_.val_size; ++i) val_.push_back(generate(v));
}

KvExample KvRetrievalTask::generate(Rng& rng) const {
  KvExample e;
  e.keys = init::normal<float>(o_.pairs, o_.key_dim, 0, 1, rng);
  for (int i = 0; i < o_.pairs; ++i) e.values.push_back(static_cast<int>(rng.below(static_cast<std::uint64_t>(o_.classes))));
  const auto probe = static_cast<Index>(rng.below(static_cast<std::uint64_t>(o_.pairs)));
  e.query = e.keys.row(probe) + init::normal<float>(1, o_.key_dim, 0, o_.noise, rng);
  e.target = e.values[static_cast<size_t>(probe)];
  e.probe = probe;
  return e;
}

KvExample KvRetrievalTask::train_example(std::uint64_t id) const {
  Rng r = train_root_.child(id);
  return generate(r);
}

ENGRAM_REGISTER(tasks(), "kv_retrieval", "recall the value of a noisy key among stored key-value pairs (generated)",
    [](Section& cfg, const Rng& rng) -> std::unique_ptr<Task> {
      KvRetrievalOptions o;
      o.pairs = static_cast<int>(cfg.integer("pairs", 8, 1, 100000));
      o.key_dim = static_cast<int>(cfg.integer("key_dim", 16, 1, 100000));
      o.classes = static_cast<int>(cfg.integer("classes", 10, 2, 1000000));
      o.noise = cfg.number("noise", 0.4, 0.0, 100.0);
      o.val_size = static_cast<int>(cfg.integer("val_size", 512, 1, 10000000));
      cfg.finish();
      return std::make_unique<KvRetrievalTask>(o, rng);
    });

}  // namespace engram::experiments
