// engram/core/component.h — the convention for registered lower-layer components (attention
// scores, normalizers, sequence encoders and poolers, addressing stages, controllers): a class
// template C<T> over the scalar, constructed from (shape, options, rng), and registered for
// float and double at once so models run in float and tests check in double.
#pragma once

#include "core/options.h"
#include "core/registry.h"
#include "core/rng.h"

#include <functional>
#include <memory>

namespace engram {

template <class Base, class Shape>
using ComponentFactory = std::function<std::unique_ptr<Base>(const Shape&, const Options&, Rng&)>;

// Adds C<float> to `f` and C<double> to `d` under `name`. Returns true so that a static can
// hold the result (registration at start-up).
template <template <class> class C, template <class> class Base, class Shape>
bool register_component(Registry<ComponentFactory<Base<float>, Shape>>& f,
                        Registry<ComponentFactory<Base<double>, Shape>>& d, const char* name,
                        const char* description) {
  f.add(name, description, [](const Shape& s, const Options& o, Rng& r) {
    return std::unique_ptr<Base<float>>(new C<float>(s, o, r));
  });
  d.add(name, description, [](const Shape& s, const Options& o, Rng& r) {
    return std::unique_ptr<Base<double>>(new C<double>(s, o, r));
  });
  return true;
}

}  // namespace engram
