#include "experiments/config.h"

#include "core/registry.h"
#include "experiments/config_tree.h"
#include "experiments/config_yaml.h"


#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>
#include <system_error>

namespace engram::experiments {

namespace fs = std::filesystem;



using config_detail::Node;
using config_detail::Source;
using config_detail::State;
using Kind = Node::Kind;

namespace {

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
  for (const auto& c : over.children) {
    Node* b = base.find(c.key);
    if (!b) {
      base.children.push_back(c);
    } else if (b->kind == Kind::Mapping && c.kind == Kind::Mapping) {
      merge_into(*b, c);
      b->source = c.source;
    } else {
      *b = c;
    }
  }
}

std::string canonical_key(const fs::path& p) {
  std::error_code ec;
  fs::path c = fs::weakly_canonical(p, ec);
  if (ec) c = fs::absolute(p, ec).lexically_normal();
  return c.string();
}

struct ChainEntry {
  std::string canonical;
  std::string display;
};

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

// ---- overrides -----------------------------------------------------------------------------

[[noreturn]] void override_error(const std::string& text, const std::string& what) {
  throw ConfigError("override '" + text + "': " + what);
}

void apply_override(Node& root, const std::string& text) {
  auto fail = [&](const std::string& what) { override_error(text, what); };
  const bool add = !text.empty() && text[0] == '+';
  const std::string body = add ? text.substr(1) : text;
  const size_t eq = body.find('=');
  if (eq == std::string::npos || eq == 0) fail("expected key=value");
  const std::string key = body.substr(0, eq);
  const std::string value = body.substr(eq + 1);
  std::vector<std::string> parts;
  for (size_t start = 0;;) {
    const size_t dot = key.find('.', start);
    parts.push_back(key.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  for (const auto& p : parts)
    if (p.empty() || p.find_first_of(" \t") != std::string::npos) fail("malformed key '" + key + "'");

  const Source src = Source::from_override(text);
  Node v;
  v.source = src;
  if (value.empty()) {
    v.kind = Kind::Scalar;
    v.quoted = true;
  } else {
    v = parse_yaml(value, src);
    // "#x" loads as a comment (null): take such text literally.
    if (v.kind == Kind::Null && !is_null_spelling(value)) {
      v.kind = Kind::Scalar;
      v.text = value;
      v.quoted = true;
    }
  }

  Node* cur = &root;
  std::string path;
  for (size_t i = 0; i < parts.size(); ++i) {
    const std::string& part = parts[i];
    const std::string parent = path;
    path = join_path(path, part);
    const bool last = i + 1 == parts.size();
    Node* child = cur->find(part);
    if (!child) {
      if (!add) {
        const std::string near = nearest_name(part, cur->keys());
        fail("unknown key " + path +
             (near.empty() ? " (to add a key, start the override with '+')"
                           : " (did you mean " + join_path(parent, near) + "?)"));
      }
      Node n = last ? v : Node::mapping(src);
      n.key = part;
      cur->children.push_back(std::move(n));
      if (last) return;
      cur = &cur->children.back();
      continue;
    }
    if (last) {
      if (add)
        fail("key " + path + " already exists (set at " + child->source.str() +
             "; to change it, drop the '+')");
      v.key = part;
      *child = std::move(v);
      return;
    }
    if (add && child->kind == Kind::Null) {
      child->kind = Kind::Mapping;
      child->source = src;
    }
    if (child->kind != Kind::Mapping)
      fail(path + " is " + describe(*child) + " (set at " + child->source.str() +
           "), not a mapping");
    cur = child;
  }
}

// ---- flatten -------------------------------------------------------------------------------

void flatten_into(const Node& n, const std::string& path,
                  std::vector<std::pair<std::string, std::string>>& out) {
  switch (n.kind) {
    case Kind::Null: out.emplace_back(path, "null"); break;
    case Kind::Scalar: out.emplace_back(path, n.text); break;
    case Kind::Sequence: out.emplace_back(path, flow_text(n)); break;
    case Kind::Mapping:
      if (n.children.empty() && !path.empty()) out.emplace_back(path, "{}");
      for (const auto& c : n.children) flatten_into(c, join_path(path, c.key), out);
      break;
  }
}

}  // namespace

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

// ---- Config --------------------------------------------------------------------------------

Config::Config(std::shared_ptr<State> state) : state_(std::move(state)) {}

namespace {

std::shared_ptr<State> resolve(const std::string& text, const std::string& file,
                               const std::vector<std::string>& overrides) {
  auto state = std::make_shared<State>();
  state->file = file;
  std::vector<ChainEntry> chain;
  state->root = compose(text, file, chain);
  Node& root = state->root;
  if (!root.find("seed") || root.find("seed")->kind == Kind::Null)
    throw ConfigError(file + ": missing required top-level key seed (set it in the file or in "
                      "one of its defaults)");
  for (const auto& o : overrides) apply_override(root, o);

  const Node* seed = root.find("seed");
  long long v = 0;
  if (!seed || seed->kind != Kind::Scalar || !parse_integer(seed->text, v) || v < 0)
    throw ConfigError((seed ? seed->source.str() : file) +
                      ": seed must be an integer >= 0, got " + (seed ? describe(*seed) : "nothing"));
  state->seed = static_cast<std::uint64_t>(v);
  if (const Node* name = root.find("name"); name && name->kind != Kind::Null) {
    if (name->kind != Kind::Scalar || name->text.empty())
      throw ConfigError(name->source.str() + ": name must be a non-empty string, got " +
                        describe(*name));
  }
  return state;
}

}  // namespace

Config Config::load(const std::string& path, const std::vector<std::string>& overrides) {
  std::string text, error;
  if (!read_text(path, text, error)) throw ConfigError("cannot read '" + path + "': " + error);
  return Config(resolve(text, path, overrides));
}

Config Config::parse(const std::string& yaml_text, const std::string& name_for_messages,
                     const std::vector<std::string>& overrides) {
  return Config(resolve(yaml_text, name_for_messages, overrides));
}

Section Config::root() { return Section(state_, "", &state_->root, state_->root.source.str()); }

Section Config::section(const std::string& dotted_path) {
  Section s = root();
  if (dotted_path.empty()) return s;
  for (size_t start = 0;;) {
    const size_t dot = dotted_path.find('.', start);
    s = s.section(dotted_path.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) return s;
    start = dot + 1;
  }
}

std::uint64_t Config::seed() const {
  state_->known[""].insert("seed");
  state_->touched[""].insert("seed");
  return state_->seed;
}

std::string Config::experiment_name() const {
  state_->known[""].insert("name");
  state_->touched[""].insert("name");
  const Node* name = state_->root.find("name");
  if (name && name->kind == Kind::Scalar) return name->text;
  return fs::path(state_->file).stem().string();
}

std::string Config::file() const { return state_->file; }

std::string Config::to_yaml() const { return emit_yaml(state_->root); }

std::vector<std::pair<std::string, std::string>> Config::flatten() const {
  std::vector<std::pair<std::string, std::string>> out;
  flatten_into(state_->root, "", out);
  return out;
}

// ---- multirun ------------------------------------------------------------------------------

std::vector<std::vector<std::string>> expand_multirun(const std::vector<std::string>& overrides) {
  // Each override as its list of alternatives (one for a plain override).
  std::vector<std::vector<std::string>> choices;
  for (const auto& o : overrides) {
    const size_t eq = o.find('=');
    if (eq == std::string::npos) {
      choices.push_back({o});
      continue;
    }
    const std::string head = o.substr(0, eq + 1);
    const std::string value = o.substr(eq + 1);
    std::vector<std::string> items;
    int depth = 0;
    char quote = 0;
    size_t start = 0;
    for (size_t i = 0; i < value.size(); ++i) {
      const char c = value[i];
      if (quote) {
        if (quote == '"' && c == '\\')
          ++i;
        else if (c == quote)
          quote = 0;
      } else if (c == '"' || c == '\'') {
        quote = c;
      } else if (c == '[' || c == '{') {
        ++depth;
      } else if ((c == ']' || c == '}') && depth > 0) {
        --depth;
      } else if (c == ',' && depth == 0) {
        items.push_back(value.substr(start, i - start));
        start = i + 1;
      }
    }
    if (items.empty()) {
      choices.push_back({o});
      continue;
    }
    items.push_back(value.substr(start));
    std::vector<std::string> alts;
    for (size_t k = 0; k < items.size(); ++k) {
      std::string item = items[k];
      const size_t b = item.find_first_not_of(" \t");
      item = b == std::string::npos ? std::string() : item.substr(b, item.find_last_not_of(" \t") - b + 1);
      if (item.empty())
        throw ConfigError("override '" + o + "': empty item " + std::to_string(k + 1) +
                          " in the sweep (items are separated by ',')");
      alts.push_back(head + item);
    }
    choices.push_back(std::move(alts));
  }
  // Cartesian product, the first override varying slowest.
  std::vector<std::vector<std::string>> runs{{}};
  for (const auto& alts : choices) {
    std::vector<std::vector<std::string>> next;
    next.reserve(runs.size() * alts.size());
    for (const auto& run : runs)
      for (const auto& a : alts) {
        next.push_back(run);
        next.back().push_back(a);
      }
    runs = std::move(next);
  }
  return runs;
}

}  // namespace engram::experiments
