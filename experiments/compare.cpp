#include "experiments/compare.h"

#include "experiments/study.h"

#include <fstream>
#include <sstream>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>

namespace engram::experiments {

namespace {

using GroupKey = std::vector<std::optional<std::string>>;  // nullopt = the run lacks the key

const std::string kDash = "\u2014";  // em dash: "no value" in markdown

std::optional<double> parse_number(const std::string& s) {
  double v = 0;
  const char* end = s.data() + s.size();
  const auto [p, ec] = std::from_chars(s.data(), end, v);
  if (ec != std::errc() || p != end || std::isnan(v)) return std::nullopt;
  return v;
}

// Strict weak order on one group value: numbers (by value, then spelling) < other strings
// (lexicographic) < missing.
bool value_less(const std::optional<std::string>& a, const std::optional<std::string>& b) {
  if (!a || !b) return a.has_value() && !b.has_value();
  const auto na = parse_number(*a), nb = parse_number(*b);
  if (na && nb) return *na != *nb ? *na < *nb : *a < *b;
  if (na || nb) return na.has_value();
  return *a < *b;
}

bool key_less(const GroupKey& a, const GroupKey& b) {
  for (size_t i = 0; i < a.size(); ++i) {
    if (value_less(a[i], b[i])) return true;
    if (value_less(b[i], a[i])) return false;
  }
  return false;
}

std::optional<std::string> param_of(const RunRecord& r, const std::string& key) {
  for (const auto& [k, v] : r.params)
    if (k == key) return v;
  return std::nullopt;
}

std::string join(const std::set<std::string>& names) {
  if (names.empty()) return "(none)";
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

std::string fmt(double v, int precision) {
  char buf[512];
  std::snprintf(buf, sizeof buf, "%.*f", precision, v);
  std::string s = buf;
  // "-0.0000" -> "0.0000": a tiny negative mean should not print a sign.
  if (s.size() > 1 && s[0] == '-' && s.find_first_not_of("0.", 1) == std::string::npos) s.erase(0, 1);
  return s;
}

struct Stat {
  size_t count = 0;
  double mean = 0, std = 0;  // std valid when count >= 2
};

Stat stat_of(const std::vector<double>& xs) {
  Stat s;
  s.count = xs.size();
  if (xs.empty()) return s;
  double sum = 0;
  for (double x : xs) sum += x;
  s.mean = sum / static_cast<double>(xs.size());
  if (xs.size() >= 2) {
    double ss = 0;  // two-pass: sum of squared deviations from the mean
    for (double x : xs) ss += (x - s.mean) * (x - s.mean);
    s.std = std::sqrt(ss / static_cast<double>(xs.size() - 1));
  }
  return s;
}

// Display width of UTF-8 text: one column per code point.
size_t width(const std::string& s) {
  size_t w = 0;
  for (unsigned char c : s) w += (c & 0xC0) != 0x80;
  return w;
}

std::string md_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '|') out += '\\';
    out += c == '\n' ? ' ' : c;
  }
  return out;
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string render_markdown(const std::vector<std::vector<std::string>>& rows, size_t n_left) {
  const size_t cols = rows.front().size();
  std::vector<size_t> w(cols, 0);
  for (const auto& row : rows)
    for (size_t c = 0; c < cols; ++c) w[c] = std::max(w[c], width(row[c]));
  auto line = [&](const std::vector<std::string>& row) {
    std::string out = "|";
    for (size_t c = 0; c < cols; ++c) {
      const std::string pad(w[c] - width(row[c]), ' ');
      out += " " + (c < n_left ? row[c] + pad : pad + row[c]) + " |";
    }
    return out + "\n";
  };
  std::string out = line(rows.front());
  out += "|";
  for (size_t c = 0; c < cols; ++c) out += c < n_left ? std::string(w[c] + 2, '-') + "|" : std::string(w[c] + 1, '-') + ":|";
  out += "\n";
  for (size_t r = 1; r < rows.size(); ++r) out += line(rows[r]);
  return out;
}

}  // namespace

