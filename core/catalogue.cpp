#include "core/catalogue.h"

#include <algorithm>

namespace engram {

void Catalogue::enrol(CatalogueKind kind) {
  std::lock_guard lock(mu_);
  for (auto& k : kinds_) {
    if (k.name != kind.name) continue;
    // twins (the float and double registries of one kind): list the union of their entries,
    // since Python registers into the float one only
    k.entries = [a = std::move(k.entries), b = std::move(kind.entries)] {
      std::vector<std::pair<std::string, std::string>> out = a();
      for (auto& e : b())
        if (std::none_of(out.begin(), out.end(), [&](const auto& x) { return x.first == e.first; }))
          out.push_back(std::move(e));
      std::sort(out.begin(), out.end());
      return out;
    };
    return;
  }
  kinds_.push_back(std::move(kind));
}

std::vector<CatalogueKind> Catalogue::kinds() const {
  std::lock_guard lock(mu_);
  std::vector<CatalogueKind> out = kinds_;
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return out;
}

std::optional<CatalogueKind> Catalogue::find(const std::string& name) const {
  std::lock_guard lock(mu_);
  for (const auto& k : kinds_)
    if (k.name == name) return k;
  return std::nullopt;
}

Catalogue& catalogue() {
  static Catalogue c;
  return c;
}

}  // namespace engram
