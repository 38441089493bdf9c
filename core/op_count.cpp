#include "core/op_count.h"

#include <cstring>
#include <unordered_set>
#include <vector>

namespace engram {

template <class T>
OpCount count_operations(const Var<T>& root) {
  OpCount c;
  if (!root.defined()) return c;
  std::unordered_set<const Node<T>*> seen;
  std::vector<const Node<T>*> todo{root.node().get()};
  seen.insert(todo.back());
  while (!todo.empty()) {
    const Node<T>* n = todo.back();
    todo.pop_back();
    for (const auto& in : n->inputs)
      if (in && seen.insert(in.get()).second) todo.push_back(in.get());
    if (n->inputs.empty()) continue;  // a leaf
    const auto is = [&](const char* name) { return std::strcmp(n->op, name) == 0; };
    const auto in = [&](size_t k) -> const Mat<T>& { return n->inputs[k]->value; };
    double macs = -1;
    if (is("matmul") && n->inputs.size() >= 2) macs = double(in(0).rows()) * double(in(0).cols()) * double(in(1).cols());
    else if (is("matmul_nt") && n->inputs.size() >= 2) macs = double(in(0).rows()) * double(in(0).cols()) * double(in(1).rows());
    else if (is("outer")) macs = double(n->value.size());
    else if (is("conv2d") && n->inputs.size() >= 2) macs = double(n->value.size()) * double(in(1).cols());
    if (macs >= 0) {
      c.multiply_adds += macs;
      c.by_op[n->op] += macs;
    } else {
      c.elementwise += double(n->value.size());
      c.by_op[n->op] += double(n->value.size());
    }
  }
  return c;
}

template OpCount count_operations<float>(const Var<float>&);
template OpCount count_operations<double>(const Var<double>&);

}  // namespace engram
