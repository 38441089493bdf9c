#include "experiments/config_yaml.h"

#include "experiments/config.h"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <map>
#include <sstream>
#include <unordered_map>

namespace engram::experiments::config_detail {

namespace {

using Kind = Node::Kind;

// Builds the tree from parser events. Containers being built sit on a stack; a finished node
// goes to its parent (a list item, or a mapping key then its value). Anchored nodes are kept
// (with their size and depth) so that an alias can be expanded as a copy once its cost is known.
class TreeBuilder : public YAML::EventHandler {
 public:
  TreeBuilder(const Source& where, const YamlLimits& limits) : where_(where), limits_(limits) {}

  bool done() const { return have_root_; }
  Node take() { return std::move(root_); }

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}

  void OnAnchor(const YAML::Mark&, const std::string& name) override { pending_name_ = name; }

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    Node n;
    n.source = at(mark);
    finish(std::move(n), mark, anchor, 1, 0);
  }

  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    Node n;
    n.kind = Kind::Scalar;
    n.text = value;
    n.quoted = tag != "?";  // a plain scalar has the non-specific tag "?"
    n.source = at(mark);
    finish(std::move(n), mark, anchor, 1, 0);
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open(Kind::Sequence, mark, anchor);
  }
  void OnSequenceEnd() override { close(); }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    open(Kind::Mapping, mark, anchor);
  }
  void OnMapEnd() override { close(); }

  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    const std::string name = "*" + name_of(anchor);
    for (const auto& f : stack_)
      if (f.anchor == anchor)
        fail(mark, "alias " + name + " refers to a node that contains it (a cycle); a config must be a tree");
    const auto it = anchored_.find(anchor);
    if (it == anchored_.end()) fail(mark, "alias " + name + " refers to no anchor defined before it");
    const Anchored& a = it->second;
    if (depth() + a.depth > static_cast<std::size_t>(limits_.max_depth))
      fail(mark, "alias " + name + " nests the config deeper than " + std::to_string(limits_.max_depth) + " levels");
    if (nodes_ + a.size > limits_.max_nodes)
      fail(mark, "alias " + name + " would expand the config past " + std::to_string(limits_.max_nodes) +
                     " values (aliases of aliases multiply: an alias bomb?)");
    Node copy = a.node;
    restamp(copy, at(mark));
    finish(std::move(copy), mark, 0, a.size, a.depth);
  }

 private:
  struct Frame {
    Node node;
    YAML::Mark mark;
    YAML::anchor_t anchor;
    std::string anchor_name;
    std::size_t size = 1, depth = 0;  // nodes in the finished children, their depth
    bool have_key = false;
    std::string key;
    Source key_source;
    std::unordered_map<std::string, std::size_t> seen;  // mapping keys -> child index (duplicates in O(1))
  };
  struct Anchored {
    Node node;
    std::size_t size, depth;
  };

  Source at(const YAML::Mark& m) const {
    Source s = where_;
    if (!s.is_override && !m.is_null() && m.line >= 0) s.line = m.line + 1;
    return s;
  }

  [[noreturn]] void fail(const YAML::Mark& m, const std::string& what) const {
    throw ConfigError(at(m).str() + ": " + what);
  }

  std::string name_of(YAML::anchor_t anchor) const {
    const auto it = names_.find(anchor);
    return it == names_.end() ? std::to_string(anchor) : it->second;
  }

  std::size_t depth() const { return stack_.size(); }

  void note_anchor(YAML::anchor_t anchor) {
    if (anchor != YAML::NullAnchor && !pending_name_.empty()) names_[anchor] = pending_name_;
    pending_name_.clear();
  }

  void count(const YAML::Mark& mark, std::size_t n) {
    nodes_ += n;
    if (nodes_ > limits_.max_nodes)
      fail(mark, "the config has more than " + std::to_string(limits_.max_nodes) + " values");
  }

  void open(Kind kind, const YAML::Mark& mark, YAML::anchor_t anchor) {
    note_anchor(anchor);
    if (!stack_.empty() && stack_.back().node.kind == Kind::Mapping && !stack_.back().have_key)
      fail(mark, "mapping keys must be scalars" + context());
    if (depth() + 1 > static_cast<std::size_t>(limits_.max_depth))
      fail(mark, "the config is nested deeper than " + std::to_string(limits_.max_depth) + " levels");
    count(mark, 1);
    Frame f;
    f.node.kind = kind;
    f.node.source = at(mark);
    f.mark = mark;
    f.anchor = anchor;
    stack_.push_back(std::move(f));
  }

  void close() {
    Frame f = std::move(stack_.back());
    stack_.pop_back();
    if (f.node.kind == Kind::Mapping && f.have_key) fail(f.mark, "a mapping key has no value" + context());
    // the frame's nodes were counted as they arrived; pass its totals up without counting again
    place(std::move(f.node), f.mark, f.anchor, f.size, f.depth + 1);
  }

  // A finished leaf or alias copy: count it, then place it.
  void finish(Node n, const YAML::Mark& mark, YAML::anchor_t anchor, std::size_t size, std::size_t sub_depth) {
    note_anchor(anchor);
    count(mark, size);
    place(std::move(n), mark, anchor, size, sub_depth);
  }

  void place(Node n, const YAML::Mark& mark, YAML::anchor_t anchor, std::size_t size, std::size_t sub_depth) {
    if (anchor != YAML::NullAnchor) {
      // nested anchors keep nested copies: bound what they hold, as for the tree itself
      anchored_nodes_ += size;
      if (anchored_nodes_ > limits_.max_nodes)
        fail(mark, "anchors hold more than " + std::to_string(limits_.max_nodes) + " values");
      anchored_[anchor] = Anchored{n, size, sub_depth};
    }
    if (stack_.empty()) {
      root_ = std::move(n);
      have_root_ = true;
      return;
    }
    Frame& parent = stack_.back();
    parent.size += size;
    parent.depth = std::max(parent.depth, sub_depth);
    if (parent.node.kind == Kind::Sequence) {
      parent.node.children.push_back(std::move(n));
      return;
    }
    if (!parent.have_key) {  // a mapping key
      if (n.kind != Kind::Scalar) fail(mark, "mapping keys must be scalars" + context());
      parent.key = n.text;
      parent.key_source = n.source;
      parent.have_key = true;
      return;
    }
    parent.have_key = false;
    if (const auto [it, fresh] = parent.seen.emplace(parent.key, parent.node.children.size()); !fresh) {
      const Node& c = parent.node.children[it->second];
      throw ConfigError(parent.key_source.str() + ": duplicate key " + path_to(parent.key) +
                        (c.source.is_override ? std::string() : " (first set at line " + std::to_string(c.source.line) + ")"));
    }
    n.key = parent.key;
    n.source = parent.key_source;
    parent.node.children.push_back(std::move(n));
  }

  // "a.b.c" of the key about to be set in the innermost mapping.
  std::string path_to(const std::string& key) const {
    std::string p;
    for (const auto& f : stack_) {
      if (&f == &stack_.back()) break;
      if (f.node.kind == Kind::Mapping) p += (p.empty() ? "" : ".") + f.key;
      else p += "[" + std::to_string(f.node.children.size()) + "]";
    }
    return p.empty() ? key : p + "." + key;
  }

  std::string context() const {
    if (stack_.size() < 2) return {};
    std::string p;
    for (size_t i = 0; i + 1 < stack_.size(); ++i) {
      const auto& f = stack_[i];
      if (f.node.kind == Kind::Mapping) p += (p.empty() ? "" : ".") + f.key;
      else p += "[" + std::to_string(f.node.children.size()) + "]";
    }
    return p.empty() ? std::string() : " (in " + p + ")";
  }

  // An alias copy is where the alias stands: its nodes take the alias's line.
  static void restamp(Node& n, const Source& s) {
    n.source = s;
    for (auto& c : n.children) restamp(c, s);
  }

  Source where_;
  YamlLimits limits_;
  std::vector<Frame> stack_;
  std::map<YAML::anchor_t, Anchored> anchored_;
  std::map<YAML::anchor_t, std::string> names_;
  std::string pending_name_;
  std::size_t nodes_ = 0, anchored_nodes_ = 0;
  Node root_;
  bool have_root_ = false;
};

