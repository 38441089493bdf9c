// engram/experiments/optim_config.h — optimizers and LR schedules built from config sections.
//
//   optimizer: {name: adam, lr: 0.001, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0}
//   schedule:  {name: step, every: 25, gamma: 0.5, unit: epoch}   # constant | step | exponential | multistep
//              {name: multistep, milestones: [45, 70, 95], gamma: 0.5, unit: epoch}
//   warmup: 100                                                    # steps of linear warm-up (0 = none)
#pragma once

#include "core/optim.h"
#include "core/schedule.h"
#include "experiments/config.h"

#include <memory>

namespace engram::experiments {

std::unique_ptr<Optimizer<float>> make_optimizer(Section cfg, const ParameterList<float>& params);
// steps_per_epoch converts `unit: epoch` schedules to steps.
std::shared_ptr<const LrSchedule> make_schedule(Section cfg, double base_lr, std::uint64_t steps_per_epoch,
                                                std::uint64_t warmup_steps);
std::vector<std::string> optimizer_names();
std::vector<std::string> schedule_names();

}  // namespace engram::experiments
