// engram/networks/lstm_seq.h — the recurrent baseline of the bit-sequence tasks: a controller
// (an LSTM by default, any registered one) stepped over the input rows, and one Linear output
// layer over every step's controller output (Graves et al. 2014's "LSTM" baseline).
//
//   for t = 0 .. T-1:  (y_t, s_{t+1}) = controller.step(x_t, s_t),  s_0 = initial_state()
//   logits = [y_0; ..; y_{T-1}] W + b            [T x output]
// The output layer is one matmul over the stacked outputs, not T small ones.
//
// CONTRACT for logits(input): input [T x controller input], T >= 1 -> [T x output]; const
// and thread-safe (each call builds its own graph).
#pragma once

#include "networks/controller.h"

namespace engram::networks {

template <class T>
class LstmSeq : public Module<T> {
 public:
  LstmSeq(std::unique_ptr<Controller<T>> controller, Index output, Rng& rng);
  Var<T> logits(const Mat<T>& input) const;
  const Controller<T>& controller() const { return *controller_; }

 private:
  std::unique_ptr<Controller<T>> controller_;
  Linear<T> out_;
};

}  // namespace engram::networks
