// engram/experiments/tasks/kv_recall.h — associative recall under load, the synthetic axis of
// the memory comparison (docs/compare.md): a story of P key -> value pairs of random bits, then
// one key again; the answer is its value, exactly (every bit).
//
//   task:
//     name: kv_recall
//     pairs: 16            # P, the load: pairs per story (distinct keys)
//     key_bits: 16         # K
//     value_bits: 8        # V (<= 12: the answer is one of 2^V classes)
//     stories: 1000        # training stories
//     questions: 1         # questions per story, in every split (distinct pairs drawn uniformly:
//                          # the age of the asked pair is uniform)
//     val_stories: 100
//     test_stories: 200
//     curriculum: {epochs: 10, start: 4}   # optional: shorter training stories first (babi.h)
//
// Every family reads the same stories. As a story task (the `babi` family, so every story reader
// of the comparison reads it unchanged), pair (k, v) is the sentence of K + V words
// "k<j>+" / "k<j>-" (key bit j is +1 / -1) and "v<j>+" / "v<j>-"; the question is the K words
// of the key; the answer class is the value written as V characters '0'/'1' (bit j = +1 is '1'),
// all 2^V classes in numeric order. The stored memories (models/associative_memory.cpp) read
// the same examples back as +-1 matrices through kv_pairs(). Supporting fact: the queried pair.
//
// Streams: story i of split s is drawn from rng.child("kv-recall-<s>").child(i): keys K random
// +-1 bits (a key equal to an earlier key of the story is drawn again), values V random bits,
// then the questions' pairs, uniform over the story.
#pragma once

#include "experiments/tasks/babi/babi.h"

namespace engram::experiments {

struct KvRecallOptions {
  int pairs = 16;
  int key_bits = 16;
  int value_bits = 8;
  int stories = 1000;
  int questions = 1;
  int val_stories = 100;
  int test_stories = 200;
};

// One example read back as bits.
struct KvPairs {
  MatF keys;    // [P x K], +-1, oldest pair first
  MatF values;  // [P x V], +-1
  MatF query;   // [1 x K], +-1
  MatF answer;  // [1 x V], +-1: the queried pair's value
};

class KvRecallTask : public babi::StoryTask {
 public:
  // Throws std::invalid_argument naming the option for values out of range (pairs >= 1, key bits
  // in [1, 4096] with 2^K >= pairs, value bits in [1, 12], stories >= 1, questions in [1, pairs],
  // val and test stories >= 1 and >= 0).
  KvRecallTask(const KvRecallOptions& o, const Rng& rng);

  std::vector<std::string> eval_splits() const override;  // val, and test when test_stories > 0
  const std::vector<babi::Example>& split(const std::string& name) const override;
  const babi::Vocabulary& words() const override { return words_; }
  const babi::Vocabulary& answers() const override { return answers_; }
  int memory_size() const override { return o_.pairs; }
  int sentence_length() const override { return o_.key_bits + o_.value_bits; }
  std::vector<int> task_ids() const override { return {0}; }
  const KvRecallOptions& options() const { return o_; }

  // The example's pairs, query and answer as +-1 matrices (the inverse of the encoding above).
  // Throws std::invalid_argument for an example that is not one of this task's.
  KvPairs kv_pairs(const babi::Example& e) const;

 private:
  void generate(const std::string& split, int stories, std::vector<babi::Example>& out) const;
  KvRecallOptions o_;
  Rng rng_;
  babi::Vocabulary words_, answers_;
  std::vector<babi::Example> train_, val_, test_;
};

}  // namespace engram::experiments
