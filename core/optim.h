// engram/core/optim.h — first-order optimizers over a flat, named parameter list.
//
// An Optimizer<T> holds the parameter handles it updates (the list from
// Module::named_parameters(); the handles share the module's values), a learning rate, a step
// counter and its per-parameter state. Every optimizer follows the update rule of its
// torch.optim namesake (torch 2.x, single tensor, no amsgrad/maximize/foreach), so numbers
// from a PyTorch run carry over; the exact formula is written above each update() in optim.cpp.
//
//   Adam<float> opt(model.named_parameters(), {.lr = 1e-3, .weight_decay = 1e-5});
//   for (...) {
//     opt.zero_grad();
//     backward(loss(model, batch));
//     clip_grad_norm(opt.params(), 10.0);
//     opt.set_lr(schedule.lr(opt.steps()));   // core/schedule.h
//     opt.step();
//   }
//
// State. A subclass declares named slots ("exp_avg", "square_avg", ...) in its constructor;
// each slot holds one tensor per parameter, of that parameter's shape, allocated and filled
// with the slot's initial value (0 unless stated) the first time it is needed. All state lives
// in one table, slots x parameters, so a checkpoint is one loop over it:
//   "<prefix><slot>/<param name>"  tensor (f32 or f64, as T)   e.g. "optim/exp_avg/encoder.weight"
//   "<prefix>steps"                u64s {steps()}
// The learning rate is not saved: it belongs to the schedule, which is a function of steps().
//
// Errors. Constructors, set_lr and step throw std::invalid_argument naming the optimizer, the
// option or parameter and the bad value ("Adam: beta2 must be in [0, 1), got 1.5").
// load_state throws CheckpointError.
#pragma once

#include "core/checkpoint.h"
#include "core/module.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace engram {

template <class T>
class Optimizer {
 public:
  // Requires: lr > 0 and finite; parameter handles defined and their names distinct (they are
  // checkpoint keys). Otherwise throws std::invalid_argument.
  Optimizer(ParameterList<T> params, double lr);
  virtual ~Optimizer() = default;
  // Not copyable: a copy would share the parameters and update them a second time.
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  // One update of every parameter from its current grad. An empty (never allocated) grad
  // counts as zero; a non-empty grad must have the parameter's shape. Every parameter is
  // checked before any is updated, so a throw leaves parameters and state untouched.
  // Increments steps().
  void step();
  // Sets every parameter's grad to zero (engram::zero_grad).
  void zero_grad();

  double lr() const { return lr_; }
  void set_lr(double lr);                    // lr > 0 and finite, else std::invalid_argument
  std::uint64_t steps() const { return steps_; }
  const ParameterList<T>& params() const { return params_; }

  // Writes every state tensor and the step count (layout above). Slots not yet allocated are
  // written as their initial value.
  void save_state(Checkpoint& ck, const std::string& prefix = "optim/") const;
  // Reads what save_state wrote. Every entry is fetched and checked (present, right kind, the
  // parameter's current shape, steps of length 1) before anything is assigned, so a bad
  // checkpoint throws CheckpointError and leaves the optimizer untouched. Entries of other
  // slots or parameters are ignored.
  void load_state(const Checkpoint& ck, const std::string& prefix = "optim/");

  virtual std::string name() const = 0;
  // The declared slot names, in declaration order.
  std::vector<std::string> slot_names() const;

 protected:
  // Declares a state slot and returns its index for state(). Call only from a subclass
  // constructor.
  std::size_t add_slot(const std::string& name, T init = T(0));
  // The state tensor of slot `slot` for parameter `param` (allocated by step()).
  Mat<T>& state(std::size_t slot, std::size_t param) { return slots_[slot].tensors[param]; }

  // The update of parameter i at step t (1-based: t = steps() + 1 during the first step).
  // value: the parameter, updated in place. grad: its gradient, value's shape (zeros when it
  // had none). lr: the current learning rate. Slots are allocated, of value's shape.
  virtual void update(std::size_t i, Mat<T>& value, const Mat<T>& grad, T lr, std::uint64_t t) = 0;

  // grad + weight_decay * value (L2 penalty folded into the gradient). Returns `grad` itself
  // when weight_decay == 0, otherwise the sum written into `scratch`.
  static const Mat<T>& add_weight_decay(const Mat<T>& grad, const Mat<T>& value, T weight_decay,
                                        Mat<T>& scratch);

