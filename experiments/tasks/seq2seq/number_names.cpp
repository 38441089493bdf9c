// The number names task, registered as `number_names`: a language tag and the digits of a number
// ("<de> 3 4") to be written out as that language's number name, character by character
// ("vierunddreißig"), with the names of Debian's libnumbertext (numbertext.org). The languages
// order their words differently from the digits (German names the ones before the tens, French
// counts "quatre-vingt-dix-sept" for 97), so the attention must learn alignments that are not
// monotonic. The numbers 0..max_value are split once, by the seed, into training, validation and
// test numbers: the val and test splits hold every one of their numbers in every language, and
// no training example ever shows them.
//
//   task: {name: number_names, languages: [de, fr, en], max_value: 999, val_fraction: 0.1,
//          test_fraction: 0.1}
#include "experiments/tasks/seq2seq/seq2seq_task.h"

#include <Numbertext.hxx>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <numeric>
#include <set>

namespace engram::experiments::seq2seq {

namespace {

// The code points of UTF-8 text, each as its own token.
std::vector<std::string> code_points(const std::string& s) {
  std::vector<std::string> out;
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : 4;
    out.push_back(s.substr(i, n));
    i += n;
  }
  return out;
}

struct Names {
  std::vector<std::string> languages;
  std::vector<std::vector<std::string>> name;  // [language][number]
};

std::vector<std::string> available_languages() {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(ENGRAM_NUMBERTEXT_DATA))
    if (e.path().extension() == ".sor") out.push_back(e.path().stem().string());
  std::sort(out.begin(), out.end());
  return out;
}

Names load_names(const std::vector<std::string>& languages, int max_value) {
  Numbertext nt;
  nt.set_prefix(std::string(ENGRAM_NUMBERTEXT_DATA) + "/");
  Names out{languages, {}};
  for (const auto& lang : languages) {
    std::vector<std::string> names;
    for (int n = 0; n <= max_value; ++n) {
      std::string s = std::to_string(n);
      if (!nt.numbertext(s, lang) || s.empty())
        throw std::invalid_argument("libnumbertext has no name for " + std::to_string(n) + " in '" + lang + "'");
      names.push_back(s);
    }
    out.name.push_back(std::move(names));
  }
  return out;
}

std::vector<std::string> source_tokens(const std::vector<std::string>& languages) {
  std::vector<std::string> v;
  for (const auto& l : languages) v.push_back("<" + l + ">");
  for (char c = '0'; c <= '9'; ++c) v.push_back(std::string(1, c));
  return v;
}

std::vector<std::string> target_tokens(const Names& names) {
  std::set<std::string> all;
  for (const auto& lang : names.name)
    for (const auto& n : lang)
      for (auto& c : code_points(n)) all.insert(c);
  return {all.begin(), all.end()};
}

struct NumberNamesOptions {
  std::vector<std::string> languages{"de", "fr", "en"};
  int max_value = 999;
  double val_fraction = 0.1, test_fraction = 0.1;
};

class NumberNamesTask : public Seq2SeqTask {
 public:
  NumberNamesTask(const NumberNamesOptions& o, Names names, const Rng& rng)
      : Seq2SeqTask("number_names", rng, source_tokens(o.languages), target_tokens(names)), names_(std::move(names)) {
    std::vector<int> numbers(static_cast<size_t>(o.max_value) + 1);
    std::iota(numbers.begin(), numbers.end(), 0);
    Rng split_rng = rng.child("number_names-numbers");
    split_rng.shuffle(numbers);
    const auto count = [&](double f) { return std::max<size_t>(1, static_cast<size_t>(f * static_cast<double>(numbers.size()))); };
    const size_t n_test = count(o.test_fraction), n_val = count(o.val_fraction);
    require(n_test + n_val < numbers.size(), "number_names", "val_fraction + test_fraction leave no training numbers");
    test_.assign(numbers.begin(), numbers.begin() + static_cast<long>(n_test));
    val_.assign(numbers.begin() + static_cast<long>(n_test), numbers.begin() + static_cast<long>(n_test + n_val));
    train_.assign(numbers.begin() + static_cast<long>(n_test + n_val), numbers.end());
    set_train_generator([this](Rng& r) {
      return example(static_cast<size_t>(r.below(names_.languages.size())), train_[r.below(train_.size())]);
    });
    add_split("val", every(val_));
    add_split("test", every(test_));
  }

  Seq2SeqExample example(size_t language, int number) const {
    std::vector<std::string> src{"<" + names_.languages[language] + ">"};
    for (char c : std::to_string(number)) src.push_back(std::string(1, c));
    return {source_ids(src), target_ids(code_points(names_.name[language][static_cast<size_t>(number)]))};
  }
  // The shared metrics, and "error/<language>" for each language.
  Metrics score(const std::vector<Seq2SeqExample>& examples, const std::vector<std::vector<int>>& outputs) const override {
    Metrics m = Seq2SeqTask::score(examples, outputs);
    std::vector<double> wrong(names_.languages.size(), 0), count(names_.languages.size(), 0);
    for (size_t i = 0; i < examples.size(); ++i) {
      const auto l = static_cast<size_t>(examples[i].source.front());  // the tag's id is the language's index
      count[l] += 1;
      wrong[l] += outputs[i] != std::vector<int>(examples[i].target.begin(), examples[i].target.end() - 1);
    }
    for (size_t l = 0; l < names_.languages.size(); ++l)
      if (count[l] > 0) m["error/" + names_.languages[l]] = wrong[l] / count[l];
    return m;
  }

 private:
  std::vector<Seq2SeqExample> every(const std::vector<int>& numbers) const {
    std::vector<Seq2SeqExample> out;
    for (size_t l = 0; l < names_.languages.size(); ++l)
      for (int n : numbers) out.push_back(example(l, n));
    return out;
  }

  Names names_;
  std::vector<int> train_, val_, test_;
};

ENGRAM_REGISTER(tasks(), "number_names", "write a number as its name in one of several languages (libnumbertext; seq2seq, held-out numbers)",
    [](Section& cfg, const Rng& rng) -> std::unique_ptr<Task> {
      NumberNamesOptions o;
      o.languages = cfg.strings("languages", o.languages);
      if (o.languages.empty()) cfg.fail("languages", "needs at least one language");
      const std::vector<std::string> known = available_languages();
      for (const auto& l : o.languages)
        if (!std::binary_search(known.begin(), known.end(), l)) {
          std::string list;
          for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
          cfg.fail("languages", "libnumbertext has no language '" + l + "'; it has: " + list);
        }
      o.max_value = static_cast<int>(cfg.integer("max_value", o.max_value, 9, 999999));
      o.val_fraction = cfg.number("val_fraction", o.val_fraction, 0.0, 0.5);
      o.test_fraction = cfg.number("test_fraction", o.test_fraction, 0.0, 0.5);
      const double numbers = o.max_value + 1.0;
      if (std::max(1.0, std::floor(o.val_fraction * numbers)) + std::max(1.0, std::floor(o.test_fraction * numbers)) >= numbers)
        cfg.fail("test_fraction", "with val_fraction (" + std::to_string(o.val_fraction) + ") leaves no training numbers");
      cfg.finish();
      return std::make_unique<NumberNamesTask>(o, load_names(o.languages, o.max_value), rng);
    });

}  // namespace

}  // namespace engram::experiments::seq2seq
