#include "core/options.h"

#include "core/registry.h"
#include "core/tensor.h"

#include <cmath>
#include <cstdlib>

namespace engram {

Options& Options::set(const std::string& key, const std::string& value) {
  values_[key] = value;
  return *this;
}
Options& Options::set(const std::string& key, double value) { return set(key, num_str(value)); }

std::vector<std::string> Options::keys() const {
  std::vector<std::string> k;
  for (const auto& [key, v] : values_) k.push_back(key);
  return k;
}

double Options::number(const std::string& key, double def, double lo, double hi) const {
  read_.insert(key);
  double v = def;
  if (auto it = values_.find(key); it != values_.end()) {
    char* end = nullptr;
    v = std::strtod(it->second.c_str(), &end);
    if (it->second.empty() || *end != '\0' || std::isnan(v))
      throw std::invalid_argument(key + ": expected a number, got '" + it->second + "'");
  }
  if (!(v >= lo && v <= hi))
    throw std::invalid_argument(key + ": must be in [" + num_str(lo) + ", " + num_str(hi) + "], got " + num_str(v));
  return v;
}

long long Options::integer(const std::string& key, long long def, long long lo, long long hi) const {
  read_.insert(key);
  long long v = def;
  if (auto it = values_.find(key); it != values_.end()) {
    char* end = nullptr;
    v = std::strtoll(it->second.c_str(), &end, 10);
    if (it->second.empty() || *end != '\0')
      throw std::invalid_argument(key + ": expected an integer, got '" + it->second + "'");
  }
  if (v < lo || v > hi)
    throw std::invalid_argument(key + ": must be in [" + std::to_string(lo) + ", " + std::to_string(hi) +
                                "], got " + std::to_string(v));
  return v;
}

bool Options::boolean(const std::string& key, bool def) const {
  read_.insert(key);
  auto it = values_.find(key);
  if (it == values_.end()) return def;
  const std::string& s = it->second;
  if (s == "true" || s == "1" || s == "yes" || s == "on") return true;
  if (s == "false" || s == "0" || s == "no" || s == "off") return false;
  throw std::invalid_argument(key + ": expected true or false, got '" + s + "'");
}

std::string Options::string(const std::string& key, const std::string& def) const {
  read_.insert(key);
  auto it = values_.find(key);
  return it == values_.end() ? def : it->second;
}

std::string Options::choice(const std::string& key, const std::string& def,
                            const std::vector<std::string>& allowed) const {
  const std::string v = string(key, def);
  for (const auto& a : allowed)
    if (a == v) return v;
  std::string list;
  for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
  const std::string near = nearest_name(v, allowed);
  throw std::invalid_argument(key + ": must be one of " + list + ", got '" + v + "'" +
                              (near.empty() ? "" : " (did you mean " + near + "?)"));
}

void Options::finish(const std::string& component) const {
  for (const auto& [key, v] : values_) {
    if (read_.count(key)) continue;
    std::vector<std::string> known(read_.begin(), read_.end());
    const std::string near = nearest_name(key, known);
    std::string list;
    for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
    throw std::invalid_argument(key + ": unknown option of " + component +
                                (near.empty() ? "" : " (did you mean " + near + "?)") +
                                "; options: " + (list.empty() ? "(none)" : list));
  }
}

}  // namespace engram
