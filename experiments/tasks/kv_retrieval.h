// engram/experiments/tasks/kv_retrieval.h — associative key-value retrieval, generated.
// Each example stores `pairs` random Gaussian keys with random value ids; the query is one of
// the keys plus Gaussian noise; the answer is that key's value. Example `id` is generated from
// the stream (seed, "kv-train").child(id); the validation set is a fixed set of `val_size`
// examples from another stream.
#pragma once

#include "experiments/problem.h"

namespace engram::experiments {

struct KvExample {
  MatF keys;                // [pairs x key_dim]
  std::vector<int> values;  // pairs ids in [0, classes)
  MatF query;               // [1 x key_dim]
  int target;
  Index probe;              // which pair the query was made from
};

struct KvRetrievalOptions {
  int pairs = 8;
  int key_dim = 16;
  int classes = 10;
  double noise = 0.4;
  int val_size = 512;
};

class KvRetrievalTask : public Task {
 public:
  KvRetrievalTask(const KvRetrievalOptions& o, const Rng& rng);
  std::string family() const override { return "kv_retrieval"; }
  std::uint64_t train_size() const override { return 0; }
  KvExample train_example(std::uint64_t id) const;
  const std::vector<KvExample>& val() const { return val_; }
  const KvRetrievalOptions& options() const { return o_; }

 private:
  KvExample generate(Rng& rng) const;
  KvRetrievalOptions o_;
  Rng train_root_;
  std::vector<KvExample> val_;
};

}  // namespace engram::experiments
