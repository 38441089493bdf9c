// engram/core/schedule.h — learning-rate schedules: the rate as a pure function of the step.
//
// A schedule holds no state, so resuming from a checkpoint needs only the step count
// (Optimizer::steps()). "Step" is whatever unit the caller counts: optimizer steps, or epochs
// for schedules stated per epoch (MemN2N halves the rate every 25 epochs: StepLr(0.01, 25, 0.5)
// driven by the epoch number).
//
//   auto sched = std::make_shared<WarmupLr>(1000, std::make_shared<ExponentialLr>(1e-3, 0.9999));
//   opt.set_lr(sched->lr(opt.steps()));
//
// Constructors throw std::invalid_argument naming the schedule, the argument and its value.
// Every lr() is > 0 in exact arithmetic; a long exponential decay can underflow to 0 in double.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

namespace engram {

class LrSchedule {
 public:
  virtual ~LrSchedule() = default;
  // The learning rate at `step` (0-based: the first update uses lr(0)).
  virtual double lr(std::uint64_t step) const = 0;
};

// lr = base
class ConstantLr : public LrSchedule {
 public:
  explicit ConstantLr(double base);               // base > 0, finite
  double lr(std::uint64_t step) const override;
 private:
  double base_;
};

// lr = base * gamma^floor(step / every)
class StepLr : public LrSchedule {
 public:
  StepLr(double base, std::uint64_t every, double gamma);  // base > 0, every > 0, gamma > 0
  double lr(std::uint64_t step) const override;
 private:
  double base_;
  std::uint64_t every_;
  double gamma_;
};

// lr = base * gamma^(number of milestones <= step); milestones strictly increasing (e.g. the
// MemN2N authors' schedule after 20 epochs of linear start: halved at epochs 45, 70, 95)
class MultiStepLr : public LrSchedule {
 public:
  MultiStepLr(double base, std::vector<std::uint64_t> milestones, double gamma);  // base, gamma > 0
  double lr(std::uint64_t step) const override;
 private:
  double base_;
  std::vector<std::uint64_t> milestones_;
  double gamma_;
};

// lr = base * gamma^step
class ExponentialLr : public LrSchedule {
 public:
  ExponentialLr(double base, double gamma);       // base > 0, gamma > 0
  double lr(std::uint64_t step) const override;
 private:
  double base_, gamma_;
};

// Linear warm-up to after->lr(0), then `after` restarted at 0:
//   lr = after->lr(0) * (step + 1) / warmup_steps   for step < warmup_steps
//   lr = after->lr(step - warmup_steps)             otherwise
// The first step uses after->lr(0) / warmup_steps (never 0), the last warm-up step after->lr(0).
class WarmupLr : public LrSchedule {
 public:
  WarmupLr(std::uint64_t warmup_steps, std::shared_ptr<const LrSchedule> after);  // > 0, non-null
  double lr(std::uint64_t step) const override;
 private:
  std::uint64_t warmup_;
  std::shared_ptr<const LrSchedule> after_;
};

}  // namespace engram
