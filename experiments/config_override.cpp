// Command-line overrides of a composed config: key.sub=value and +key=value (experiments/config.h).
#include "experiments/config.h"
#include "core/registry.h"
#include "experiments/config_tree.h"
#include "experiments/config_yaml.h"

#include <algorithm>
#include <cstdio>
#include <functional>

namespace engram::experiments::config_detail {

using Kind = Node::Kind;

// ---- overrides -----------------------------------------------------------------------------

namespace {

// `s` with control bytes (and, when `s` is not UTF-8, every byte >= 0x80) as \xNN, for messages.
std::string printable(const std::string& s) {
  std::string out;
  const bool text = is_config_text(s);  // (else bytes >= 0x80 are escaped too: they are not UTF-8)
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f || (!text && u >= 0x80)) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", u);
      out += buf;
    } else {
      out += c;
    }
  }
  return out;
}

[[noreturn]] void override_error(const std::string& text, const std::string& what) {
  throw ConfigError("override '" + printable(text) + "': " + what);
}

std::vector<std::string> key_parts(const std::string& key, const std::function<void(const std::string&)>& fail) {
  std::vector<std::string> parts;
  for (size_t start = 0;;) {
    const size_t dot = key.find('.', start);
    parts.push_back(key.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  // (a key is a YAML mapping key: no blanks, no control bytes, which a config file cannot hold
  // and to_yaml could not write back)
  const auto bad = [](char c) { return c == ' ' || static_cast<unsigned char>(c) < 0x20 || c == 0x7f; };
  for (const auto& p : parts)
    if (p.empty() || std::any_of(p.begin(), p.end(), bad)) fail("malformed key '" + printable(key) + "'");
  // (nor bytes that are not UTF-8: a file cannot hold them either, and the emitter wrote such a
  // key back as another one; found by fuzz/fuzz_config.cpp)
  if (!is_config_text(key)) fail("key '" + printable(key) + "' holds a byte that is not UTF-8 (configs are UTF-8 text)");
  return parts;
}

// The node at dotted `path`, or the error naming the first missing part.
const Node& node_at(const Node& root, const std::string& path, const std::function<void(const std::string&)>& fail) {
  const Node* cur = &root;
  std::string walked;
  for (const auto& part : key_parts(path, fail)) {
    const std::string parent = walked;
    walked = join_path(walked, part);
    if (cur->kind != Kind::Mapping) fail(parent + " is " + describe(*cur) + " (set at " + cur->source.str() + "), not a mapping");
    const Node* child = cur->find(part);
    if (!child) {
      const std::string near = nearest_name(part, cur->keys());
      fail("unknown key " + walked + (near.empty() ? std::string() : " (did you mean " + join_path(parent, near) + "?)"));
    }
    cur = child;
  }
  return *cur;
}

// ~key.sub: removes an existing key.
void remove_key(Node& root, const std::string& text) {
  auto fail = [&](const std::string& what) { override_error(text, what); };
  const std::string key = text.substr(1);
  if (key.empty() || key.find('=') != std::string::npos) fail("expected ~key (a key to remove, no value)");
  const std::vector<std::string> parts = key_parts(key, fail);
  std::string parent;
  for (size_t i = 0; i + 1 < parts.size(); ++i) parent = join_path(parent, parts[i]);
  Node& holder = parent.empty() ? root : const_cast<Node&>(node_at(root, parent, fail));
  if (holder.kind != Kind::Mapping) fail(parent + " is " + describe(holder) + ", not a mapping");
  (void)node_at(holder, parts.back(), [&](const std::string& what) { fail(what.substr(0, 12) == "unknown key " ? "unknown key " + key : what); });
  if (key == "seed") fail("seed is required and cannot be removed");
  auto& c = holder.children;
  c.erase(std::remove_if(c.begin(), c.end(), [&](const Node& n) { return n.key == parts.back(); }), c.end());
}

}  // namespace

void apply_override(Node& root, const std::string& text) {
  auto fail = [&](const std::string& what) { override_error(text, what); };
  if (!text.empty() && text[0] == '~') return remove_key(root, text);
  const bool add = !text.empty() && text[0] == '+';
  const std::string body = add ? text.substr(1) : text;
  const size_t eq = body.find('=');
  if (eq == std::string::npos || eq == 0) fail("expected key=value");
  const std::string key = body.substr(0, eq);
  const std::string value = body.substr(eq + 1);
  const std::vector<std::string> parts = key_parts(key, fail);

  const Source src = Source::from_override(text);
  Node v;
  v.source = src;
  if (!value.empty() && value[0] == '@') {
    // a copy of another node of this config, with the file:line of every value it holds
    v = node_at(root, value.substr(1), fail);
    if (value.size() > 1 && key.rfind(value.substr(1) + ".", 0) == 0) fail("cannot copy " + value.substr(1) + " into itself");
  } else if (value.empty()) {
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


}  // namespace engram::experiments::config_detail
