// engram/experiments/config.h — experiment configs: YAML files composed through `defaults:`,
// command-line overrides, and a validating reader whose every error names where and what.
//
// A config file is a YAML mapping. Its optional top-level `defaults:` lists other config files
// (paths relative to the including file's directory); they are composed in order, each one
// deep-merged over the previous, and then the including file's own keys are merged over them.
// Deep merge: a mapping merged over a mapping merges key by key (recursively); anything else
// (scalar, list, null) replaces the old value. Included files may have defaults of their own;
// a cycle is an error naming the chain. Every composed config must set a top-level `seed`.
//
// Command-line overrides, applied in order after composition:
//   key.sub=value    changes an existing key (an unknown key is an error with a suggestion)
//   +key.sub=value   adds a key that does not exist yet (missing parent mappings are created)
// The value is parsed as YAML: a scalar (`3`, `0.1`, `true`, `'a b'`), or a flow list or mapping
// (`[a, b]`, `{x: 1}`). An empty value is the empty string; `null` or `~` is null.
// An override replaces the whole value, also when old and new are both mappings.
//   key.sub=@other.path  sets key.sub to a copy of the value at other.path (as the earlier
//                    overrides left it), keeping the file:line of every value in it: errors
//                    in the copy name the lines of other.path (a comparison's cells take their
//                    model from comparison.readers.<row> this way)
//   ~key.sub         removes an existing key (seed cannot be removed)
//
// Every value keeps its source — file and 1-based line, or the override text — through
// composition and overriding, so every error raised later reads like
//   experiments/configs/kv.yaml:14: model.hops must be >= 1, got -3
//   override 'model.hopz=3': unknown key model.hopz (did you mean model.hops?)
// All errors are ConfigError; the `engram` command maps it to exit status 2.
//
// Reading: each component takes a Section (a view on one mapping, e.g. "model"), reads its keys
// with typed, range-checked reads, and calls finish(), which rejects every key present in the
// mapping that no read touched (a typo in a config is an error, never silently ignored).
// A key whose value is null (`key:` or `key: null`) counts as not set: reads with a default
// return the default, required reads fail as for a missing key.
//
//   Config cfg = Config::load("experiments/configs/kv.yaml", {"model.hops=3"});
//   Section m = cfg.section("model");
//   const long long hops = m.integer("hops", 1, 1, 16);
//   const std::string score = m.choice("score", "dot", {"dot", "bilinear", "cosine"});
//   m.finish();
//
// Sections of one Config share its tree and its record of touched keys (copies of a Config
// share them too). Not thread-safe: read configs from one thread.
#pragma once

#include "core/options.h"

#include <climits>
#include <cstdint>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace engram::experiments {

// Every config problem: unreadable file, YAML syntax, bad composition, bad override, missing
// key, wrong type, out of range, unknown key. The message starts with where ("file:line" or
// "override '...'") and says what.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

namespace config_detail {
struct Node;
struct State;
}  // namespace config_detail

struct Choice;

// A view on one mapping of the resolved config. Reads mark their key as touched (finish()
// accepts it) and known (finish() lists it among the valid keys), whether or not it is present.
// `key` is one mapping key, never a dotted path; use section() to descend.
class Section {
 public:
  // Dotted path from the root: "model", "trainer.optimizer"; "" for the root.
  std::string path() const;
  // True if the key is present with a non-null value. Marks the key as known, not as touched.
  bool has(const std::string& key) const;
  // True if the key is present with a scalar value (a name, a number), or with a list. Mark the
  // key as known, not as touched.
  bool is_scalar(const std::string& key) const;
  bool is_list(const std::string& key) const;
  // A key that has been renamed: when `old_key` is set and `new_key` is not, records a
  // deprecation warning ("file:line: model.attention_score is deprecated; use model.score") and
  // returns old_key; otherwise returns new_key. The caller reads the key it gets.
  std::string renamed(const std::string& old_key, const std::string& new_key);
  // The keys present in this mapping, in file order. Marks nothing.
  std::vector<std::string> keys() const;

  // An integer (decimal, 0x hex, or an integral number such as 1e5) in [lo, hi].
  long long integer(const std::string& key, long long def, long long lo = LLONG_MIN,
                    long long hi = LLONG_MAX);
  long long integer(const std::string& key);  // required
  // A finite number in [lo, hi] (`.inf`/`-.inf` accepted when the range allows; NaN never).
  double number(const std::string& key, double def,
                double lo = -std::numeric_limits<double>::infinity(),
                double hi = std::numeric_limits<double>::infinity());
  double number(const std::string& key);  // required
  // true/false (also True/TRUE, yes/no, on/off).
  bool boolean(const std::string& key, bool def);
  // Any scalar, as its text.
  std::string string(const std::string& key, const std::string& def);
  std::string string(const std::string& key);  // required
  // A scalar that must be one of `allowed` (the error lists them and the nearest).
  std::string choice(const std::string& key, const std::string& def,
                     const std::vector<std::string>& allowed);
  // A YAML list of scalars; a lone scalar counts as a list of one.
  std::vector<std::string> strings(const std::string& key, std::vector<std::string> def);
  // A file or directory path. A relative path is resolved against the directory of the config
  // file that set it (relative to the working directory if it came from an override); the
  // default is returned as given.
  std::string path_value(const std::string& key, const std::string& def);
  // The sub-mapping at `key`. Missing or null: an empty section whose source is this one's.
  // Present but not a mapping: an error.
  Section section(const std::string& key);
  // A list of mappings (a lone mapping counts as a list of one); paths read "key[0]", ...
  // Missing or null: no sections.
  std::vector<Section> sections(const std::string& key);

