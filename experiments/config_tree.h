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
};

}  // namespace config_detail
}  // namespace engram::experiments