namespace {

// What compare_runs checks of its options against the runs: metrics to show, and the metric and
// direction of --best (empty when not asked).
struct CompareSpec {
  std::vector<std::string> metrics;
  std::string best_metric;
  bool best_max = false;
};

CompareSpec check_compare(const std::vector<RunRecord>& runs, const CompareOptions& opt) {
  if (opt.format != "markdown" && opt.format != "csv")
    throw std::invalid_argument("compare: unknown format '" + opt.format + "' (expected markdown or csv)");
  if (opt.precision < 0 || opt.precision > 17)
    throw std::invalid_argument("compare: precision must be in [0, 17], got " + std::to_string(opt.precision));
  if (runs.empty()) throw std::invalid_argument("compare: no runs to compare");
  std::set<std::string> param_keys, metric_names;
  for (const auto& r : runs) {
    for (const auto& kv : r.params) param_keys.insert(kv.first);
    for (const auto& kv : r.summary) metric_names.insert(kv.first);
  }
  for (const auto& k : opt.group_by)
    if (!param_keys.count(k))
      throw std::invalid_argument("compare: unknown group_by key '" + k + "'; available params: " + join(param_keys));
  for (const auto& m : opt.metrics)
    if (!metric_names.count(m))
      throw std::invalid_argument("compare: unknown metric '" + m + "'; available metrics: " + join(metric_names));
  CompareSpec spec;
  if (!opt.best.empty()) {
    const auto colon = opt.best.rfind(':');
    spec.best_metric = colon == std::string::npos ? opt.best : opt.best.substr(0, colon);
    const std::string mode = colon == std::string::npos ? "min" : opt.best.substr(colon + 1);
    if (mode != "min" && mode != "max")
      throw std::invalid_argument("compare: best must be METRIC:min or METRIC:max, got '" + opt.best + "'");
    spec.best_max = mode == "max";
    if (!metric_names.count(spec.best_metric))
      throw std::invalid_argument("compare: unknown metric '" + spec.best_metric + "' for best; available metrics: " +
                                  join(metric_names));
  }
  spec.metrics = opt.metrics.empty() ? std::vector<std::string>(metric_names.begin(), metric_names.end()) : opt.metrics;
  return spec;
}

// The runs grouped by the exact values of the group_by keys, groups in key order.
std::vector<std::pair<GroupKey, std::vector<const RunRecord*>>> group_runs(const std::vector<RunRecord>& runs,
                                                                          const std::vector<std::string>& group_by) {
  std::map<GroupKey, std::vector<const RunRecord*>> by_key;
  for (const auto& r : runs) {
    GroupKey key;
    for (const auto& k : group_by) key.push_back(param_of(r, k));
    by_key[key].push_back(&r);
  }
  std::vector<std::pair<GroupKey, std::vector<const RunRecord*>>> groups(by_key.begin(), by_key.end());
  std::stable_sort(groups.begin(), groups.end(), [](const auto& a, const auto& b) { return key_less(a.first, b.first); });
  return groups;
}

// Orders runs whose best metrics tie, so that the pick does not depend on the index's order
// (which runs finished first among parallel workers): the lower seed, then the config hash.
bool tie_before(const RunRecord& a, const RunRecord& b) {
  const auto sa = param_of(a, "seed"), sb = param_of(b, "seed");
  if (value_less(sa, sb) || value_less(sb, sa)) return value_less(sa, sb);  // (a run without a seed last)
  return a.config_hash != b.config_hash ? a.config_hash < b.config_hash : a.id < b.id;
}

// The group's run with the best value of spec.best_metric (none when no run has it); ties go to
// tie_before's first.
std::vector<const RunRecord*> best_of(const std::vector<const RunRecord*>& group, const CompareSpec& spec) {
  const RunRecord* pick = nullptr;
  for (const RunRecord* r : group) {
    const auto it = r->summary.find(spec.best_metric);
    if (it == r->summary.end() || std::isnan(it->second)) continue;
    const double cur = pick ? pick->summary.at(spec.best_metric) : 0;
    if (!pick || (spec.best_max ? it->second > cur : it->second < cur) || (it->second == cur && tie_before(*r, *pick))) pick = r;
  }
  return pick ? std::vector<const RunRecord*>{pick} : std::vector<const RunRecord*>{};
}

// One group's row: its key values, its size, then mean (± std) of each metric over `members`.
std::vector<std::string> group_row(const GroupKey& key, size_t size, const std::vector<const RunRecord*>& members,
                                   const CompareSpec& spec, const CompareOptions& opt) {
  const bool md = opt.format == "markdown";
  std::vector<std::string> row;
  for (const auto& v : key) row.push_back(v ? *v : (md ? kDash : ""));
  row.push_back(std::to_string(size));
  for (const auto& m : spec.metrics) {
    std::vector<double> xs;
    for (const RunRecord* r : members) {
      const auto it = r->summary.find(m);
      if (it != r->summary.end()) xs.push_back(it->second);
    }
    const Stat s = stat_of(xs);
    if (md) {
      std::string cell = kDash;
      if (s.count >= 1) cell = fmt(s.mean, opt.precision);
      if (s.count >= 2) cell += " \u00b1 " + fmt(s.std, opt.precision);
      if (s.count >= 1 && s.count != members.size() && spec.best_metric.empty()) cell += " (n=" + std::to_string(s.count) + ")";
      row.push_back(cell);
    } else {
      row.push_back(s.count >= 1 ? fmt(s.mean, opt.precision) : "");
      row.push_back(s.count >= 2 ? fmt(s.std, opt.precision) : "");
    }
  }
  return row;
}

}  // namespace

