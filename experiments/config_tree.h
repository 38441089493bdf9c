// engram/experiments/config_tree.h — the config tree behind Config and Section (internal to
// experiments/config*.cpp): values with the file:line (or override) that set them.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace engram::experiments {

namespace config_detail {

// Where a value was set: a file and 1-based line (0: the file as a whole), or an override.
struct Source {
  std::string file;
  int line = 0;
  bool is_override = false;
  std::string override_text;

  static Source in_file(std::string f, int l) { return Source{std::move(f), l, false, {}}; }
  static Source from_override(std::string text) { return Source{{}, 0, true, std::move(text)}; }

  std::string str() const {
    if (is_override) return "override '" + override_text + "'";
    return line > 0 ? file + ":" + std::to_string(line) : file;
  }
  // The directory relative paths set here are resolved against ("" = working directory).
  std::string dir() const { return is_override ? std::string() : std::filesystem::path(file).parent_path().string(); }
};

// The config tree. Mapping children keep insertion order and carry their key; scalars keep
// their text and whether they were quoted (a quoted scalar is a string, `'3'` is not 3).
struct Node {
  enum class Kind { Null, Scalar, Sequence, Mapping };
  Kind kind = Kind::Null;
  std::string key;   // when this is a mapping entry
  std::string text;  // Scalar
  bool quoted = false;
  std::vector<Node> children;  // Sequence items or Mapping entries
  Source source;

  static Node mapping(Source s) {
    Node n;
    n.kind = Kind::Mapping;
    n.source = std::move(s);
    return n;
  }
  Node* find(const std::string& k) {
    for (auto& c : children)
      if (c.key == k) return &c;
    return nullptr;
  }
  const Node* find(const std::string& k) const {
    for (const auto& c : children)
      if (c.key == k) return &c;
    return nullptr;
  }
  std::vector<std::string> keys() const {
    std::vector<std::string> out;
    for (const auto& c : children) out.push_back(c.key);
    return out;
  }
};

struct State {
  Node root;
  std::string file;
  std::uint64_t seed = 0;
  std::map<std::string, std::set<std::string>> known;    // section path -> keys asked about
  std::map<std::string, std::set<std::string>> touched;  // section path -> keys read
  std::vector<std::string> warnings;                     // deprecations met while reading
};

// ---- helpers shared by experiments/config*.cpp --------------------------------------------------

std::string join_path(const std::string& prefix, const std::string& key);  // "a.b" + "c" -> "a.b.c"
std::string join(const std::vector<std::string>& v, const std::string& sep);
// A value as an error message shows it: "'abc'", "null", "a list [a, b]", "a mapping {x: 1}".
std::string describe(const Node& n);
// YAML's spellings of scalars (config_scalars.cpp)
bool is_null_spelling(const std::string& s);
bool parse_double(const std::string& text, double& out);
bool parse_integer(const std::string& text, long long& out);
bool parse_bool(const std::string& s, bool& out);
std::string format_double(double v);

// The whole file; false with a reason in `error` when it cannot be read (config_compose.cpp).
bool read_text(const std::string& path, std::string& out, std::string& error);
// Composition (config_compose.cpp): the tree of `text` (the file `file`) with its defaults
// merged under it; `chain` is the files being composed (a cycle is an error naming it).
struct ChainEntry {
  std::string canonical;
  std::string display;
};
Node compose(const std::string& text, const std::string& file, std::vector<ChainEntry>& chain);

// An override "key.sub=value" / "+key=value" applied to the tree (config_override.cpp).
void apply_override(Node& root, const std::string& text);

}  // namespace config_detail
}  // namespace engram::experiments
