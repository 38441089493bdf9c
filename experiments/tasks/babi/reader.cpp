// The bAbI v1.2 file format (see babi.h): reading, tokenizing, finding task files, encoding.
#include "experiments/tasks/babi/babi.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace engram::experiments::babi {

namespace fs = std::filesystem;

namespace {

bool is_word_char(char c) {
  const auto u = static_cast<unsigned char>(c);
  return std::isalnum(u) || c == '\'' || c == '-';
}

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  const auto e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}

std::vector<std::string> split_tabs(const std::string& s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (;;) {
    const auto t = s.find('\t', start);
    out.push_back(s.substr(start, t == std::string::npos ? std::string::npos : t - start));
    if (t == std::string::npos) return out;
    start = t + 1;
  }
}

// A positive decimal id (at most 9 digits), or -1.
int parse_id(const std::string& s) {
  if (s.empty() || s.size() > 9) return -1;
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return -1;
    v = v * 10 + (c - '0');
  }
  return v > 0 ? v : -1;
}

std::string shorten(const std::string& s) { return s.size() > 40 ? s.substr(0, 37) + "..." : s; }

// The reader of one file's lines, story by story.
class Reader {
 public:
  Reader(std::string name, int task) : name_(std::move(name)), task_(task) {}

  void line(const std::string& raw, int number) {
    number_ = number;
    std::string s = raw;
    if (!s.empty() && s.back() == '\r') s.pop_back();
    if (trim(s).empty()) return;
    const auto cut = s.find_first_of(" \t");
    const std::string id_text = s.substr(0, cut);
    const int id = parse_id(id_text);
    if (id < 0)
      fail("expected a line id (a positive integer) followed by a space at the start of the line, got '" +
           shorten(id_text) + "'");
    if (cut == std::string::npos || s[cut] != ' ') fail("expected a space and text after the line id " + id_text);
    if (id == 1) {
      ++stories_;
      story_.clear();
      statement_index_.clear();
      question_ids_.clear();
    } else if (prev_id_ == 0) {
      fail("expected id 1 at the start of a story (the first line of the file), got " + id_text);
    } else if (id <= prev_id_) {
      fail("line id " + id_text + " after id " + std::to_string(prev_id_) +
           ": expected ids to increase within a story, or 1 to start a new story");
    }
    prev_id_ = id;
    const std::string rest = s.substr(cut + 1);
    if (rest.find('\t') == std::string::npos)
      statement(id, rest);
    else
      question(id, rest);
  }

  std::vector<Question> take() { return std::move(out_); }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw std::invalid_argument(name_ + ":" + std::to_string(number_) + ": " + what);
  }

  void statement(int id, const std::string& text) {
    const std::string t = trim(text);
    if (!t.empty() && t.back() == '?')
      fail("expected a question line 'ID question?<TAB>answer<TAB>supporting ids', found no tab");
    auto words = tokenize(t);
    if (words.empty()) fail("expected the words of a statement after the line id");
    statement_index_.emplace_back(id, static_cast<int>(story_.size()));
    story_.push_back(std::move(words));
  }

  void question(int id, const std::string& text) {
    const auto fields = split_tabs(text);
    if (fields.size() != 3)
      fail("expected 3 tab-separated fields (question, answer, supporting fact ids), got " +
           std::to_string(fields.size()));
    Question q;
    q.question = tokenize(fields[0]);
    if (q.question.empty()) fail("expected the words of a question before the first tab");
    q.answer = trim(fields[1]);
    if (q.answer.empty()) fail("expected an answer in the second tab-separated field");
    if (q.answer.front() == ',' || q.answer.back() == ',' || q.answer.find(",,") != std::string::npos)
      fail("expected comma-separated answer words, got '" + shorten(q.answer) + "'");
    std::istringstream sup(fields[2]);
    std::string tok;
    while (sup >> tok) {
      const int sid = parse_id(tok);
      if (sid < 0) fail("expected supporting fact ids (positive integers) in the third field, got '" + shorten(tok) + "'");
      if (std::find(question_ids_.begin(), question_ids_.end(), sid) != question_ids_.end())
        fail("supporting fact " + tok + " is a question: expected the id of a statement");
      const auto it = std::find_if(statement_index_.begin(), statement_index_.end(),
                                   [&](const auto& p) { return p.first == sid; });
      if (it == statement_index_.end())
        fail("supporting fact " + tok + " is not a statement of this story before line id " + std::to_string(id));
      q.supporting.push_back(it->second);
    }
    if (q.supporting.empty()) fail("expected at least one supporting fact id in the third field");
    q.story = story_;
    q.task = task_;
    q.story_index = stories_ - 1;
    q.source = name_ + ":" + std::to_string(number_);
    question_ids_.push_back(id);
    out_.push_back(std::move(q));
  }

  std::string name_;
  int task_;
  int number_ = 0;
  int prev_id_ = 0;
  int stories_ = 0;
  std::vector<std::vector<std::string>> story_;
  std::vector<std::pair<int, int>> statement_index_;  // (line id, index into story_)
  std::vector<int> question_ids_;
  std::vector<Question> out_;
};

std::vector<Question> read_stream(std::istream& in, const std::string& name, int task) {
  Reader r(name, task);
  std::string line;
  int number = 0;
  while (std::getline(in, line)) r.line(line, ++number);
  return r.take();
}

}  // namespace

std::vector<std::string> tokenize(const std::string& text) {
  std::vector<std::string> out;
  std::string w;
  const auto flush = [&] {
    if (!w.empty()) out.push_back(std::move(w));
    w.clear();
  };
  for (char c : text) {
    if (is_word_char(c)) {
      w.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    } else {
      flush();
      if (c != '.' && c != '?' && !std::isspace(static_cast<unsigned char>(c))) out.emplace_back(1, c);
    }
  }
  flush();
  return out;
}

