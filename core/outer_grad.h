// engram/core/outer_grad.h — rank-1 gradient updates that the backward pass sums in one GEMM.
//
// A recurrent network run one example at a time multiplies a [1 x k] row by the same weight at
// every step, so its weight gradient is a sum over steps of outer products u_t^T v_t. Added one
// by one, each is a pass over the whole [k x n] gradient (memory-bound: 15% of an NTM step at
// N 128); summed at once it is one [k x T][T x n] GEMM. add_outer() records u and v when `grad`
// is the gradient of a leaf (a parameter or input, which no backward function reads) in the
// backward pass running on this thread, and the pass adds the recorded rows to the leaf's
// gradient in one product when it reaches the leaf (or every 256 rows); anywhere else it adds
// u^T v at once. The result is the same sum in another order (float rounding may differ in the
// last bits; one pass on one thread always sums in the same order, so runs stay reproducible).
#pragma once

#include "core/variable.h"

namespace engram {

// grad += u^T v, u: k values (a row), v: n values (a row); grad: [k x n].
template <class T>
void add_outer(Mat<T>& grad, const T* u, const T* v);

}  // namespace engram
