// engram/experiments/tasks/sequence_tasks.h — token-sequence classification tasks (generated).
//
// kv_sequence: associative recall written as one token sequence. Two formats:
//   interleaved:  k1 v1 k2 v2 ... kN vN ? kq  -> the value that followed kq. Keys are distinct
//                 tokens in [0, keys), values tokens keys + v, '?' the token keys + values.
//                 Needs two attention hops (find kq, read the token after it): hard to learn.
//   pairs:        p1 p2 ... pN ? kq  where p_i is one token for the pair (k_i, v_i)
//                 (id keys + values + 1 + k * values + v). One attention hop suffices.
// Answers are value ids in [0, values).
#pragma once

#include "experiments/problem.h"

namespace engram::experiments {

struct SequenceExample {
  std::vector<int> tokens;
  int target;
};

// The family interface sequence models read.
class SequenceClassificationTask : public Task {
 public:
  std::string family() const override { return "sequence_classification"; }
  virtual Index vocab() const = 0;
  virtual Index classes() const = 0;
  virtual Index max_len() const = 0;
  virtual SequenceExample train_example(std::uint64_t id) const = 0;
  virtual const std::vector<SequenceExample>& val() const = 0;
};

struct KvSequenceOptions {
  int pairs = 6;
  int keys = 16;
  int values = 8;
  int val_size = 256;
  bool pairs_format = true;
};

class KvSequenceTask : public SequenceClassificationTask {
 public:
  KvSequenceTask(const KvSequenceOptions& o, const Rng& rng);
  std::uint64_t train_size() const override { return 0; }
  Index vocab() const override { return o_.keys + o_.values + 1 + (o_.pairs_format ? o_.keys * o_.values : 0); }
  Index classes() const override { return o_.values; }
  Index max_len() const override { return (o_.pairs_format ? 1 : 2) * o_.pairs + 2; }
  SequenceExample train_example(std::uint64_t id) const override;
  const std::vector<SequenceExample>& val() const override { return val_; }

 private:
  SequenceExample generate(Rng& rng) const;
  KvSequenceOptions o_;
  Rng train_root_;
  std::vector<SequenceExample> val_;
};

}  // namespace engram::experiments
