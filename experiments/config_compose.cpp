// Reading config files and composing them through `defaults:` (see experiments/config.h).
#include "experiments/config.h"
#include "experiments/config_tree.h"
#include "experiments/config_yaml.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <system_error>
#include <unordered_map>

namespace engram::experiments::config_detail {

namespace fs = std::filesystem;
using Kind = Node::Kind;

// ---- reading YAML --------------------------------------------------------------------------

bool read_text(const std::string& path, std::string& out, std::string& error) {
  errno = 0;
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) {
    error = std::generic_category().message(errno);
    return false;
  }
  out.clear();
  char buf[65536];
  size_t got = 0;
  while ((got = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, got);
  const bool failed = std::ferror(f) != 0;
  const int err = errno;
  std::fclose(f);
  if (failed) {
    error = std::generic_category().message(err ? err : EIO);
    return false;
  }
  return true;
}

// One file's own tree (a mapping; an empty document is an empty mapping).
namespace {

Node parse_document(const std::string& text, const std::string& file) {
  Node root = parse_yaml(text, Source::in_file(file, 1));
  if (root.kind == Kind::Null) return Node::mapping(Source::in_file(file, 0));
  if (root.kind != Kind::Mapping)
    throw ConfigError(file + ":" + std::to_string(root.source.line) +
                      ": a config must be a mapping of keys to values, got " + describe(root));
  root.source = Source::in_file(file, 0);
  return root;
}

// Deep merge: mappings merge key by key, anything else replaces. Keys keep their first position.
void merge_into(Node& base, const Node& over) {
  // base's keys indexed once: a mapping of n keys merges in O(n), not O(n^2)
  std::unordered_map<std::string, std::size_t> at;
  at.reserve(base.children.size() + over.children.size());
  for (std::size_t i = 0; i < base.children.size(); ++i) at.emplace(base.children[i].key, i);
  for (const auto& c : over.children) {
    const auto it = at.find(c.key);
    if (it == at.end()) {
      at.emplace(c.key, base.children.size());
      base.children.push_back(c);
      continue;
    }
    Node& b = base.children[it->second];
    if (b.kind == Kind::Mapping && c.kind == Kind::Mapping) {
      merge_into(b, c);
      b.source = c.source;
    } else {
      b = c;
    }
  }
}

std::string canonical_key(const fs::path& p) {
  std::error_code ec;
  fs::path c = fs::weakly_canonical(p, ec);
  if (ec) c = fs::absolute(p, ec).lexically_normal();
  return c.string();
}

}  // namespace

Node compose(const std::string& text, const std::string& file, std::vector<ChainEntry>& chain) {
  Node own = parse_document(text, file);
  chain.push_back({canonical_key(file), file});
  Node result = Node::mapping(own.source);
  auto it = std::find_if(own.children.begin(), own.children.end(),
                         [](const Node& c) { return c.key == "defaults"; });
  if (it != own.children.end()) {
    const Node defaults = *it;
    own.children.erase(it);
    std::vector<Node> entries;
    if (defaults.kind == Kind::Scalar)
      entries.push_back(defaults);
    else if (defaults.kind == Kind::Sequence)
      entries = defaults.children;
    else if (defaults.kind != Kind::Null)
      throw ConfigError(defaults.source.str() + ": defaults must be a list of config files, got " +
                        describe(defaults));
    for (const auto& e : entries) {
      if (e.kind != Kind::Scalar || e.text.empty())
        throw ConfigError(e.source.str() + ": defaults must be a list of config files, got " +
                          describe(e) + " as an entry");
      const fs::path p = fs::path(file).parent_path() / e.text;
      const std::string display = p.lexically_normal().string();
      const std::string canon = canonical_key(p);
      for (const auto& c : chain) {
        if (c.canonical != canon) continue;
        std::vector<std::string> names;
        for (const auto& x : chain) names.push_back(x.display);
        names.push_back(display);
        throw ConfigError(e.source.str() + ": defaults cycle: " + join(names, " -> "));
      }
      std::string child_text, error;
      if (!read_text(display, child_text, error))
        throw ConfigError(e.source.str() + ": cannot read '" + e.text + "' (in defaults): " + error);
      merge_into(result, compose(child_text, display, chain));
    }
  }
  merge_into(result, own);
  result.source = own.source;
  chain.pop_back();
  return result;
}


}  // namespace engram::experiments::config_detail
