#include "experiments/tasks/seq2seq/seq2seq_task.h"

#include <algorithm>

namespace engram::experiments::seq2seq {

namespace {

int id_of(const std::vector<std::string>& vocab, const std::string& token, const char* side) {
  const auto it = std::find(vocab.begin(), vocab.end(), token);
  require(it != vocab.end(), "Seq2SeqTask", std::string(side) + " token '" + token + "' is not in the vocabulary");
  return static_cast<int>(it - vocab.begin());
}

}  // namespace

Seq2SeqTask::Seq2SeqTask(std::string name, const Rng& rng, std::vector<std::string> source_tokens,
                         const std::vector<std::string>& target_tokens)
    : splits_(std::move(name), rng), source_vocab_(std::move(source_tokens)), target_vocab_{"</s>", "<s>"} {
  target_vocab_.insert(target_vocab_.end(), target_tokens.begin(), target_tokens.end());
  require(source_vocab_.size() >= 2, "Seq2SeqTask", "needs >= 2 source tokens");
}

std::vector<int> Seq2SeqTask::source_ids(const std::vector<std::string>& tokens) const {
  std::vector<int> out;
  for (const auto& t : tokens) out.push_back(id_of(source_vocab_, t, "source"));
  return out;
}

std::vector<int> Seq2SeqTask::target_ids(const std::vector<std::string>& tokens) const {
  std::vector<int> out;
  for (const auto& t : tokens) out.push_back(id_of(target_vocab_, t, "target"));
  out.push_back(0);
  return out;
}

Metrics Seq2SeqTask::score(const std::vector<Seq2SeqExample>& examples, const std::vector<std::vector<int>>& outputs) const {
  require(examples.size() == outputs.size() && !examples.empty(), "Seq2SeqTask::score",
          "needs one output per example, got " + std::to_string(outputs.size()) + " for " + std::to_string(examples.size()));
  double exact = 0, tokens = 0, right = 0;
  for (size_t i = 0; i < examples.size(); ++i) {
    const std::vector<int> y(examples[i].target.begin(), examples[i].target.end() - 1);  // without </s>
    const std::vector<int>& o = outputs[i];
    exact += o == y;
    tokens += static_cast<double>(y.size());
    for (size_t t = 0; t < y.size() && t < o.size(); ++t) right += o[t] == y[t];
  }
  const double n = static_cast<double>(examples.size());
  return {{"error", 1 - exact / n}, {"exact_match", exact / n}, {"token_accuracy", tokens > 0 ? right / tokens : exact / n}};
}

std::string Seq2SeqTask::source_text(const std::vector<int>& ids, const std::string& sep) const {
  std::string s;
  for (size_t i = 0; i < ids.size(); ++i) s += (i ? sep : "") + source_vocab_.at(static_cast<size_t>(ids[i]));
  return s;
}

std::string Seq2SeqTask::target_text(const std::vector<int>& ids, const std::string& sep) const {
  std::string s;
  for (size_t i = 0; i < ids.size(); ++i) s += (i ? sep : "") + target_vocab_.at(static_cast<size_t>(ids[i]));
  return s;
}

std::vector<std::string> characters(const std::string& s) {
  std::vector<std::string> out;
  for (char c : s) out.push_back(std::string(1, c));
  return out;
}

}  // namespace engram::experiments::seq2seq
