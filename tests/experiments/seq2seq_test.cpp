// The seq2seq tasks and model (experiments/tasks/seq2seq/, models/seq2seq.cpp): every task's
// targets recomputed independently from its source text (reversal, addition, dates checked with
// std::chrono's calendar), seeded splits, option errors at their lines; the attention
// encoder-decoder learns to reverse short strings through the engine, and its metrics are what it
// decodes.
#include "experiments/runner.h"
#include "experiments/tasks/seq2seq/seq2seq_task.h"
#include "tests/experiments/task_fixtures.h"

#include <Numbertext.hxx>

#include <catch2/catch.hpp>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

using namespace engram;
using namespace engram::experiments;
using namespace engram::experiments::seq2seq;
using Catch::Contains;

namespace {

std::unique_ptr<Task> build_task(const std::string& task_yaml, std::uint64_t seed = 5) {
  return test::build_task(task_yaml, seed, "s2s.yaml");
}
const Seq2SeqTask& as_s2s(const std::unique_ptr<Task>& t) { return test::as_family<Seq2SeqTask>(t); }
std::string task_error(const std::string& yaml) { return test::task_error(yaml, "s2s.yaml"); }

std::vector<int> without_end(const std::vector<int>& target) {
  REQUIRE(!target.empty());
  CHECK(target.back() == 0);
  return {target.begin(), target.end() - 1};
}

std::vector<std::string> words(const std::string& s) {
  std::istringstream in(s);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

}  // namespace

TEST_CASE("reversal: the target is the source backwards, lengths as asked, a longer test split", "[seq2seq][reversal]") {
  auto t = build_task("{name: reversal, symbols: 6, min_length: 3, max_length: 9, long_min: 12, long_max: 15, val_size: 50, test_size: 40}");
  const Seq2SeqTask& s = as_s2s(t);
  CHECK(s.eval_splits() == std::vector<std::string>{"val", "test", "long"});
  CHECK(s.target_vocab()[0] == "</s>");
  CHECK(s.target_vocab()[1] == "<s>");
  for (const std::string split : {"val", "test", "long"})
    for (const Seq2SeqExample& e : s.split(split)) {
      const std::string src = s.source_text(e.source, ""), tgt = s.target_text(without_end(e.target));
      CHECK(tgt == std::string(src.rbegin(), src.rend()));
      if (split == "long") CHECK((src.size() >= 12 && src.size() <= 15));
      else CHECK((src.size() >= 3 && src.size() <= 9));
      for (char c : src) CHECK((c >= 'a' && c < 'a' + 6));
    }
  CHECK(s.train_example(4).source == s.train_example(4).source);
  CHECK(s.train_example(4).source != s.train_example(5).source);
  CHECK(as_s2s(build_task("{name: reversal, val_size: 3, test_size: 3}", 6)).split("val")[0].source !=
        as_s2s(build_task("{name: reversal, val_size: 3, test_size: 3}", 5)).split("val")[0].source);
}

TEST_CASE("addition: the target is the sum of the source's operands", "[seq2seq][addition]") {
  auto t = build_task("{name: addition, digits: 4, val_size: 200, test_size: 10}");
  const Seq2SeqTask& s = as_s2s(t);
  for (const Seq2SeqExample& e : s.split("val")) {
    const std::string src = s.source_text(e.source, "");
    const auto plus = src.find('+');
    REQUIRE(plus != std::string::npos);
    const long long a = std::stoll(src.substr(0, plus)), b = std::stoll(src.substr(plus + 1));
    CHECK((a >= 0 && a < 10000 && b >= 0 && b < 10000));
    CHECK(s.target_text(without_end(e.target)) == std::to_string(a + b));
  }
}

TEST_CASE("dates: the target is the ISO date the words name, a real calendar day", "[seq2seq][dates]") {
  auto t = build_task("{name: dates, val_size: 400, test_size: 10}");
  const Seq2SeqTask& s = as_s2s(t);
  const std::vector<std::string> months{"january", "february", "march", "april", "may", "june", "july",
                                        "august", "september", "october", "november", "december"};
  const std::vector<std::string> ordinals{"first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
                                          "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth",
                                          "seventeenth", "eighteenth", "nineteenth", "twentieth"};
  std::set<std::string> forms;
  for (const Seq2SeqExample& e : s.split("val")) {
    const std::vector<std::string> w = words(s.source_text(e.source));
    // read the words back: a month (or its first 3 letters), a day (digits, or an ordinal), a year
    int month = 0, day = 0, year = 0;
    std::string digits, form;
    for (const std::string& x : w) {
      for (size_t m = 0; m < months.size(); ++m)
        if (x == months[m] || x == months[m].substr(0, 3)) month = static_cast<int>(m) + 1, form += x.size() == 3 ? "M" : "Month ";
      for (size_t o = 0; o < ordinals.size(); ++o)
        if (x == ordinals[o]) day = static_cast<int>(o) + 1, form += "ord ";
      if (x == "twenty-first" || x == "thirty-first") day = x[0] == 't' && x[1] == 'w' ? 21 : 31, form += "ord ";
      if (x.rfind("twenty-", 0) == 0 && day == 0) {
        for (size_t o = 0; o < 9; ++o)
          if (x == "twenty-" + ordinals[o]) day = 21 + static_cast<int>(o), form += "ord ";
      }
      if (x == "thirtieth") day = 30, form += "ord ";
      if (x.size() == 1 && std::isdigit(static_cast<unsigned char>(x[0]))) digits += x;
      else if (!digits.empty()) day = std::stoi(digits), digits.clear(), form += "d ";
    }
    year = std::stoi(digits.substr(digits.size() - 4));
    if (digits.size() > 4) day = std::stoi(digits.substr(0, digits.size() - 4)), form += "d ";
    forms.insert(form);
    const std::chrono::year_month_day ymd{std::chrono::year(year), std::chrono::month(static_cast<unsigned>(month)),
                                          std::chrono::day(static_cast<unsigned>(day))};
    CHECK(ymd.ok());
    CHECK((year >= 1900 && year <= 2099));
    char iso[40];
    std::snprintf(iso, sizeof iso, "%04d-%02d-%02d", year, month, day);
    CHECK(s.target_text(without_end(e.target)) == iso);
  }
  CHECK(forms.size() >= 4);  // every written form appears
}

TEST_CASE("seq2seq tasks: bad options are errors at their lines", "[seq2seq][errors]") {
  CHECK_THAT(task_error("{name: reversal, min_length: 8, max_length: 3}"), Contains("s2s.yaml:2") && Contains("task.max_length must be >= min_length (8)"));
  CHECK_THAT(task_error("{name: reversal, symbols: 27}"), Contains("task.symbols"));
  CHECK_THAT(task_error("{name: reversal, long_min: 40, long_max: 35}"), Contains("task.long_max"));
  CHECK_THAT(task_error("{name: addition, digits: 0}"), Contains("task.digits"));
  CHECK_THAT(task_error("{name: dates, format: iso}"), Contains("task.format"));
  CHECK(task_error("{name: reversal, long_max: 0, val_size: 2, test_size: 2}") == "(no error)");
}

TEST_CASE("seq2seq learns to reverse short strings, its metrics are what it decodes", "[seq2seq][learning]") {
  test::TempDir d("seq2seq-learn");
  const RunOutcome out = test::run_yaml(d, "r.yaml", R"(name: r
seed: 2
task: {name: reversal, symbols: 5, min_length: 2, max_length: 5, long_min: 7, long_max: 8, val_size: 100, test_size: 100}
model: {name: seq2seq, embed: 16, encoder: {name: gru, hidden: 24, bidirectional: true}, score: {name: additive, hidden: 16}, beam: 2}
trainer: {steps: 300, batch: 32, threads: 2, eval_every: 300, log_every: 100, optimizer: {name: adam, lr: 0.01},
          early_stopping: {metric: val/error, mode: min, patience: 0}}
)");
  const auto& m = out.result.final_metrics;
  // chance: 5^-n per string; an attention decoder reverses most of them after 300 steps
  CHECK(m.at("test/exact_match") > 0.8);
  CHECK(m.at("test/error") == Approx(1 - m.at("test/exact_match")));
  CHECK(m.at("test/token_accuracy") >= m.at("test/exact_match"));
  CHECK(m.count("long/exact_match") == 1);
}

TEST_CASE("seq2seq model: config errors name the key, it needs a seq2seq task", "[seq2seq][errors]") {
  const auto error = [](const std::string& model, const std::string& task = "{name: reversal, val_size: 2, test_size: 2}") {
    return test::problem_error(task, model, "m.yaml");
  };
  CHECK_THAT(error("{name: seq2seq, encoder: {name: lstm, hiden: 8}}"), Contains("m.yaml:3") && Contains("hiden"));
  CHECK_THAT(error("{name: seq2seq, score: {name: nope}}"), Contains("m.yaml:3") && Contains("nope"));
  CHECK_THAT(error("{name: seq2seq, beam: 0}"), Contains("model.beam"));
  CHECK_THAT(error("{name: seq2seq}", "{name: sort, val_size: 2, test_size: 2}"), Contains("needs a seq2seq task"));
  CHECK(error("{name: seq2seq, embed: 8, encoder: {name: gru, hidden: 8}, attention: false}") == "(no error)");
  CHECK(error("{name: seq2seq, embed: 8, encoder: {hidden: 8}, score: dot, input_feeding: true}", "{name: dates, val_size: 2, test_size: 2}") == "(no error)");
}

TEST_CASE("number_names: libnumbertext's names, held-out numbers never in training", "[seq2seq][number_names]") {
  auto t = build_task("{name: number_names, languages: [de, fr, en], max_value: 199, val_fraction: 0.1, test_fraction: 0.15}");
  const Seq2SeqTask& s = as_s2s(t);
  CHECK(s.source_vocab()[0] == "<de>");
  Numbertext nt;
  nt.set_prefix(std::string(ENGRAM_NUMBERTEXT_DATA) + "/");
  // every target is the library's name of the source's number, in the source's language
  std::map<std::string, std::set<int>> numbers;
  const auto read = [&](const Seq2SeqExample& e) {
    const std::string lang = s.source_vocab()[static_cast<size_t>(e.source[0])];
    const int n = std::stoi(s.source_text({e.source.begin() + 1, e.source.end()}, ""));
    std::string name = std::to_string(n);
    REQUIRE(nt.numbertext(name, lang.substr(1, 2)));
    CHECK(s.target_text(without_end(e.target)) == name);
    return n;
  };
  for (const std::string split : {"val", "test"})
    for (const Seq2SeqExample& e : s.split(split)) numbers[split].insert(read(e));
  CHECK(numbers["val"].size() == 20);
  CHECK(numbers["test"].size() == 30);
  CHECK(s.split("test").size() == 90);  // every test number in every language
  for (std::uint64_t id = 0; id < 3000; ++id) {
    const int n = read(s.train_example(id));
    CHECK(numbers["val"].count(n) == 0);
    CHECK(numbers["test"].count(n) == 0);
  }
  // errors per language: every German answer wrong, the others right
  std::vector<std::vector<int>> outputs;
  for (const Seq2SeqExample& e : s.split("test"))
    outputs.push_back(s.source_vocab()[static_cast<size_t>(e.source[0])] == "<de>" ? std::vector<int>{} : without_end(e.target));
  const Metrics m = s.score(s.split("test"), outputs);
  CHECK(m.at("error/de") == 1);
  CHECK(m.at("error/fr") == 0);
  CHECK(m.at("error/en") == 0);
  CHECK(m.at("error") == Approx(1.0 / 3));
  // what the task is about: names whose order differs from the digits'
  auto all = build_task("{name: number_names, languages: [de, fr], max_value: 99, val_fraction: 0.5, test_fraction: 0.49}");
  std::set<std::string> names;
  for (const std::string split : {"val", "test"})
    for (const Seq2SeqExample& e : as_s2s(all).split(split)) names.insert(as_s2s(all).target_text(without_end(e.target)));
  const bool has34 = names.count("vierunddreißig") == 1, has97 = names.count("quatre-vingt-dix-sept") == 1;
  CHECK((has34 || names.count("dreiunddreißig") == 1));  // one of them held out, by the seed
  CHECK((has97 || names.count("quatre-vingt-seize") == 1 || names.count("quatre-vingt-dix-huit") == 1));
  CHECK_THAT(task_error("{name: number_names, languages: [xx]}"), Contains("task.languages") && Contains("no language 'xx'") && Contains("de"));
  CHECK_THAT(task_error("{name: number_names, languages: []}"), Contains("task.languages"));
  CHECK_THAT(task_error("{name: number_names, val_fraction: 0.5, test_fraction: 0.5}"), Contains("task.test_fraction") && Contains("leaves no training numbers"));
}
