// engram/memory/interface.h — what a memory head asks of its controller, and how the
// controller's raw output (the "interface vector" of the NTM/DNC papers) becomes those values.
//
// Every addressing stage and every head declares the values it needs as ParamSpecs
// {name, size, activation}. A controller sizes one linear layer by interface_size(specs), emits
// a raw [1 x total] row per step, and split_interface cuts it in spec order, applying each
// spec's activation (the same splitter for NTM, DNC and LRU controllers):
//
//   const std::vector<ParamSpec> specs = {{"key", 20, Activation::identity},
//                                         {"beta", 1, Activation::oneplus}};
//   HeadParams<float> p = split_interface(raw /* [1 x 21] */, specs);
//   p["beta"]   // [1 x 1], 1 + softplus(raw[20])
#pragma once

#include "core/ops.h"

#include <string>
#include <utility>
#include <vector>

namespace engram::memory {

enum class Activation {
  identity,  // x (keys, write vectors)
  tanh,      // in (-1, 1)
  sigmoid,   // in (0, 1) (gates, erase vectors)
  softplus,  // in (0, inf)
  oneplus,   // 1 + softplus: in (1, inf) (key strengths, sharpening)
  softmax,   // over the spec's own entries: on the simplex (shift kernels, read modes)
};

// "identity", "tanh", ...
const char* activation_name(Activation a);
// The inverse of activation_name; throws std::invalid_argument listing the known names.
Activation parse_activation(const std::string& name);

struct ParamSpec {
  std::string name;   // unique within one head ("key", "beta", "gate", "shift", "erase", ...)
  Index size = 1;     // >= 1
  Activation activation = Activation::identity;
};

// Sum of the sizes.
Index interface_size(const std::vector<ParamSpec>& specs);

// Throws std::invalid_argument naming `owner` unless every size is >= 1 and names are unique and
// non-empty.
void check_specs(const std::vector<ParamSpec>& specs, const std::string& owner);

// Applies `a` to x ([1 x n]; softmax over the whole row).
template <class T>
Var<T> activate(const Var<T>& x, Activation a);

// Every spec's activation on its own columns, in one node:
//   interface: [B x n] (one row per sequence), n >= offset + interface_size(specs)
//   -> [B x interface_size(specs)], in each row columns [at, at + size) of spec k = its activation applied to
//      interface columns [offset + at, offset + at + size) (softmax within those columns only).
template <class T>
Var<T> activate_segments(const Var<T>& interface, Index offset, const std::vector<ParamSpec>& specs);

// The values a head's controller emitted, by name, activations applied. A small ordered list
// (heads have a handful of parameters): lookups are linear, and a missing name throws naming
// the owner and the names it has.
template <class T>
class HeadParams {
 public:
  HeadParams() = default;
  explicit HeadParams(std::string owner) : owner_(std::move(owner)) {}

  void set(const std::string& name, Var<T> value);
  bool has(const std::string& name) const;
  const Var<T>& get(const std::string& name) const;
  const Var<T>& operator[](const std::string& name) const { return get(name); }
  const std::vector<std::pair<std::string, Var<T>>>& entries() const { return values_; }
  const std::string& owner() const { return owner_; }

 private:
  std::string owner_ = "head";
  std::vector<std::pair<std::string, Var<T>>> values_;
};

// interface: [1 x interface_size(specs)] raw controller output -> one [1 x spec.size] value per
// spec, activation applied, in spec order. Throws std::invalid_argument naming the shapes.
template <class T>
HeadParams<T> split_interface(const Var<T>& interface, const std::vector<ParamSpec>& specs,
                              const std::string& owner = "interface");

// The same over the columns [offset, offset + interface_size(specs)) of a longer row (one
// controller output that holds several heads' parameters one after the other).
template <class T>
HeadParams<T> split_interface_at(const Var<T>& interface, Index offset, const std::vector<ParamSpec>& specs,
                                 const std::string& owner = "interface");

// The values of `specs` cut from rows that are already activated (activate_segments; one row per
// sequence, [B x n]), starting at
// column `offset`: one slice per spec (none when one spec covers the whole row).
template <class T>
HeadParams<T> slice_activated(const Var<T>& activated, Index offset, const std::vector<ParamSpec>& specs,
                              const std::string& owner = "interface");

}  // namespace engram::memory
