#include "core/variable.h"

#include "core/outer_grad.h"

#include <cstdint>
#include <utility>

namespace engram {

namespace {
thread_local bool t_grad_enabled = true;
}  // namespace

bool grad_enabled() { return t_grad_enabled; }
NoGradGuard::NoGradGuard() : previous_(t_grad_enabled) { t_grad_enabled = false; }
NoGradGuard::~NoGradGuard() { t_grad_enabled = previous_; }

template <class T>
Node<T>::~Node() {
  std::vector<std::shared_ptr<Node>> pending;
  for (auto& in : inputs)
    if (in.use_count() == 1) pending.push_back(std::move(in));  // (the others outlive this node)
  inputs.clear();
  while (!pending.empty()) {
    std::shared_ptr<Node> n = std::move(pending.back());
    pending.pop_back();
    if (n.use_count() == 1) {  // we hold the last reference: take over its inputs
      for (auto& in : n->inputs) pending.push_back(std::move(in));
      n->inputs.clear();
    }
  }  // each node dies here with no inputs left to release recursively
}

template <class T>
Var<T>::Var(Mat<T> value, bool requires_grad) : node_(std::make_shared<Node<T>>()) {
  node_->value = std::move(value);
  node_->requires_grad = requires_grad;
}

template <class T>
T Var<T>::item() const {
  require_lazy(node_ && rows() == 1 && cols() == 1, "Var::item", [&] {
    return "expected a [1 x 1] variable, got " + (node_ ? shape() : std::string("undefined"));
  });
  return node_->value(0, 0);
}

template <class T>
bool Var<T>::needs_grad(const Var* first, const Var* last) {
  if (!t_grad_enabled) return false;
  for (; first != last; ++first)
    if (first->requires_grad()) return true;
  return false;
}

template <class T>
Var<T> Var<T>::result(Mat<T> value, const char* op) {
  Var out;
  out.node_ = std::make_shared<Node<T>>();
  out.node_->value = std::move(value);
  out.node_->op = op;
  return out;
}

namespace {

// The nodes one backward pass reaches, each with a dense index (its place in `nodes`): an
// open-addressing table of pointers, so that numbering a node costs no allocation (a std
// unordered_map allocated twice per node and cost more than many ops' arithmetic in the small
// per-step graphs of the NTM and DNC). Local to one pass: nodes shared between threads' graphs
// (parameters) are never written.
template <class N>
class NodeNumbering {
 public:
  explicit NodeNumbering(size_t expected) {
    size_t cap = 64;
    while (cap < 2 * expected) cap *= 2;
    slots_.assign(cap, {nullptr, 0});
  }
  // The node's index, or -1 when it has none.
  std::int64_t find(const N* n) const {
    for (size_t i = hash(n) & (slots_.size() - 1);; i = (i + 1) & (slots_.size() - 1)) {
      if (slots_[i].first == n) return slots_[i].second;
      if (slots_[i].first == nullptr) return -1;
    }
  }
  // Numbers `n` when it is new; returns whether it was.
  bool insert(N* n) {
    if (2 * (nodes.size() + 1) > slots_.size()) grow();
    for (size_t i = hash(n) & (slots_.size() - 1);; i = (i + 1) & (slots_.size() - 1)) {
      if (slots_[i].first == n) return false;
      if (slots_[i].first == nullptr) {
        slots_[i] = {n, static_cast<std::int64_t>(nodes.size())};
        nodes.push_back(n);
        return true;
      }
    }
  }
  std::vector<N*> nodes;  // by index