  // Where that key's value was set ("file:line" or "override '...'"); this section's own
  // source when the key is missing.
  std::string source(const std::string& key) const;
  // Where this section was set (the file of the root config for the root).
  std::string source() const;
  // Throws ConfigError("<source(key)>: <path.key> <message>"), for checks a component makes
  // itself, e.g. fail("heads", "must divide model.dim = 64, got 5").
  [[noreturn]] void fail(const std::string& key, const std::string& message) const;

  // Throws for the keys present in the mapping that no read touched, one line each:
  //   "<file:line>: unknown key model.hopz (did you mean model.hops?); valid keys: a, b, c"
  // Each component calls finish() after reading its section. Does not descend into
  // sub-sections: whoever reads a sub-section finishes it.
  void finish() const;

 private:
  friend class Config;
  friend std::vector<Choice> read_choices(Section&, const std::string&, const std::vector<std::string>&);
  Section(std::shared_ptr<config_detail::State> state, std::string path,
          const config_detail::Node* node, std::string source);
  const config_detail::Node* lookup(const std::string& key, bool touch) const;
  const config_detail::Node* require(const std::string& key);
  std::string full(const std::string& key) const;

  std::shared_ptr<config_detail::State> state_;
  std::string path_;
  const config_detail::Node* node_;  // nullptr: missing (empty) section
  std::string source_;
};

class Config {
 public:
  // Reads and composes `path` (messages name it as given), then applies the overrides.
  static Config load(const std::string& path, const std::vector<std::string>& overrides = {});
  // The same from text; `name_for_messages` stands for the file name in messages and its
  // directory is where relative `defaults:` entries and paths are looked up.
  static Config parse(const std::string& yaml_text, const std::string& name_for_messages,
                      const std::vector<std::string>& overrides = {});

  Section root();
  // The mapping at a dotted path ("trainer.optimizer"); "" is the root. Missing parts give an
  // empty section (see Section::section).
  Section section(const std::string& dotted_path);

  // Deprecation warnings recorded while the config was read (Section::renamed), in order.
  std::vector<std::string> warnings() const;

  // The top-level `seed` (validated at load: an integer >= 0). Marks it touched.
  std::uint64_t seed() const;
  // The top-level `name` if set, else the stem of the config file. Marks `name` touched.
  std::string experiment_name() const;
  // The config file as given to load() / parse().
  std::string file() const;

  // The resolved config as YAML (for the run directory): keys in composition order, quoted
  // scalars stay quoted. parse(to_yaml()) gives the same flatten().
  std::string to_yaml() const;
  // ("model.hops", "3") for every leaf: scalars as their text, null as "null", lists as their
  // flow text "[a, b]", empty mappings as "{}". In to_yaml() order.
  std::vector<std::pair<std::string, std::string>> flatten() const;

 private:
  explicit Config(std::shared_ptr<config_detail::State> state);
  std::shared_ptr<config_detail::State> state_;
};

// One component chosen by a config: `key: name` (the shorthand) or `key: {name: ..., <options>}`.
// Scores, normalizers, encoders, poolers, controllers, addressing stages, learning rules and
// topologies are all chosen this way (experiments/problem.h builds them from their registries).
struct Choice {
  std::string name;
  Options options;                   // the mapping's other keys (none for the shorthand)
  std::string source;                // where the name was set ("file:line"), or the section's
  std::string path;                  // "model.score", "model.addressing[1]"
  std::shared_ptr<Section> section;  // the mapping, so that an option's error names its line;
                                     // null for the shorthand
};
// The choice at parent[key], `def` when the key is absent or null. Marks the key (and the
// mapping's keys) read. A list is an error naming the key.
Choice read_choice(Section& parent, const std::string& key, const std::string& def);
// A list of choices at parent[key], each a name or a mapping (one list may mix them; a lone
// name or mapping counts as a list of one); `def` (names) when absent.
std::vector<Choice> read_choices(Section& parent, const std::string& key, const std::vector<std::string>& def);

// Multirun: an override whose value has top-level commas (outside [], {} and quotes) is a
// sweep over its comma-separated items. Returns the override lists of the cartesian product,
// the first sweep varying slowest; overrides without commas appear unchanged in every list.
//   {"seed=0,1", "model.hops=1,2"} -> {{"seed=0","model.hops=1"}, {"seed=0","model.hops=2"},
//                                      {"seed=1","model.hops=1"}, {"seed=1","model.hops=2"}}
// No sweep: one list equal to the input. An empty item ("seed=1,,2") is a ConfigError naming
// the override.
std::vector<std::vector<std::string>> expand_multirun(const std::vector<std::string>& overrides);

}  // namespace engram::experiments
