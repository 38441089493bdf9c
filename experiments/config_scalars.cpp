// The scalars of configs (numbers, integers, booleans as YAML spells them) and the small
// helpers every part of the config code shares (experiments/config_tree.h declares them).
#include "experiments/config_tree.h"

#include "experiments/config_yaml.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <climits>
#include <cmath>
#include <limits>

namespace engram::experiments::config_detail {

using Kind = Node::Kind;

std::string join_path(const std::string& prefix, const std::string& key) {
  return prefix.empty() ? key : prefix + "." + key;
}

std::string join(const std::vector<std::string>& v, const std::string& sep) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) out += (i ? sep : "") + v[i];
  return out;
}

// A value as an error message shows it: "'abc'", "null", "a list [a, b]", "a mapping {x: 1}".
std::string describe(const Node& n) {
  switch (n.kind) {
    case Kind::Null: return "null";
    case Kind::Scalar: return "'" + n.text + "'";
    case Kind::Sequence: return "a list " + flow_text(n);
    case Kind::Mapping: return "a mapping " + flow_text(n);
  }
  return {};
}

// ---- scalars -------------------------------------------------------------------------------

bool is_null_spelling(const std::string& s) {
  return s == "~" || s == "null" || s == "Null" || s == "NULL";
}

bool parse_double(const std::string& text, double& out) {
  std::string s = text;
  bool neg = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) neg = s[0] == '-', s.erase(0, 1);
  if (s == ".inf" || s == ".Inf" || s == ".INF") {
    out = neg ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
    return true;
  }
  if (s == ".nan" || s == ".NaN" || s == ".NAN") {
    out = std::numeric_limits<double>::quiet_NaN();
    return true;
  }
  if (s.empty() || !(std::isdigit(static_cast<unsigned char>(s[0])) || s[0] == '.')) return false;
  double v = 0;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return false;
  out = neg ? -v : v;
  return true;
}

bool parse_integer(const std::string& text, long long& out) {
  std::string s = text;
  bool neg = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) neg = s[0] == '-', s.erase(0, 1);
  if (s.empty()) return false;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    unsigned long long u = 0;
    const auto [p, ec] = std::from_chars(s.data() + 2, s.data() + s.size(), u, 16);
    if (ec != std::errc() || p != s.data() + s.size()) return false;
    if (u > static_cast<unsigned long long>(LLONG_MAX) + (neg ? 1 : 0)) return false;
    out = neg ? static_cast<long long>(0 - u) : static_cast<long long>(u);
    return true;
  }
  if (std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    const std::string signed_text = (neg ? "-" : "") + s;
    long long v = 0;
    const auto [p, ec] =
        std::from_chars(signed_text.data(), signed_text.data() + signed_text.size(), v);
    if (ec != std::errc() || p != signed_text.data() + signed_text.size()) return false;
    out = v;
    return true;
  }
  // An integral number written as a float, e.g. 1e5 or 100.0, exactly representable.
  double d = 0;
  if (!parse_double(text, d) || !std::isfinite(d) || d != std::floor(d) ||
      std::fabs(d) > 9007199254740992.0)
    return false;
  out = static_cast<long long>(d);
  return true;
}

bool parse_bool(const std::string& s, bool& out) {
  static const char* yes[] = {"true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON"};
  static const char* no[] = {"false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF"};
  for (const char* y : yes)
    if (s == y) return out = true, true;
  for (const char* n : no)
    if (s == n) return out = false, true;
  return false;
}

std::string format_double(double v) {
  if (std::isinf(v)) return v > 0 ? ".inf" : "-.inf";
  char buf[64];
  const auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc() ? std::string(buf, p) : std::to_string(v);
}


}  // namespace engram::experiments::config_detail