 private:
  static size_t hash(const N* n) {
    auto x = static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(n));
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return static_cast<size_t>(x);
  }
  void grow() {
    std::vector<std::pair<N*, std::int64_t>> old(slots_.size() * 2, {nullptr, 0});
    old.swap(slots_);
    for (const auto& [n, k] : old)
      if (n)
        for (size_t i = hash(n) & (slots_.size() - 1);; i = (i + 1) & (slots_.size() - 1))
          if (slots_[i].first == nullptr) {
            slots_[i] = {n, k};
            break;
          }
  }
  std::vector<std::pair<N*, std::int64_t>> slots_;
};

// Nodes that need a gradient, in topological order (inputs before outputs), numbered in `seen`.
template <class T>
std::vector<Node<T>*> topo_order(Node<T>* root, NodeNumbering<Node<T>>& seen) {
  std::vector<Node<T>*> order;
  order.reserve(64);
  std::vector<std::pair<Node<T>*, size_t>> stack{{root, 0}};
  seen.insert(root);
  while (!stack.empty()) {
    auto& [node, next] = stack.back();
    if (next < node->inputs.size()) {
      Node<T>* in = node->inputs[next++].get();
      if (in->requires_grad && seen.insert(in)) stack.emplace_back(in, 0);
    } else {
      order.push_back(node);
      stack.pop_back();
    }
  }
  return order;
}

// The rank-1 updates add_outer() recorded for one leaf's gradient: rows of u and of v.
template <class T>
struct OuterRows {
  std::vector<T> u, v;
  Index rows = 0;
};

constexpr Index kOuterRowsPerFlush = 256;

// What add_outer() needs to know of the backward pass running on this thread.
template <class T>
struct OuterPass {
  const std::vector<Mat<T>>* grads = nullptr;  // the pass's gradients, by node index
  const std::vector<char>* leaf = nullptr;      // leaf[k]: node k has no backward function
  std::vector<std::int32_t> slot;               // node k -> its rows in `pending`, or -1
  std::vector<OuterRows<T>> pending;
};

template <class T>
OuterPass<T>*& current_outer_pass() {
  static thread_local OuterPass<T>* pass = nullptr;
  return pass;
}

template <class T>
void flush_outer(Mat<T>& grad, OuterRows<T>& r) {
  if (r.rows == 0) return;
  const Eigen::Map<const Mat<T>> u(r.u.data(), r.rows, grad.rows()), v(r.v.data(), r.rows, grad.cols());
  grad.noalias() += u.transpose() * v;  // [k x rows][rows x n]
  r.u.clear();
  r.v.clear();
  r.rows = 0;
}

// The node index of `grad` when it is the gradient of a leaf in `pass`, else -1.
template <class T>
std::int64_t leaf_of(const OuterPass<T>& pass, const Mat<T>& grad) {
  const auto at = reinterpret_cast<std::uintptr_t>(&grad), first = reinterpret_cast<std::uintptr_t>(pass.grads->data());
  if (at < first || at >= first + pass.grads->size() * sizeof(Mat<T>) || (at - first) % sizeof(Mat<T>) != 0) return -1;
  const auto k = static_cast<std::int64_t>((at - first) / sizeof(Mat<T>));
  return (*pass.leaf)[static_cast<size_t>(k)] ? k : -1;
}

// Installs a pass for add_outer() on this thread for its lifetime (restoring any outer one).
template <class T>
class OuterPassScope {
 public:
  OuterPassScope(OuterPass<T>& pass) : previous_(current_outer_pass<T>()) { current_outer_pass<T>() = &pass; }
  ~OuterPassScope() { current_outer_pass<T>() = previous_; }
  OuterPassScope(const OuterPassScope&) = delete;
  OuterPassScope& operator=(const OuterPassScope&) = delete;

