// engram/core/variable.h — reverse-mode autodiff over 2-D values.
//
// A Var<T> is a cheap shared handle to a Node: the node's value, its inputs and one backward
// closure. Ops are free functions (core/ops.h) that compute a value, capture what their
// backward needs and return a new Var. Nodes are immutable once built, so one graph may be
// read by many threads; gradients live outside the nodes, in the backward pass that computes
// them, and reach leaves through a GradSink.
//
// Backward contract (every op obeys it; tests/core/ops_test.cpp checks each one):
//   backward(self, gout, gin): gout has self.value's shape; for each input k that needs a
//   gradient gin[k] points at an accumulator of input k's shape, and the op ADDS its
//   contribution (+=), never assigns. gin[k] is nullptr when input k needs no gradient.
#pragma once

#include "core/tensor.h"

#include <functional>
#include <memory>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

namespace engram {

template <class T> struct Node;

template <class T>
using GradSpan = std::span<Mat<T>* const>;

template <class T>
using BackwardFn = std::function<void(const Node<T>& self, const Mat<T>& gout, GradSpan<T> gin)>;

template <class T>
struct Node {
  Node() = default;
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;
  ~Node();  // releases long input chains iteratively (no recursion, no stack overflow)

  Mat<T> value;
  std::vector<std::shared_ptr<Node>> inputs;
  BackwardFn<T> backward;          // empty for leaves
  const char* op = "leaf";
  bool requires_grad = false;
  Mat<T> grad;                     // leaves only: filled by the default sink (accumulates)
};

template <class T>
class Var {
 public:
  using scalar_type = T;
  Var() = default;
  // A leaf holding `value`. Parameters are leaves with requires_grad = true.
  explicit Var(Mat<T> value, bool requires_grad = false);

  const Mat<T>& value() const { return node_->value; }
  // Mutable access for optimizers and initializers only; never change a value that a live
  // graph has already read.
  Mat<T>& mutable_value() { return node_->value; }
  const Mat<T>& grad() const { return node_->grad; }
  Mat<T>& mutable_grad() { return node_->grad; }
  void zero_grad() { node_->grad.setZero(node_->value.rows(), node_->value.cols()); }

  Index rows() const { return node_->value.rows(); }
  Index cols() const { return node_->value.cols(); }
  Index size() const { return node_->value.size(); }
  bool requires_grad() const { return node_->requires_grad; }
  bool defined() const { return node_ != nullptr; }
  const char* op() const { return node_->op; }
  T item() const;  // value of a 1 x 1 variable
  std::string shape() const { return shape_str(rows(), cols()); }

  const std::shared_ptr<Node<T>>& node() const { return node_; }
  Node<T>* get() const { return node_.get(); }

  // Builds the result of an op. When gradients are disabled or no input needs one, the inputs
  // and the closure are dropped so that evaluation keeps no graph alive.
  static Var make(Mat<T> value, std::vector<Var> inputs, BackwardFn<T> backward, const char* op);

 private:
  std::shared_ptr<Node<T>> node_;
};

using Variable = Var<float>;

// Receives the gradient of each leaf that requires one. The default sink adds it into the
// leaf's `grad` (not thread-safe across graphs sharing leaves: use a private sink per thread,
// as core/parallel.h does).
template <class T>
using GradSink = std::function<void(Node<T>& leaf, Mat<T>&& grad)>;

// Reverse pass from `root`. The seed gradient is ones (the usual case: a 1 x 1 loss) unless
// `seed` is given, in which case it must have root's shape.
template <class T>
void backward(const Var<T>& root, const GradSink<T>& sink = {});
template <class T>
void backward(const Var<T>& root, const std::type_identity_t<Mat<T>>& seed, const GradSink<T>& sink = {});

// Disables graph construction on this thread for its lifetime (evaluation, Hopfield sweeps).
class NoGradGuard {
 public:
  NoGradGuard();
  ~NoGradGuard();
  NoGradGuard(const NoGradGuard&) = delete;
  NoGradGuard& operator=(const NoGradGuard&) = delete;
 private:
  bool previous_;
};
bool grad_enabled();

}  // namespace engram
