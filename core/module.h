// engram/core/module.h — modules own parameters; optimizers, clipping and checkpoints see
// one flat, ordered list of named parameters.
//
// A parameter is a leaf Var with requires_grad = true. A module registers its parameters and
// its child modules (members) in its constructor; named_parameters() walks the tree in
// registration order and names each parameter by its path ("encoder.weight"), which is the
// name checkpoints store it under. The order is deterministic, so a flat loop over the list is
// the same on every run.
#pragma once

#include "core/variable.h"

#include <string>
#include <vector>

namespace engram {

template <class T>
struct NamedParameter {
  std::string name;
  Var<T> var;
};

template <class T>
using ParameterList = std::vector<NamedParameter<T>>;

template <class T>
class Module {
 public:
  Module() = default;
  Module(const Module&) = delete;             // children are registered by address
  Module& operator=(const Module&) = delete;
  virtual ~Module() = default;

  ParameterList<T> named_parameters() const;
  std::vector<Var<T>> parameters() const;
  Index num_parameters() const;              // total scalar count

  // Training mode (dropout etc.); propagates to children.
  void set_training(bool on);
  bool training() const { return training_; }

 protected:
  Var<T> add_parameter(const std::string& name, Mat<T> init);
  void add_module(const std::string& name, Module& child);

 private:
  void collect(const std::string& prefix, ParameterList<T>& out) const;
  ParameterList<T> params_;
  std::vector<std::pair<std::string, Module*>> children_;
  bool training_ = true;
};

// Sets every parameter's gradient to zero (allocating it if needed).
template <class T>
void zero_grad(const ParameterList<T>& params);

// Scales all gradients so that their global L2 norm is at most max_norm. Returns the norm
// before clipping. Missing (empty) gradients count as zero.
template <class T>
double clip_grad_norm(const ParameterList<T>& params, double max_norm);

// Scales each parameter's gradient on its own so that its spectral norm (largest singular value;
// the L2 norm of a vector) is at most max_norm, as the MemN2N authors' Matlab code clips (its
// norm() of a matrix). Returns the largest spectral norm before clipping.
template <class T>
double clip_grad_spectral(const ParameterList<T>& params, double max_norm);

}  // namespace engram
