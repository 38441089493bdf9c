#include "experiments/compare.h"

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

std::string compare_runs(const std::vector<RunRecord>& runs, const CompareOptions& opt) {
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
  const std::vector<std::string> metrics =
      opt.metrics.empty() ? std::vector<std::string>(metric_names.begin(), metric_names.end()) : opt.metrics;

  // Group by exact values, then order the groups.
  std::map<GroupKey, std::vector<const RunRecord*>> by_key;
  for (const auto& r : runs) {
    GroupKey key;
    for (const auto& k : opt.group_by) key.push_back(param_of(r, k));
    by_key[key].push_back(&r);
  }
  std::vector<std::pair<GroupKey, std::vector<const RunRecord*>>> groups(by_key.begin(), by_key.end());
  std::stable_sort(groups.begin(), groups.end(), [](const auto& a, const auto& b) { return key_less(a.first, b.first); });

  const bool md = opt.format == "markdown";
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> header(opt.group_by.begin(), opt.group_by.end());
  header.push_back("n");
  for (const auto& m : metrics) {
    if (md) {
      header.push_back(m);
    } else {
      header.push_back(m + "_mean");
      header.push_back(m + "_std");
    }
  }
  rows.push_back(header);

  for (const auto& [key, members] : groups) {
    std::vector<std::string> row;
    for (const auto& v : key) row.push_back(v ? *v : (md ? kDash : ""));
    row.push_back(std::to_string(members.size()));
    for (const auto& m : metrics) {
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
        if (s.count >= 1 && s.count != members.size()) cell += " (n=" + std::to_string(s.count) + ")";
        row.push_back(cell);
      } else {
        row.push_back(s.count >= 1 ? fmt(s.mean, opt.precision) : "");
        row.push_back(s.count >= 2 ? fmt(s.std, opt.precision) : "");
      }
    }
    rows.push_back(std::move(row));
  }

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

}  // namespace engram::experiments
