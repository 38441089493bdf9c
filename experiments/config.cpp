#include "experiments/config.h"

#include "core/registry.h"
#include "experiments/config_tree.h"
#include "experiments/config_yaml.h"

#include <filesystem>

namespace engram::experiments {

using config_detail::Node;
using config_detail::Source;
using config_detail::State;
using Kind = Node::Kind;

using namespace config_detail;
namespace fs = std::filesystem;

namespace {

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

std::vector<std::string> Config::warnings() const { return state_->warnings; }

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


}  // namespace engram::experiments
