#include "core/schedule.h"

#include "core/tensor.h"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace engram {

namespace {

void require_positive(double x, const char* where, const char* arg) {
  require(x > 0 && std::isfinite(x), where, std::string(arg) + " must be > 0 and finite, got " + num_str(x));
}

}  // namespace

ConstantLr::ConstantLr(double base) : base_(base) { require_positive(base, "ConstantLr", "base"); }

double ConstantLr::lr(std::uint64_t) const { return base_; }

StepLr::StepLr(double base, std::uint64_t every, double gamma) : base_(base), every_(every), gamma_(gamma) {
  require_positive(base, "StepLr", "base");
  require(every > 0, "StepLr", "every must be > 0, got 0");
  require_positive(gamma, "StepLr", "gamma");
}

double StepLr::lr(std::uint64_t step) const {
  return base_ * std::pow(gamma_, static_cast<double>(step / every_));
}

MultiStepLr::MultiStepLr(double base, std::vector<std::uint64_t> milestones, double gamma)
    : base_(base), milestones_(std::move(milestones)), gamma_(gamma) {
  require_positive(base, "MultiStepLr", "base");
  require_positive(gamma, "MultiStepLr", "gamma");
  for (size_t i = 1; i < milestones_.size(); ++i)
    require(milestones_[i] > milestones_[i - 1], "MultiStepLr",
            "milestones must increase, got " + std::to_string(milestones_[i - 1]) + " then " + std::to_string(milestones_[i]));
}

double MultiStepLr::lr(std::uint64_t step) const {
  const auto passed = std::upper_bound(milestones_.begin(), milestones_.end(), step) - milestones_.begin();
  return base_ * std::pow(gamma_, static_cast<double>(passed));
}

ExponentialLr::ExponentialLr(double base, double gamma) : base_(base), gamma_(gamma) {
  require_positive(base, "ExponentialLr", "base");
  require_positive(gamma, "ExponentialLr", "gamma");
}

double ExponentialLr::lr(std::uint64_t step) const {
  return base_ * std::pow(gamma_, static_cast<double>(step));
}

WarmupLr::WarmupLr(std::uint64_t warmup_steps, std::shared_ptr<const LrSchedule> after)
    : warmup_(warmup_steps), after_(std::move(after)) {
  require(warmup_steps > 0, "WarmupLr", "warmup_steps must be > 0, got 0");
  require(after_ != nullptr, "WarmupLr", "after must be a schedule, got nullptr");
}

double WarmupLr::lr(std::uint64_t step) const {
  if (step < warmup_)
    return after_->lr(0) * static_cast<double>(step + 1) / static_cast<double>(warmup_);
  return after_->lr(step - warmup_);
}

}  // namespace engram
