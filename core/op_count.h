// engram/core/op_count.h — the arithmetic of a forward pass, read off its graph: what papers
// call a network's "FLOPs" (usually its multiply-adds), for any model, without a count kept by
// hand per layer.
//
//   const OpCount c = count_operations(model_loss);   // after building the graph, before backward
//   c.multiply_adds   // matmul / matmul_nt: n k m; outer: n m; conv2d: outputs x (C/groups) kh kw
//   c.elementwise     // one per output element of every other op (activations, sums, softmax, ...)
//
// Each node is counted once, however many times it is read (shared subexpressions, weights);
// leaves (inputs, parameters) cost nothing. The walk is iterative: graphs of any depth (a long
// recurrent unroll) are fine. Work done outside the graph (constants computed by plain Eigen code,
// or ops on constants only, which record no node) is not seen.
#pragma once

#include "core/variable.h"

#include <map>
#include <string>

namespace engram {

struct OpCount {
  double multiply_adds = 0;
  double elementwise = 0;
  std::map<std::string, double> by_op;  // multiply-adds or elementwise operations per op name
};

template <class T>
OpCount count_operations(const Var<T>& root);

}  // namespace engram
