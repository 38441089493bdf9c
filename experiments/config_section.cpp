#include "experiments/config.h"

#include "core/registry.h"
#include "experiments/config_tree.h"
#include "experiments/config_yaml.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>

namespace engram::experiments {

using config_detail::Node;
using config_detail::Source;
using config_detail::State;
using Kind = Node::Kind;

using namespace config_detail;
namespace fs = std::filesystem;

// ---- Section -------------------------------------------------------------------------------

Section::Section(std::shared_ptr<State> state, std::string path, const Node* node,
                 std::string source)
    : state_(std::move(state)), path_(std::move(path)), node_(node), source_(std::move(source)) {}

std::string Section::path() const { return path_; }

std::string Section::full(const std::string& key) const { return join_path(path_, key); }

// The key's node if present and not null; records the key as known (and touched).
const Node* Section::lookup(const std::string& key, bool touch) const {
  state_->known[path_].insert(key);
  if (touch) state_->touched[path_].insert(key);
  if (!node_) return nullptr;
  const Node* n = node_->find(key);
  return n && n->kind != Kind::Null ? n : nullptr;
}

const Node* Section::require(const std::string& key) {
  const Node* n = lookup(key, true);
  if (!n) {
    const Node* present = node_ ? node_->find(key) : nullptr;
    if (present) throw ConfigError(present->source.str() + ": " + full(key) + " is required, got null");
    throw ConfigError(source_ + ": missing required key " + full(key));
  }
  return n;
}

bool Section::has(const std::string& key) const { return lookup(key, false) != nullptr; }

bool Section::is_scalar(const std::string& key) const {
  const Node* n = lookup(key, false);
  return n && n->kind == Kind::Scalar;
}

bool Section::is_list(const std::string& key) const {
  const Node* n = lookup(key, false);
  return n && n->kind == Kind::Sequence;
}

std::string Section::renamed(const std::string& old_key, const std::string& new_key) {
  if (!has(old_key) || has(new_key)) {
    (void)lookup(old_key, true);  // known (and read) either way: finish() accepts it
    return new_key;
  }
  state_->warnings.push_back(source(old_key) + ": " + full(old_key) + " is deprecated; use " + full(new_key));
  return old_key;
}

std::vector<std::string> Section::keys() const { return node_ ? node_->keys() : std::vector<std::string>{}; }

namespace {

const std::string& scalar_text(const Node& n, const std::string& full_key,
                               const std::string& expected) {
  if (n.kind != Kind::Scalar)
    throw ConfigError(n.source.str() + ": " + full_key + " must be " + expected + ", got " +
                      describe(n));
  return n.text;
}

long long read_integer(const Node& n, const std::string& full_key, long long lo, long long hi) {
  const std::string& t = scalar_text(n, full_key, "an integer");
  long long v = 0;
  if (!parse_integer(t, v))
    throw ConfigError(n.source.str() + ": " + full_key + " must be an integer, got " + describe(n));
  if (v < lo || v > hi) {
    std::string range;
    if (lo != LLONG_MIN && hi != LLONG_MAX)
      range = "in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
    else if (lo != LLONG_MIN)
      range = ">= " + std::to_string(lo);
    else
      range = "<= " + std::to_string(hi);
    throw ConfigError(n.source.str() + ": " + full_key + " must be " + range + ", got " + t);
  }
  return v;
}

double read_number(const Node& n, const std::string& full_key, double lo, double hi) {
  const std::string& t = scalar_text(n, full_key, "a number");
  double v = 0;
  if (!parse_double(t, v) || std::isnan(v))
    throw ConfigError(n.source.str() + ": " + full_key + " must be a number, got " + describe(n));
  if (v < lo || v > hi) {
    const double inf = std::numeric_limits<double>::infinity();
    std::string range;
    if (lo != -inf && hi != inf)
      range = "in [" + format_double(lo) + ", " + format_double(hi) + "]";
    else if (lo != -inf)
      range = ">= " + format_double(lo);
    else
      range = "<= " + format_double(hi);
    throw ConfigError(n.source.str() + ": " + full_key + " must be " + range + ", got " + t);
  }
  return v;
}

}  // namespace

long long Section::integer(const std::string& key, long long def, long long lo, long long hi) {
  const Node* n = lookup(key, true);
  return n ? read_integer(*n, full(key), lo, hi) : def;
}

long long Section::integer(const std::string& key) {
  return read_integer(*require(key), full(key), LLONG_MIN, LLONG_MAX);
}

double Section::number(const std::string& key, double def, double lo, double hi) {
  const Node* n = lookup(key, true);
  return n ? read_number(*n, full(key), lo, hi) : def;
}

double Section::number(const std::string& key) {
  const double inf = std::numeric_limits<double>::infinity();
  return read_number(*require(key), full(key), -inf, inf);
}

bool Section::boolean(const std::string& key, bool def) {
  const Node* n = lookup(key, true);
  if (!n) return def;
  bool v = false;
  if (!parse_bool(scalar_text(*n, full(key), "true or false"), v))
    throw ConfigError(n->source.str() + ": " + full(key) + " must be true or false, got " +
                      describe(*n));
  return v;
}

std::string Section::string(const std::string& key, const std::string& def) {
  const Node* n = lookup(key, true);
  return n ? scalar_text(*n, full(key), "a string") : def;
}

std::string Section::string(const std::string& key) {
  return scalar_text(*require(key), full(key), "a string");
}

std::string Section::choice(const std::string& key, const std::string& def,
                            const std::vector<std::string>& allowed) {
  const Node* n = lookup(key, true);
  if (!n) return def;
  const std::string& v = scalar_text(*n, full(key), "one of " + join(allowed, ", "));
  if (std::find(allowed.begin(), allowed.end(), v) != allowed.end()) return v;
  const std::string near = nearest_name(v, allowed);
  throw ConfigError(n->source.str() + ": " + full(key) + " must be one of " + join(allowed, ", ") +
                    ", got " + describe(*n) +
                    (near.empty() ? std::string() : " (did you mean " + near + "?)"));
}

std::vector<std::string> Section::strings(const std::string& key, std::vector<std::string> def) {
  const Node* n = lookup(key, true);
  if (!n) return def;
  if (n->kind == Kind::Scalar) return {n->text};
  const std::string what = n->source.str() + ": " + full(key) + " must be a list of strings, got ";
  if (n->kind != Kind::Sequence) throw ConfigError(what + describe(*n));
  std::vector<std::string> out;
  for (const auto& c : n->children) {
    if (c.kind != Kind::Scalar) throw ConfigError(what + describe(*n));
    out.push_back(c.text);
  }
  return out;
}

std::string Section::path_value(const std::string& key, const std::string& def) {
  const Node* n = lookup(key, true);
  if (!n) return def;
  const std::string& v = scalar_text(*n, full(key), "a path");
  const fs::path p(v);
  const std::string dir = n->source.dir();
  if (v.empty() || p.is_absolute() || dir.empty()) return v;
  return (fs::path(dir) / p).lexically_normal().string();
}

Section Section::section(const std::string& key) {
  const Node* n = lookup(key, true);
  if (!n) return Section(state_, full(key), nullptr, source_);
  if (n->kind != Kind::Mapping)
    throw ConfigError(n->source.str() + ": " + full(key) + " must be a mapping, got " + describe(*n));
  return Section(state_, full(key), n, n->source.str());
}

std::vector<Section> Section::sections(const std::string& key) {
  const Node* n = lookup(key, true);
  if (!n) return {};
  if (n->kind == Kind::Mapping) return {Section(state_, full(key) + "[0]", n, n->source.str())};
  const std::string what = n->source.str() + ": " + full(key) + " must be a list of mappings, got ";
  if (n->kind != Kind::Sequence) throw ConfigError(what + describe(*n));
  std::vector<Section> out;
  for (size_t i = 0; i < n->children.size(); ++i) {
    const Node& c = n->children[i];
    if (c.kind != Kind::Mapping) throw ConfigError(what + describe(*n));
    out.push_back(Section(state_, full(key) + "[" + std::to_string(i) + "]", &c, c.source.str()));
  }
  return out;
}

std::string Section::source(const std::string& key) const {
  state_->known[path_].insert(key);
  const Node* n = node_ ? node_->find(key) : nullptr;
  return n ? n->source.str() : source_;
}

std::string Section::source() const { return source_; }

void Section::fail(const std::string& key, const std::string& message) const {
  throw ConfigError(source(key) + ": " + full(key) + " " + message);
}

void Section::finish() const {
  if (!node_) return;
  const auto& touched = state_->touched[path_];
  const auto& known_set = state_->known[path_];
  const std::vector<std::string> known(known_set.begin(), known_set.end());
  std::vector<std::string> lines;
  for (const auto& c : node_->children) {
    if (touched.count(c.key)) continue;
    const std::string near = nearest_name(c.key, known);
    lines.push_back(c.source.str() + ": unknown key " + full(c.key) +
                    (near.empty() ? std::string() : " (did you mean " + full(near) + "?)") +
                    "; valid keys: " + (known.empty() ? std::string("(none)") : join(known, ", ")));
  }
  if (!lines.empty()) throw ConfigError(join(lines, "\n"));
}


// ---- component choices ---------------------------------------------------------------------

namespace {

Choice choice_from_mapping(Section item, const std::string& path, const std::string& def) {
  Choice c;
  c.name = def.empty() ? item.string("name") : item.string("name", def);
  c.source = item.source("name");
  c.path = path;
  for (const auto& k : item.keys())
    if (k != "name") c.options.set(k, item.string(k));
  c.section = std::make_shared<Section>(item);
  return c;
}

}  // namespace

Choice read_choice(Section& parent, const std::string& key, const std::string& def) {
  const std::string path = parent.path().empty() ? key : parent.path() + "." + key;
  if (parent.is_list(key))
    parent.fail(key, "names one component: a name (" + key + ": " + def + ") or a mapping with a name and options ({name: " +
                         def + ", ...}), not a list");
  if (!parent.has(key) || parent.is_scalar(key)) {
    Choice c;
    c.name = parent.string(key, def);
    c.source = parent.source(key);
    c.path = path;
    return c;
  }
  return choice_from_mapping(parent.section(key), path, def);
}

std::vector<Choice> read_choices(Section& parent, const std::string& key, const std::vector<std::string>& def) {
  const std::string path = parent.path().empty() ? key : parent.path() + "." + key;
  std::vector<Choice> out;
  if (!parent.has(key)) {
    (void)parent.strings(key, {});  // known and read
    for (const auto& name : def) out.push_back({name, {}, parent.source(), path, nullptr});
    return out;
  }
  if (!parent.is_list(key)) return {read_choice(parent, key, "")};
  const Node* list = parent.lookup(key, true);
  for (size_t i = 0; i < list->children.size(); ++i) {
    const Node& item = list->children[i];
    const std::string item_path = path + "[" + std::to_string(i) + "]";
    if (item.kind == Kind::Scalar) {
      out.push_back({item.text, {}, item.source.str(), item_path, nullptr});
    } else if (item.kind == Kind::Mapping) {
      out.push_back(choice_from_mapping(Section(parent.state_, item_path, &item, item.source.str()), item_path, ""));
    } else {
      throw ConfigError(item.source.str() + ": " + item_path + " must be a name or a mapping {name: ..., <options>}, got " +
                        describe(item));
    }
  }
  return out;
}

}  // namespace engram::experiments
