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

#include <array>
#include <functional>
#include <initializer_list>
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

// A node's inputs: up to 3 (nearly every op) kept inline, more in a vector, so that building a
// node costs no allocation for its input list.
template <class P>
class InputList {
 public:
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  P* begin() { return data(); }
  P* end() { return data() + size_; }
  const P* begin() const { return data(); }
  const P* end() const { return data() + size_; }
  P& operator[](size_t k) { return data()[k]; }
  const P& operator[](size_t k) const { return data()[k]; }
  void reserve(size_t n) {
    if (n > kInline && heap_.empty()) heap_.reserve(n);
  }
  void push_back(P p) {
    if (size_ < kInline && heap_.empty()) {
      inline_[size_++] = std::move(p);
      return;
    }
    if (heap_.empty())  // spill the inline ones first
      for (size_t k = 0; k < size_; ++k) heap_.push_back(std::move(inline_[k]));
    heap_.push_back(std::move(p));
    ++size_;
  }
  void clear() {
    for (size_t k = 0; k < kInline; ++k) inline_[k] = P();
    heap_.clear();
    size_ = 0;
  }

 private:
  static constexpr size_t kInline = 3;
  P* data() { return heap_.empty() ? inline_.data() : heap_.data(); }
  const P* data() const { return heap_.empty() ? inline_.data() : heap_.data(); }
  std::array<P, kInline> inline_{};
  std::vector<P> heap_;
  size_t size_ = 0;
};

template <class T>
struct Node {
  Node() = default;
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;
  ~Node();  // releases long input chains iteratively (no recursion, no stack overflow)

  Mat<T> value;
  InputList<std::shared_ptr<Node>> inputs;
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
  // and the closure are dropped so that evaluation keeps no graph alive (and the closure never
  // becomes a std::function: no allocation for it).
  template <class F>
  static Var make(Mat<T> value, std::initializer_list<Var> inputs, F&& backward, const char* op) {
    return make_from(std::move(value), inputs.begin(), inputs.end(), std::forward<F>(backward), op);
  }
  template <class F>
  static Var make(Mat<T> value, const std::vector<Var>& inputs, F&& backward, const char* op) {
    return make_from(std::move(value), inputs.data(), inputs.data() + inputs.size(), std::forward<F>(backward), op);
  }

 private:
  template <class F>
  static Var make_from(Mat<T> value, const Var* first, const Var* last, F&& backward, const char* op) {
    Var out = result(std::move(value), op);
    if (!needs_grad(first, last)) return out;
    out.node_->requires_grad = true;
    out.node_->inputs.reserve(static_cast<size_t>(last - first));
    for (; first != last; ++first) out.node_->inputs.push_back(first->node_);
    out.node_->backward = BackwardFn<T>(std::forward<F>(backward));
    return out;
  }
  static bool needs_grad(const Var* first, const Var* last);
  static Var result(Mat<T> value, const char* op);  // a node with no inputs yet
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