void emit(YAML::Emitter& out, const Node& n) {
  switch (n.kind) {
    case Kind::Null:
      out << YAML::Null;
      break;
    case Kind::Scalar:
      if (n.quoted)
        out << YAML::DoubleQuoted << n.text;
      else
        out << n.text;
      break;
    case Kind::Sequence:
      out << YAML::BeginSeq;
      for (const auto& c : n.children) emit(out, c);
      out << YAML::EndSeq;
      break;
    case Kind::Mapping:
      out << YAML::BeginMap;
      for (const auto& c : n.children) {
        out << YAML::Key << c.key << YAML::Value;
        emit(out, c);
      }
      out << YAML::EndMap;
      break;
  }
}

// Takes the events and keeps nothing: a first pass that reports syntax errors before the
// builder reports what the partial events of a broken document look like.
class SyntaxCheck : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
};

// YAML is Unicode text: the position of the first byte that is not valid UTF-8 or is a control
// character other than tab, line feed and carriage return (yaml-cpp reads such bytes, but its
// emitter cannot write them back, so a config holding them would not survive its own run
// directory). npos when the text is clean.
struct BadByte {
  size_t offset = std::string::npos;
  int line = 1, column = 1;
  std::string what;
};

BadByte first_bad_byte(const std::string& text) {
  BadByte b;
  size_t i = 0;
  int line = 1, col = 1;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    size_t len = 1;
    bool ok = true;
    if (c < 0x80) {
      ok = c >= 0x20 ? c != 0x7f : (c == '\t' || c == '\n' || c == '\r');
      if (!ok) b.what = "control character " + std::to_string(c);
    } else {
      len = c > 0xf4 ? 0 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 ? 2 : 0;  // 0xf5-0xff never start UTF-8
      ok = len != 0 && i + len <= text.size();
      for (size_t k = 1; ok && k < len; ++k) ok = (static_cast<unsigned char>(text[i + k]) & 0xc0) == 0x80;
      if (ok && len == 3) {  // no overlong forms, no surrogates
        const auto c1 = static_cast<unsigned char>(text[i + 1]);
        ok = !(c == 0xe0 && c1 < 0xa0) && !(c == 0xed && c1 >= 0xa0);
      }
      if (ok && len == 4) {
        const auto c1 = static_cast<unsigned char>(text[i + 1]);
        ok = !(c == 0xf0 && c1 < 0x90) && !(c == 0xf4 && c1 >= 0x90);
      }
      if (!ok) b.what = "a byte that is not UTF-8";
    }
    if (!ok) {
      b.offset = i;
      b.line = line;
      b.column = col;
      return b;
    }
    if (c == '\n') ++line, col = 1;
    else ++col;
    i += len;
  }
  return b;
}

}  // namespace

