// The date normalisation task, registered as `dates`: a date written out in one of four forms
// ("the fifth of january 2021", "january fifth , 2021", "january 5 , 2021", "5 jan 2021"), to be
// written as YYYY-MM-DD. Years 1900..2099, every day of every month (leap years included).
// Source tokens are words, digits and ","; the target's tokens are characters.
//
//   task: {name: dates, val_size: 500, test_size: 1000}
#include "experiments/tasks/seq2seq/seq2seq_task.h"

#include <cstdio>

namespace engram::experiments::seq2seq {

namespace {

const std::vector<std::string> kMonths{"january", "february", "march", "april", "may", "june", "july",
                                       "august", "september", "october", "november", "december"};
const std::vector<std::string> kOrdinals{
    "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
    "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth", "eighteenth",
    "nineteenth", "twentieth", "twenty-first", "twenty-second", "twenty-third", "twenty-fourth", "twenty-fifth",
    "twenty-sixth", "twenty-seventh", "twenty-eighth", "twenty-ninth", "thirtieth", "thirty-first"};

std::vector<std::string> source_tokens() {
  std::vector<std::string> v{"the", "of", ","};
  for (const auto& m : kMonths) {
    v.push_back(m);
    if (m.size() > 3) v.push_back(m.substr(0, 3));  // "may" is its own abbreviation
  }
  v.insert(v.end(), kOrdinals.begin(), kOrdinals.end());
  for (char c = '0'; c <= '9'; ++c) v.push_back(std::string(1, c));
  return v;
}

int days_in(int year, int month) {
  static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : days[month - 1];
}

void push_digits(std::vector<std::string>& out, int v) {
  for (char c : std::to_string(v)) out.push_back(std::string(1, c));
}

class DatesTask : public Seq2SeqTask {
 public:
  DatesTask(int val_size, int test_size, const Rng& rng)
      : Seq2SeqTask("dates", rng, source_tokens(), characters("0123456789-")) {
    const Generator gen = [this](Rng& r) {
      const int year = 1900 + static_cast<int>(r.below(200)), month = 1 + static_cast<int>(r.below(12));
      const int day = 1 + static_cast<int>(r.below(static_cast<std::uint64_t>(days_in(year, month))));
      std::vector<std::string> s;
      const std::string& m = kMonths[static_cast<size_t>(month - 1)];
      switch (r.below(4)) {
        case 0: s = {"the", kOrdinals[static_cast<size_t>(day - 1)], "of", m}; break;    // the fifth of january 2021
        case 1: s = {m, kOrdinals[static_cast<size_t>(day - 1)], ","}; break;            // january fifth , 2021
        case 2: s = {m}, push_digits(s, day), s.push_back(","); break;                   // january 5 , 2021
        default: push_digits(s, day), s.push_back(m.substr(0, 3)); break;                // 5 jan 2021
      }
      push_digits(s, year);
      char iso[40];
      std::snprintf(iso, sizeof iso, "%04d-%02d-%02d", year, month, day);
      return Seq2SeqExample{source_ids(s), target_ids(characters(iso))};
    };
    set_train_generator(gen);
    add_split("val", val_size, gen);
    add_split("test", test_size, gen);
  }
};

ENGRAM_REGISTER(tasks(), "dates", "write a spelled-out date as YYYY-MM-DD (seq2seq; generated)",
    [](Section& cfg, const Rng& rng) -> std::unique_ptr<Task> {
      const int val = static_cast<int>(cfg.integer("val_size", 500, 1, 1 << 24));
      const int test = static_cast<int>(cfg.integer("test_size", 1000, 1, 1 << 24));
      cfg.finish();
      return std::make_unique<DatesTask>(val, test, rng);
    });

}  // namespace

}  // namespace engram::experiments::seq2seq
