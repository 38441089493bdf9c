// engram/core/catalogue.h — every registry of engram, by kind, in one place.
//
// Each Registry enrols itself here when it is created (core/registry.h), under the plural name
// users type (`engram list scores`, Python's `engram.components("scores")`). Registries of
// float and double components of one kind enrol under one name and list the union. Kinds that are not
// registries (the optimizers and schedules the trainer knows by name) enrol themselves the same
// way, so `engram list` and Python read one catalogue and cannot drift apart.
#pragma once

#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace engram {

struct CatalogueKind {
  std::string name;         // "scores"
  std::string description;  // one line: what the kind is and where a config names it
  // (name, description) of every entry, sorted by name, read when asked (entries may be added
  // at any time: Python plugins register at run time)
  std::function<std::vector<std::pair<std::string, std::string>>()> entries;
};

class Catalogue {
 public:
  // Adds a kind; a second kind of the same name (the float and double twins of a registry) is
  // merged into the first: its entries are the union of both.
  void enrol(CatalogueKind kind);
  // Every kind, sorted by name.
  std::vector<CatalogueKind> kinds() const;
  std::optional<CatalogueKind> find(const std::string& name) const;

 private:
  mutable std::mutex mu_;
  std::vector<CatalogueKind> kinds_;
};

Catalogue& catalogue();

}  // namespace engram