bool is_config_text(const std::string& text) { return first_bad_byte(text).offset == std::string::npos; }

Node parse_yaml(const std::string& text, const Source& where, const YamlLimits& limits) {
  if (const BadByte bad = first_bad_byte(text); bad.offset != std::string::npos) {
    if (where.is_override) throw ConfigError(where.str() + ": the value holds " + bad.what + " (configs are UTF-8 text)");
    throw ConfigError(where.file + ":" + std::to_string(bad.line) + ":" + std::to_string(bad.column) + ": " + bad.what +
                      " (configs are UTF-8 text)");
  }
  // YAML's line breaks are LF, CR LF and a lone CR; the tree keeps LF only (the emitter writes
  // what it gets, and a CR written into a value would read back as another line break)
  std::string normal;
  normal.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\r') normal += text[i];
    else if (i + 1 >= text.size() || text[i + 1] != '\n') normal += '\n';
  }
  TreeBuilder builder(where, limits);
  try {
    {
      std::istringstream in(normal);
      YAML::Parser parser(in);
      SyntaxCheck check;
      parser.HandleNextDocument(check);
    }
    std::istringstream in(normal);
    YAML::Parser parser(in);
    parser.HandleNextDocument(builder);
  } catch (const YAML::DeepRecursion& e) {  // the parser's own guard, before our depth limit
    const std::string what = "the config is nested deeper than " + std::to_string(limits.max_depth) + " levels";
    if (where.is_override) throw ConfigError(where.str() + ": " + what);
    throw ConfigError(where.file + ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1) + ": " + what);
  } catch (const YAML::ParserException& e) {
    if (where.is_override) throw ConfigError(where.str() + ": YAML syntax error in the value: " + e.msg);
    throw ConfigError(where.file + ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1) +
                      ": YAML syntax error: " + e.msg);
  } catch (const YAML::Exception& e) {
    throw ConfigError(where.str() + ": YAML error: " + e.msg);
  }
  if (!builder.done()) {
    Node n;
    n.source = where;
    return n;
  }
  return builder.take();
}

std::string flow_text(const Node& n) {
  YAML::Emitter out;
  out.SetSeqFormat(YAML::Flow);
  out.SetMapFormat(YAML::Flow);
  emit(out, n);
  return out.c_str();
}

std::string emit_yaml(const Node& n) {
  YAML::Emitter out;
  emit(out, n);
  return std::string(out.c_str()) + "\n";
}

}  // namespace engram::experiments::config_detail
