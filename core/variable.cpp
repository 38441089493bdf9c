#include "core/variable.h"

#include <unordered_map>

namespace engram {

namespace {
thread_local bool t_grad_enabled = true;
}  // namespace

bool grad_enabled() { return t_grad_enabled; }
NoGradGuard::NoGradGuard() : previous_(t_grad_enabled) { t_grad_enabled = false; }
NoGradGuard::~NoGradGuard() { t_grad_enabled = previous_; }

template <class T>
Node<T>::~Node() {
  std::vector<std::shared_ptr<Node>> pending = std::move(inputs);
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
Var<T> Var<T>::make(Mat<T> value, std::vector<Var> inputs, BackwardFn<T> backward,
                    const char* op) {
  Var out;
  out.node_ = std::make_shared<Node<T>>();
  out.node_->value = std::move(value);
  out.node_->op = op;
  bool needs = false;
  if (t_grad_enabled)
    for (const auto& in : inputs) needs = needs || in.requires_grad();
  if (needs) {
    out.node_->requires_grad = true;
    out.node_->inputs.reserve(inputs.size());
    for (auto& in : inputs) out.node_->inputs.push_back(std::move(in.node_));
    out.node_->backward = std::move(backward);
  }
  return out;
}

namespace {

// Nodes that need a gradient, in topological order (inputs before outputs).
template <class T>
std::vector<Node<T>*> topo_order(Node<T>* root) {
  std::vector<Node<T>*> order;
  std::unordered_map<Node<T>*, bool> seen;  // false = on the stack, true = done
  std::vector<std::pair<Node<T>*, size_t>> stack{{root, 0}};
  seen.emplace(root, false);
  while (!stack.empty()) {
    auto& [node, next] = stack.back();
    if (next < node->inputs.size()) {
      Node<T>* in = node->inputs[next++].get();
      if (in->requires_grad && !seen.count(in)) {
        seen.emplace(in, false);
        stack.emplace_back(in, 0);
      }
    } else {
      order.push_back(node);
      stack.pop_back();
    }
  }
  return order;
}

template <class T>
void run_backward(Node<T>* root, Mat<T> seed, const GradSink<T>& sink) {
  if (!root->requires_grad) return;
  std::vector<Node<T>*> order = topo_order(root);
  std::unordered_map<Node<T>*, Mat<T>> grads;
  grads.reserve(order.size());
  grads.emplace(root, std::move(seed));
  std::vector<Mat<T>*> gin;
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    Node<T>* node = *it;
    auto found = grads.find(node);
    if (found == grads.end()) continue;  // no path from the root carried a gradient here
    Mat<T> g = std::move(found->second);
    grads.erase(found);
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
    for (size_t k = 0; k < node->inputs.size(); ++k) {
      Node<T>* in = node->inputs[k].get();
      if (!in->requires_grad) continue;
      auto [slot, fresh] = grads.try_emplace(in);
      if (fresh) slot->second.setZero(in->value.rows(), in->value.cols());
      gin[k] = &slot->second;
    }
    node->backward(*node, g, GradSpan<T>(gin.data(), gin.size()));
  }
}

}  // namespace

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
template void backward(const Var<float>&, const GradSink<float>&);
template void backward(const Var<double>&, const GradSink<double>&);
template void backward(const Var<float>&, const Mat<float>&, const GradSink<float>&);
template void backward(const Var<double>&, const Mat<double>&, const GradSink<double>&);

}  // namespace engram