 private:
  struct Slot {
    std::string name;
    T init;
    std::vector<Mat<T>> tensors;  // one per parameter; empty until allocated
  };
  void allocate_state();
  std::string entry_name(const Slot& s, std::size_t param, const std::string& prefix) const;

  ParameterList<T> params_;
  double lr_;
  std::uint64_t steps_ = 0;
  std::vector<Slot> slots_;
};

// ---------------------------------------------------------------------------------------------
// SGD (torch.optim.SGD). Slots: "momentum_buffer" when momentum > 0.
struct SGDOptions {
  double lr = 0.01;            // > 0
  double momentum = 0;         // >= 0
  double dampening = 0;        // >= 0 (PyTorch's; applied from the second step on)
  bool nesterov = false;       // requires momentum > 0 and dampening == 0
  double weight_decay = 0;     // >= 0, L2 added to the gradient
};

template <class T>
class SGD : public Optimizer<T> {
 public:
  SGD(ParameterList<T> params, const SGDOptions& options = {});
  std::string name() const override { return "SGD"; }
  const SGDOptions& options() const { return o_; }  // as constructed (lr: see lr())
 private:
  void update(std::size_t i, Mat<T>& value, const Mat<T>& grad, T lr, std::uint64_t t) override;
  SGDOptions o_;
  std::size_t buf_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Adam (torch.optim.Adam: L2 weight decay added to the gradient, not AdamW's decoupled decay).
// Slots: "exp_avg" (m), "exp_avg_sq" (v).
struct AdamOptions {
  double lr = 1e-3;            // > 0
  double beta1 = 0.9;          // [0, 1)
  double beta2 = 0.999;        // [0, 1)
  double eps = 1e-8;           // >= 0
  double weight_decay = 0;     // >= 0
};

template <class T>
class Adam : public Optimizer<T> {
 public:
  Adam(ParameterList<T> params, const AdamOptions& options = {});
  std::string name() const override { return "Adam"; }
  const AdamOptions& options() const { return o_; }
 private:
  void update(std::size_t i, Mat<T>& value, const Mat<T>& grad, T lr, std::uint64_t t) override;
  AdamOptions o_;
  std::size_t m_ = 0, v_ = 0;
};

// ---------------------------------------------------------------------------------------------
// RMSProp (torch.optim.RMSprop). centered = true is the variant Graves used for NTMs (divide by
// an estimate of the gradient's standard deviation rather than its RMS); eps is added outside
// the square root, as in PyTorch. Graves (2014): alpha 0.95, momentum 0.9, lr 1e-4.
// Slots: "square_avg"; "grad_avg" when centered; "momentum_buffer" when momentum > 0.
struct RMSPropOptions {
  double lr = 0.01;            // > 0
  double alpha = 0.99;         // [0, 1), decay of the running averages
  double eps = 1e-8;           // >= 0
  double momentum = 0;         // >= 0
  bool centered = false;
  double weight_decay = 0;     // >= 0
};

template <class T>
class RMSProp : public Optimizer<T> {
 public:
  RMSProp(ParameterList<T> params, const RMSPropOptions& options = {});
  std::string name() const override { return "RMSProp"; }
  const RMSPropOptions& options() const { return o_; }
 private:
  void update(std::size_t i, Mat<T>& value, const Mat<T>& grad, T lr, std::uint64_t t) override;
  RMSPropOptions o_;
  std::size_t sq_ = 0, gavg_ = 0, buf_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Adagrad (torch.optim.Adagrad). Slots: "sum", initialised to initial_accumulator_value.
struct AdagradOptions {
  double lr = 0.01;                       // > 0
  double lr_decay = 0;                    // >= 0: lr / (1 + (t - 1) * lr_decay) at step t
  double weight_decay = 0;                // >= 0
  double initial_accumulator_value = 0;   // >= 0
  double eps = 1e-10;                     // >= 0
};

template <class T>
class Adagrad : public Optimizer<T> {
 public:
  Adagrad(ParameterList<T> params, const AdagradOptions& options = {});
  std::string name() const override { return "Adagrad"; }
  const AdagradOptions& options() const { return o_; }
 private:
  void update(std::size_t i, Mat<T>& value, const Mat<T>& grad, T lr, std::uint64_t t) override;
  AdagradOptions o_;
  std::size_t sum_ = 0;
};

}  // namespace engram
