#include "experiments/tasks/kv_recall.h"


#include <set>

namespace engram::experiments {

namespace {

void need(bool ok, const std::string& option, const std::string& what) {
  if (!ok) throw std::invalid_argument(option + ": " + what);
}

}  // namespace

KvRecallTask::KvRecallTask(const KvRecallOptions& o, const Rng& rng) : o_(o), rng_(rng) {
  need(o.pairs >= 1, "pairs", "must be >= 1, got " + std::to_string(o.pairs));
  need(o.key_bits >= 1 && o.key_bits <= 4096, "key_bits", "must be in [1, 4096], got " + std::to_string(o.key_bits));
  need(o.key_bits >= 31 || (std::int64_t(1) << o.key_bits) >= o.pairs, "key_bits",
       std::to_string(o.key_bits) + " bits make " + std::to_string(std::int64_t(1) << std::min(o.key_bits, 30)) +
           " distinct keys, fewer than pairs (" + std::to_string(o.pairs) + ")");
  need(o.value_bits >= 1 && o.value_bits <= 12, "value_bits", "must be in [1, 12], got " + std::to_string(o.value_bits));
  need(o.stories >= 1, "stories", "must be >= 1, got " + std::to_string(o.stories));
  need(o.questions >= 1 && o.questions <= o.pairs, "questions",
       "must be in [1, pairs = " + std::to_string(o.pairs) + "], got " + std::to_string(o.questions));
  need(o.val_stories >= 1, "val_stories", "must be >= 1, got " + std::to_string(o.val_stories));
  need(o.test_stories >= 0, "test_stories", "must be >= 0, got " + std::to_string(o.test_stories));
  // every question holds its story: refuse what would not fit rather than die of it
  const double words = (double(o.stories) + o.val_stories + o.test_stories) * o.questions * o.pairs * (o.key_bits + o.value_bits);
  need(words <= double(1u << 28), "stories",
       "(stories + val_stories + test_stories) x questions x pairs x (key_bits + value_bits) = " + std::to_string(std::int64_t(words)) +
           " words (" + std::to_string(std::int64_t(words * 4 / (1 << 20))) + " MiB) is above the limit of 2^28 words (1 GiB): lower stories, questions or pairs");
  (void)words_.add("<nil>");
  for (const char* part : {"k", "v"})
    for (int j = 0, n = part[0] == 'k' ? o.key_bits : o.value_bits; j < n; ++j) {
      (void)words_.add(part + std::to_string(j) + "+");
      (void)words_.add(part + std::to_string(j) + "-");
    }
  for (int c = 0; c < (1 << o.value_bits); ++c) {
    std::string s(static_cast<size_t>(o.value_bits), '0');
    for (int j = 0; j < o.value_bits; ++j)
      if ((c >> j) & 1) s[static_cast<size_t>(j)] = '1';
    (void)answers_.add(s);
  }
  generate("train", o.stories, train_);
  generate("val", o.val_stories, val_);
  generate("test", o.test_stories, test_);
}

void KvRecallTask::generate(const std::string& split, int stories, std::vector<babi::Example>& out) const {
  const Rng root = rng_.child("kv-recall-" + split);
  const int K = o_.key_bits, V = o_.value_bits, P = o_.pairs;
  const int vbase = 1 + 2 * K;
  out.reserve(static_cast<size_t>(stories) * static_cast<size_t>(o_.questions));
  for (int i = 0; i < stories; ++i) {
    Rng rng = root.child(static_cast<std::uint64_t>(i));
    std::vector<std::vector<int>> story;
    std::vector<int> answer(static_cast<size_t>(P));
    std::set<std::vector<int>> seen;
    for (int p = 0; p < P; ++p) {
      std::vector<int> key(static_cast<size_t>(K));
      do {
        for (int j = 0; j < K; ++j) key[static_cast<size_t>(j)] = 1 + 2 * j + (rng.bernoulli(0.5) ? 0 : 1);
      } while (!seen.insert(key).second);
      std::vector<int> sentence = key;
      int cls = 0;
      for (int j = 0; j < V; ++j) {
        const bool one = rng.bernoulli(0.5);
        sentence.push_back(vbase + 2 * j + (one ? 0 : 1));
        if (one) cls |= 1 << j;
      }
      answer[static_cast<size_t>(p)] = cls;
      story.push_back(std::move(sentence));
    }
    // the questions' pairs: distinct, uniform over the story
    std::vector<int> order = rng.permutation(P);
    for (int q = 0; q < o_.questions; ++q) {
      const int p = order[static_cast<size_t>(q)];
      babi::Example e;
      e.story = story;
      e.query.assign(story[static_cast<size_t>(p)].begin(), story[static_cast<size_t>(p)].begin() + K);
      e.answer = answer[static_cast<size_t>(p)];
      e.supporting = {p};
      e.task = 0;
      out.push_back(std::move(e));
    }
  }
}

std::vector<std::string> KvRecallTask::eval_splits() const {
  if (o_.test_stories > 0) return {"val", "test"};
  return {"val"};
}

const std::vector<babi::Example>& KvRecallTask::split(const std::string& name) const {
  if (name == "train") return train_;
  if (name == "val") return val_;
  if (name == "test" && o_.test_stories > 0) return test_;
  throw std::invalid_argument("kv_recall: unknown split '" + name + "'; splits: train, val" +
                              (o_.test_stories > 0 ? ", test" : " (test_stories is 0)"));
}

KvPairs KvRecallTask::kv_pairs(const babi::Example& e) const {
  const int K = o_.key_bits, V = o_.value_bits;
  const Index P = static_cast<Index>(e.story.size());
  const auto bit = [&](int word, int base, int j) -> float {
    const int off = word - base - 2 * j;
    if (off != 0 && off != 1)
      throw std::invalid_argument("kv_recall: word " + std::to_string(word) + " is not bit " + std::to_string(j) +
                                  " of a key or value of this task");
    return off == 0 ? 1.0f : -1.0f;
  };
  if (P < 1 || static_cast<int>(e.query.size()) != K || e.answer < 0 || e.answer >= (1 << V))
    throw std::invalid_argument("kv_recall: the example is not one of this task's (" + std::to_string(P) + " pairs, query of " +
                                std::to_string(e.query.size()) + " words, answer " + std::to_string(e.answer) + ")");
  KvPairs out;
  out.keys.resize(P, K);
  out.values.resize(P, V);
  for (Index p = 0; p < P; ++p) {
    const auto& s = e.story[static_cast<size_t>(p)];
    if (static_cast<int>(s.size()) != K + V)
      throw std::invalid_argument("kv_recall: sentence " + std::to_string(p) + " has " + std::to_string(s.size()) +
                                  " words, not key_bits + value_bits = " + std::to_string(K + V));
    for (int j = 0; j < K; ++j) out.keys(p, j) = bit(s[static_cast<size_t>(j)], 1, j);
    for (int j = 0; j < V; ++j) out.values(p, j) = bit(s[static_cast<size_t>(K + j)], 1 + 2 * K, j);
  }
  out.query.resize(1, K);
  for (int j = 0; j < K; ++j) out.query(0, j) = bit(e.query[static_cast<size_t>(j)], 1, j);
  out.answer.resize(1, V);
  for (int j = 0; j < V; ++j) out.answer(0, j) = ((e.answer >> j) & 1) ? 1.0f : -1.0f;
  return out;
}

ENGRAM_REGISTER(tasks(), "kv_recall", "associative recall under load: P key -> value pairs of random bits, then a key (generated)",
    [](Section& cfg, const Rng& rng) -> std::unique_ptr<Task> {
      KvRecallOptions o;
      o.pairs = static_cast<int>(cfg.integer("pairs", 16, 1, 1 << 20));
      o.key_bits = static_cast<int>(cfg.integer("key_bits", 16, 1, 4096));
      o.value_bits = static_cast<int>(cfg.integer("value_bits", 8, 1, 12));
      o.stories = static_cast<int>(cfg.integer("stories", 1000, 1, 100000000));
      o.questions = static_cast<int>(cfg.integer("questions", 1, 1, 1 << 20));
      o.val_stories = static_cast<int>(cfg.integer("val_stories", 100, 1, 100000000));
      o.test_stories = static_cast<int>(cfg.integer("test_stories", 200, 0, 100000000));
      const babi::StoryCurriculum curriculum = babi::read_curriculum(cfg);
      cfg.finish();
      auto task = with_config_errors(cfg, [&] { return std::make_unique<KvRecallTask>(o, rng); });
      task->set_curriculum(curriculum);
      return task;
    });

}  // namespace engram::experiments
