// engram/experiments/tasks/seq2seq/seq2seq_task.h — the family of sequence-to-sequence tasks
// (reversal, addition, dates, ...): a source token sequence, an exact target token sequence.
// Models of the family (seq2seq) read any of them.
//
//   source: ids in [0, source_vocab().size())
//   target: ids in [0, target_vocab().size()), ending with 0 = "</s>"; id 1 = "<s>" (the
//           decoder's start token) never appears in a target
// Examples are seeded per id (experiments/tasks/generated_splits.h).
#pragma once

#include "experiments/problem.h"
#include "experiments/tasks/generated_splits.h"

#include <string>
#include <vector>

namespace engram::experiments::seq2seq {

struct Seq2SeqExample {
  std::vector<int> source;
  std::vector<int> target;  // ends with 0 (</s>)
};

class Seq2SeqTask : public Task {
 public:
  Seq2SeqTask(const Seq2SeqTask&) = delete;  // generators capture `this`
  Seq2SeqTask& operator=(const Seq2SeqTask&) = delete;

  std::string family() const override { return "seq2seq"; }
  std::uint64_t train_size() const override { return 0; }  // generated on demand
  std::vector<std::string> eval_splits() const override { return splits_.names(); }

  const std::vector<std::string>& source_vocab() const { return source_vocab_; }
  const std::vector<std::string>& target_vocab() const { return target_vocab_; }  // [0] </s>, [1] <s>
  // Most tokens a decoder may emit for an example (without </s>).
  virtual Index max_output(const Seq2SeqExample& e) const { return 2 * static_cast<Index>(e.target.size()) + 5; }
  // "error" (share of outputs not exactly the target), "exact_match", "token_accuracy" (outputs
  // equal to the target at the same position, over the target's tokens without </s>); outputs
  // without </s>.
  virtual Metrics score(const std::vector<Seq2SeqExample>& examples, const std::vector<std::vector<int>>& outputs) const;

  Seq2SeqExample train_example(std::uint64_t id) const { return splits_.train_example(id); }
  const std::vector<Seq2SeqExample>& split(const std::string& name) const { return splits_.split(name); }
  // The tokens of ids, joined by `sep` (for inspection and tests).
  std::string source_text(const std::vector<int>& ids, const std::string& sep = " ") const;
  std::string target_text(const std::vector<int>& ids, const std::string& sep = "") const;

 protected:
  using Generator = GeneratedSplits<Seq2SeqExample>::Generator;
  // target_tokens: the output tokens; </s> and <s> are put before them.
  Seq2SeqTask(std::string name, const Rng& rng, std::vector<std::string> source_tokens,
              const std::vector<std::string>& target_tokens);
  void set_train_generator(Generator g) { splits_.set_train_generator(std::move(g)); }
  void add_split(const std::string& split, int size, const Generator& g) { splits_.add_split(split, size, g); }
  void add_split(const std::string& split, std::vector<Seq2SeqExample> examples) {
    splits_.add_split(split, std::move(examples));
  }
  // Ids of tokens (std::invalid_argument for an unknown one: a bug of the task).
  std::vector<int> source_ids(const std::vector<std::string>& tokens) const;
  // The target ids of tokens, then </s>.
  std::vector<int> target_ids(const std::vector<std::string>& tokens) const;

 private:
  GeneratedSplits<Seq2SeqExample> splits_;
  std::vector<std::string> source_vocab_, target_vocab_;
};

// The characters of s as one-character tokens.
std::vector<std::string> characters(const std::string& s);

}  // namespace engram::experiments::seq2seq