std::vector<Question> read_file(const std::string& path, int task) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::invalid_argument(path + ": cannot open the file");
  return read_stream(in, path, task ? task : task_of_file(path));
}

std::vector<Question> read_text(const std::string& text, const std::string& name, int task) {
  std::istringstream in(text);
  return read_stream(in, name, task);
}

int task_of_file(const std::string& path) {
  const std::string f = fs::path(path).filename().string();
  if (f.rfind("qa", 0) != 0) return 0;
  const auto us = f.find('_');
  if (us == std::string::npos) return 0;
  const int n = parse_id(f.substr(2, us - 2));
  return n > 0 ? n : 0;
}

std::string find_task_file(const std::string& dir, int task, const std::string& split) {
  const std::string prefix = "qa" + std::to_string(task) + "_", suffix = "_" + split + ".txt";
  std::vector<std::string> found;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string f = e.path().filename().string();
    if (f.size() >= prefix.size() + suffix.size() && f.rfind(prefix, 0) == 0 &&
        f.compare(f.size() - suffix.size(), suffix.size(), suffix) == 0 && e.is_regular_file())
      found.push_back(e.path().string());
  }
  if (ec) throw std::invalid_argument(dir + ": cannot list the directory: " + ec.message());
  std::sort(found.begin(), found.end());
  if (found.size() > 1) {
    std::string msg = dir + ": several files for task " + std::to_string(task) + " (" + split + "):";
    for (const auto& f : found) msg += " " + fs::path(f).filename().string();
    throw std::invalid_argument(msg);
  }
  return found.empty() ? std::string() : found[0];
}

// ---- encoding -----------------------------------------------------------------------------

int Vocabulary::add(const std::string& w) {
  const auto [it, added] = ids_.emplace(w, size());
  if (added) words_.push_back(w);
  return it->second;
}

int Vocabulary::id(const std::string& w) const {
  const auto it = ids_.find(w);
  return it == ids_.end() ? -1 : it->second;
}

const std::string& Vocabulary::word(int id) const {
  if (id < 0 || id >= size())
    throw std::out_of_range("Vocabulary::word: id " + std::to_string(id) + " out of [0, " + std::to_string(size()) + ")");
  return words_[static_cast<std::size_t>(id)];
}

Example encode(const Question& q, int memory_size, Vocabulary& words, Vocabulary& answers) {
  if (memory_size < 1) throw std::invalid_argument("babi::encode: memory_size must be >= 1, got " + std::to_string(memory_size));
  const auto ids = [&](const std::vector<std::string>& ws) {
    std::vector<int> out;
    out.reserve(ws.size());
    for (const auto& w : ws) out.push_back(words.add(w));
    return out;
  };
  Example e;
  const int n = static_cast<int>(q.story.size());
  const int first = std::max(0, n - memory_size);  // story[first..n) is kept
  e.story.reserve(static_cast<std::size_t>(n - first));
  for (int i = first; i < n; ++i) e.story.push_back(ids(q.story[static_cast<std::size_t>(i)]));
  e.query = ids(q.question);
  e.answer = answers.add(q.answer);
  for (int s : q.supporting)
    if (s >= first) e.supporting.push_back(s - first);
  e.task = q.task;
  return e;
}

std::vector<std::size_t> validation_indices(std::size_t n, double fraction, const Rng& rng) {
  if (!(fraction >= 0 && fraction < 1))
    throw std::invalid_argument("babi::validation_indices: fraction must be in [0, 1), got " + std::to_string(fraction));
  if (n < 2 || fraction == 0) return {};
  auto k = static_cast<std::size_t>(std::llround(static_cast<double>(n) * fraction));
  k = std::clamp<std::size_t>(k, 1, n - 1);
  Rng r = rng;
  std::vector<std::size_t> idx(n);
  for (std::size_t i = 0; i < n; ++i) idx[i] = i;
  for (std::size_t i = 0; i < k; ++i) std::swap(idx[i], idx[i + r.below(n - i)]);  // partial Fisher-Yates
  idx.resize(k);
  std::sort(idx.begin(), idx.end());
  return idx;
}

std::vector<std::size_t> last_story_indices(const std::vector<Question>& questions, double fraction) {
  const std::size_t n = questions.size();
  if (!(fraction > 0 && fraction < 1))
    throw std::invalid_argument("babi::last_story_indices: fraction must be in (0, 1), got " + std::to_string(fraction));
  if (n < 2) throw std::invalid_argument("babi::last_story_indices: needs at least 2 questions, got " + std::to_string(n));
  const auto k = std::clamp<std::size_t>(static_cast<std::size_t>(std::llround(static_cast<double>(n) * fraction)), 1, n - 1);
  const auto boundary = [&](std::size_t i) { return questions[i].story_index != questions[i - 1].story_index; };
  std::size_t start = n - k;
  while (start < n && !boundary(start)) ++start;
  if (start == n) {  // the last story is longer than the share: hold it out whole if another precedes it
    start = n - k;
    while (start > 0 && !boundary(start)) --start;
  }
  if (start == 0)
    throw std::invalid_argument("babi::last_story_indices: the " + std::to_string(n) + " questions (" + questions[0].source +
                                " on) are one story; nothing to hold out in whole stories (val_split: random)");
  std::vector<std::size_t> idx;
  for (std::size_t i = start; i < n; ++i) idx.push_back(i);
  return idx;
}

}  // namespace engram::experiments::babi
