// engram/experiments/config_yaml.h — YAML text to the config tree, and back (internal to
// experiments/config*.cpp).
//
// Config files come from outside and are treated as hostile: the reader builds the tree from
// yaml-cpp's parser events itself, so that anchors and aliases are expanded under limits. An
// alias to a node that contains it (a cycle), a tree nested deeper than `max_depth`, or
// aliases that would expand the tree past `max_nodes` values ("billion laughs") are
// ConfigErrors naming file:line and the alias, raised before any memory is spent on them.
#pragma once

#include "experiments/config_tree.h"

#include <cstddef>
#include <string>

namespace engram::experiments::config_detail {

struct YamlLimits {
  int max_depth = 64;             // nested mappings and lists
  std::size_t max_nodes = 100000; // values in one document, aliases expanded
};

// The first document of `text`. Every node's source is `where`, with its own line when `where`
// is a file (a mapping entry: its key's line). `context` names the document in messages about
// its structure (e.g. "in model.score"). Syntax errors are ConfigErrors "file:line:col: YAML
// syntax error: ...". An empty document is a Null node.
Node parse_yaml(const std::string& text, const Source& where, const YamlLimits& limits = {});
// Whether `text` is what a config may hold: valid UTF-8 without control characters other than
// tab, line feed and carriage return (parse_yaml refuses anything else, naming the position).
bool is_config_text(const std::string& text);

// Flow text of a node as error messages and flatten() show it: "[a, b]", "{x: 1}".
std::string flow_text(const Node& n);
// The node as block YAML (the resolved config of a run directory).
std::string emit_yaml(const Node& n);

}  // namespace engram::experiments::config_detail
