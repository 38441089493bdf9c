// engram/core/options.h — a small typed key/value bag for building registered components
// (scores, normalizers, addressing stages, rules) without depending on the config layer.
//
// The experiments layer fills an Options from a validated YAML section (values keep their text);
// a component reads what it needs with defaults and ranges, then calls finish(), which rejects
// keys nobody read. Errors are std::invalid_argument whose message starts with the key
// ("beta: must be > 0, got -1"), so the config layer can prefix the key's file:line.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace engram {

class Options {
 public:
  Options() = default;
  Options& set(const std::string& key, const std::string& value);
  Options& set(const std::string& key, double value);
  bool has(const std::string& key) const { return values_.count(key) > 0; }
  std::vector<std::string> keys() const;

  double number(const std::string& key, double def, double lo = -std::numeric_limits<double>::infinity(),
                double hi = std::numeric_limits<double>::infinity()) const;
  long long integer(const std::string& key, long long def, long long lo = std::numeric_limits<long long>::min(),
                    long long hi = std::numeric_limits<long long>::max()) const;
  bool boolean(const std::string& key, bool def) const;
  std::string string(const std::string& key, const std::string& def) const;
  std::string choice(const std::string& key, const std::string& def, const std::vector<std::string>& allowed) const;

  // Throws for keys that were set but never read: "hiden: unknown option (did you mean hidden?)".
  void finish(const std::string& component) const;

 private:
  std::map<std::string, std::string> values_;
  mutable std::set<std::string> read_;
};

}  // namespace engram
