// engram/core/registry.h — one generic name -> factory registry.
//
// Scores, normalizers, addressing stages, learning rules, models and tasks each have one
// Registry<Factory>, where Factory is the std::function that builds the thing. Entries can be
// added at any time (static registration at start-up, Python plugins at run time); lookups
// of an unknown name throw std::invalid_argument listing the known names and the nearest one.
//
//   Registry<std::function<std::unique_ptr<Score>(const Options&)>>& scores();
//   static const bool reg = scores().add("dot", "q . k", [](const Options& o) { ... });
#pragma once

#include "core/catalogue.h"

#include <algorithm>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

namespace engram {

// Levenshtein distance, for "did you mean" suggestions.
std::size_t edit_distance(const std::string& a, const std::string& b);
// The candidate nearest to `name` (empty if none is close enough to be a plausible typo).
std::string nearest_name(const std::string& name, const std::vector<std::string>& candidates);

template <class Factory>
class Registry {
 public:
  struct Entry {
    std::string name;
    std::string description;
    Factory factory;
  };

  // `kind` names one entry in messages ("score"); a registry with a `plural` ("scores") enrols in
  // the catalogue (core/catalogue.h) under it, with `description`.
  explicit Registry(std::string kind, std::string plural = "", std::string description = "")
      : kind_(std::move(kind)) {
    if (plural.empty()) return;
    catalogue().enrol({std::move(plural), std::move(description), [this] {
                         std::vector<std::pair<std::string, std::string>> out;
                         for (const auto& e : entries()) out.emplace_back(e.name, e.description);
                         return out;
                       }});
  }
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // Adds (or, with replace = true, replaces) an entry. Returns true so it can initialise a
  // static. Adding an existing name without replace throws.
  bool add(const std::string& name, const std::string& description, Factory factory,
           bool replace = false) {
    std::lock_guard lock(mu_);
    if (!replace && entries_.count(name))
      throw std::invalid_argument(kind_ + " '" + name + "' is already registered");
    entries_[name] = Entry{name, description, std::move(factory)};
    return true;
  }

  bool contains(const std::string& name) const {
    std::lock_guard lock(mu_);
    return entries_.count(name) > 0;
  }

  // A copy of the factory, so the caller may use it while others register.
  Factory get(const std::string& name) const {
    std::lock_guard lock(mu_);
    auto it = entries_.find(name);
    if (it == entries_.end()) throw std::invalid_argument(unknown_message(name));
    return it->second.factory;
  }

  // Sorted by name.
  std::vector<Entry> entries() const {
    std::lock_guard lock(mu_);
    std::vector<Entry> out;
    for (const auto& [n, e] : entries_) out.push_back(e);
    return out;
  }
  std::vector<std::string> names() const {
    std::lock_guard lock(mu_);
    std::vector<std::string> out;
    for (const auto& [n, e] : entries_) out.push_back(n);
    return out;
  }
  const std::string& kind() const { return kind_; }

 private:
  std::string unknown_message(const std::string& name) const {
    std::vector<std::string> known;
    for (const auto& [n, e] : entries_) known.push_back(n);
    std::string msg = "unknown " + kind_ + " '" + name + "'";
    const std::string near = nearest_name(name, known);
    if (!near.empty()) msg += " (did you mean '" + near + "'?)";
    msg += "; known: ";
    for (size_t i = 0; i < known.size(); ++i) msg += (i ? ", " : "") + known[i];
    if (known.empty()) msg += "(none)";
    return msg;
  }

  std::string kind_;
  mutable std::mutex mu_;
  std::map<std::string, Entry> entries_;
};

}  // namespace engram

#define ENGRAM_CONCAT_INNER(a, b) a##b
#define ENGRAM_CONCAT(a, b) ENGRAM_CONCAT_INNER(a, b)

// The one way an entry is registered: at start-up, by a static object of the file that defines
// it, e.g. in experiments/tasks/copy.cpp
//   ENGRAM_REGISTER(tasks(), "copy", "copy a random bit sequence", [](Section& cfg, const Rng& rng) { ... });
// Every library that holds registrations is linked whole (WHOLE_ARCHIVE, its `<library>_all`
// target), so that no registration is left out by the linker. The component macros
// (ENGRAM_REGISTER_SCORE, ..._ADDRESSING, ...) do the same for class templates.
#define ENGRAM_REGISTER(REGISTRY, NAME, DESCRIPTION, ...)                                              \
  [[maybe_unused]] static const bool ENGRAM_CONCAT(engram_registered_, __COUNTER__) = (REGISTRY).add( \
      NAME, DESCRIPTION, __VA_ARGS__)