 private:
  OuterPass<T>* previous_;
};

template <class T>
void run_backward(Node<T>* root, Mat<T> seed, const GradSink<T>& sink) {
  if (!root->requires_grad) return;
  NodeNumbering<Node<T>> index(256);
  const std::vector<Node<T>*> order = topo_order(root, index);
  // grads[k]: the gradient accumulated for node k so far; has[k]: whether any path brought one
  std::vector<Mat<T>> grads(index.nodes.size());
  std::vector<char> has(index.nodes.size(), 0), leaf(index.nodes.size(), 0);
  for (size_t k = 0; k < leaf.size(); ++k) leaf[k] = index.nodes[k]->backward ? 0 : 1;
  OuterPass<T> outer{&grads, &leaf, std::vector<std::int32_t>(index.nodes.size(), -1), {}};
  const OuterPassScope<T> scope(outer);
  grads[0] = std::move(seed);  // (the root is node 0)
  has[0] = 1;
  std::vector<Mat<T>*> gin;
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    Node<T>* node = *it;
    const auto k = static_cast<size_t>(index.find(node));
    if (!has[k]) continue;  // no path from the root carried a gradient here
    if (outer.slot[k] >= 0) flush_outer(grads[k], outer.pending[static_cast<size_t>(outer.slot[k])]);
    Mat<T> g = std::move(grads[k]);
    has[k] = 0;
    if (!node->backward) {  // a leaf
      if (sink) {
        sink(*node, std::move(g));
      } else if (node->grad.size() == 0) {
        node->grad = std::move(g);
      } else {
        node->grad += g;
      }
      continue;
    }
    gin.assign(node->inputs.size(), nullptr);
    for (size_t j = 0; j < node->inputs.size(); ++j) {
      Node<T>* in = node->inputs[j].get();
      if (!in->requires_grad) continue;
      const auto m = static_cast<size_t>(index.find(in));
      if (!has[m]) {
        grads[m].setZero(in->value.rows(), in->value.cols());
        has[m] = 1;
      }
      gin[j] = &grads[m];
    }
    node->backward(*node, g, GradSpan<T>(gin.data(), gin.size()));
  }
}

}  // namespace

template <class T>
void add_outer(Mat<T>& grad, const T* u, const T* v) {
  const Index k = grad.rows(), n = grad.cols();
  if (OuterPass<T>* pass = current_outer_pass<T>()) {
    const std::int64_t node = leaf_of(*pass, grad);
    if (node >= 0) {
      std::int32_t& slot = pass->slot[static_cast<size_t>(node)];
      if (slot < 0) {
        slot = static_cast<std::int32_t>(pass->pending.size());
        pass->pending.emplace_back();
      }
      OuterRows<T>& r = pass->pending[static_cast<size_t>(slot)];
      r.u.insert(r.u.end(), u, u + k);
      r.v.insert(r.v.end(), v, v + n);
      if (++r.rows == kOuterRowsPerFlush) flush_outer(grad, r);
      return;
    }
  }
  grad.noalias() += Eigen::Map<const Eigen::Matrix<T, Eigen::Dynamic, 1>>(u, k) *
                    Eigen::Map<const Eigen::Matrix<T, 1, Eigen::Dynamic>>(v, n);
}

template <class T>
void backward(const Var<T>& root, const GradSink<T>& sink) {
  require(root.defined(), "backward", "root variable is undefined");
  run_backward<T>(root.get(), Mat<T>::Ones(root.rows(), root.cols()), sink);
}

template <class T>
void backward(const Var<T>& root, const std::type_identity_t<Mat<T>>& seed, const GradSink<T>& sink) {
  require(root.defined(), "backward", "root variable is undefined");
  require_lazy(seed.rows() == root.rows() && seed.cols() == root.cols(), "backward", [&] {
    return "seed gradient " + shape_str(seed) + " does not match root " + root.shape();
  });
  run_backward<T>(root.get(), seed, sink);
}

template struct Node<float>;
template struct Node<double>;
template class Var<float>;
template class Var<double>;
template void add_outer(Mat<float>&, const float*, const float*);
template void add_outer(Mat<double>&, const double*, const double*);
template void backward(const Var<float>&, const GradSink<float>&);
template void backward(const Var<double>&, const GradSink<double>&);
template void backward(const Var<float>&, const Mat<float>&, const GradSink<float>&);
template void backward(const Var<double>&, const Mat<double>&, const GradSink<double>&);

}  // namespace engram