std::string compare_runs(const std::vector<RunRecord>& runs, const CompareOptions& opt) {
  const CompareSpec spec = check_compare(runs, opt);
  const bool md = opt.format == "markdown";
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> header(opt.group_by.begin(), opt.group_by.end());
  header.push_back("n");
  for (const auto& m : spec.metrics) {
    if (md) {
      header.push_back(m);
    } else {
      header.push_back(m + "_mean");
      header.push_back(m + "_std");
    }
  }
  rows.push_back(header);
  for (const auto& [key, group] : group_runs(runs, opt.group_by))
    rows.push_back(group_row(key, group.size(), spec.best_metric.empty() ? group : best_of(group, spec), spec, opt));

  if (md) {
    for (auto& row : rows)
      for (auto& cell : row) cell = md_escape(cell);
    return render_markdown(rows, opt.group_by.size());
  }
  std::string out;
  for (const auto& row : rows) {
    for (size_t c = 0; c < row.size(); ++c) out += (c ? "," : "") + csv_field(row[c]);
    out += "\n";
  }
  return out;
}

namespace {

// `body` (a table rendered by Table: csv, or markdown with its separator line) with the group
// columns of each row put in front, line by line.
std::string with_group_columns(const std::string& body, const std::vector<std::vector<std::string>>& keys,
                               const CompareOptions& opt) {
  std::istringstream lines(body);
  std::string line, result;
  std::vector<size_t> width(opt.group_by.size());
  for (size_t g = 0; g < width.size(); ++g) {
    width[g] = opt.group_by[g].size();
    for (const auto& kv : keys) width[g] = std::max(width[g], kv[g].size());
  }
  size_t i = 0;
  for (int n = 0; std::getline(lines, line); ++n) {
    std::string prefix;
    for (size_t g = 0; g < width.size(); ++g) {
      std::string v = n == 0 ? opt.group_by[g] : (opt.format != "csv" && n == 1) ? std::string() : keys[i][g];
      if (opt.format == "csv") {
        prefix += v + ",";
      } else {
        if (n == 1) v = std::string(width[g] + 1, '-');
        else v = " " + v + std::string(width[g] - v.size(), ' ');
        prefix += (g == 0 ? "|" : "") + v + (n == 1 ? "|" : " |");
      }
    }
    if (opt.format != "csv" && !prefix.empty()) line = prefix + line.substr(1);
    else line = prefix + line;
    if (n >= (opt.format == "csv" ? 1 : 2)) ++i;
    result += line + "\n";
  }
  return result;
}

}  // namespace

std::string stack_run_tables(const std::vector<RunRecord>& runs, const CompareOptions& opt) {
  if (runs.empty()) throw std::invalid_argument("no runs match");
  std::vector<std::pair<GroupKey, const RunRecord*>> order;
  for (const auto& r : runs) {
    GroupKey k;
    for (const auto& key : opt.group_by) {
      std::optional<std::string> v;
      for (const auto& [pk, pv] : r.params)
        if (pk == key) v = pv;
      k.push_back(v);
    }
    order.emplace_back(std::move(k), &r);
  }
  std::stable_sort(order.begin(), order.end(), [](const auto& a, const auto& b) { return key_less(a.first, b.first); });
  Table out;
  std::vector<std::vector<std::string>> keys;  // group values per output row
  std::vector<size_t> pick;
  std::vector<std::string> columns;
  for (const auto& [k, r] : order) {
    const std::string path = r->dir + "/table.csv";
    std::ifstream in(path);
    if (!in) throw std::invalid_argument("run " + r->id + " has no table (" + path + "); --rows needs study runs");
    std::stringstream text;
    text << in.rdbuf();
    const Table t = Table::from_csv(text.str(), path);
    if (columns.empty()) {
      columns = t.columns;
      if (opt.metrics.empty()) {
        for (size_t c = 0; c < columns.size(); ++c) pick.push_back(c);
      } else {
        for (const auto& m : opt.metrics) {
          auto it = std::find(columns.begin(), columns.end(), m);
          if (it == columns.end()) {
            std::string all;
            for (const auto& c : columns) all += (all.empty() ? "" : ", ") + c;
            throw std::invalid_argument("no column '" + m + "' in the tables; columns: " + all);
          }
          pick.push_back(size_t(it - columns.begin()));
        }
      }
      for (size_t c : pick) out.columns.push_back(columns[c]);
    } else if (t.columns != columns) {
      throw std::invalid_argument("run " + r->id + "'s table has different columns from the first run's");
    }
    for (const auto& row : t.rows) {
      std::vector<double> sel;
      for (size_t c : pick) sel.push_back(row[c]);
      out.rows.push_back(std::move(sel));
      std::vector<std::string> kv;
      for (const auto& v : k) kv.push_back(v ? *v : (opt.format == "csv" ? "" : kDash));
      keys.push_back(std::move(kv));
    }
  }
  return with_group_columns(opt.format == "csv" ? out.csv() : out.markdown(opt.precision), keys, opt);
}

}  // namespace engram::experiments
