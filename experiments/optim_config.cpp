#include "experiments/optim_config.h"

#include "core/catalogue.h"

#include <charconv>
#include <limits>

namespace engram::experiments {

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();
}

std::vector<std::string> optimizer_names() { return {"adagrad", "adam", "rmsprop", "sgd"}; }
std::vector<std::string> schedule_names() { return {"constant", "exponential", "step", "multistep"}; }

namespace {
// The optimizers and schedules are names the trainer knows (not registries): they enrol in the
// catalogue the same way, for `engram list` and Python.
[[maybe_unused]] const bool enrolled = [] {
  const auto named = [](std::vector<std::string> names, std::string key) {
    return [names = std::move(names), key = std::move(key)] {
      std::vector<std::pair<std::string, std::string>> out;
      for (const auto& n : names) out.emplace_back(n, key);
      return out;
    };
  };
  catalogue().enrol({"optimizers", "optimizers of the trainer (trainer.optimizer.name)",
                     named(optimizer_names(), "trainer.optimizer.name")});
  catalogue().enrol({"schedules", "learning-rate schedules (trainer.schedule.name)",
                     named(schedule_names(), "trainer.schedule.name")});
  return true;
}();
}  // namespace

std::unique_ptr<Optimizer<float>> make_optimizer(Section cfg, const ParameterList<float>& params) {
  const std::string name = cfg.choice("name", "adam", optimizer_names());
  std::unique_ptr<Optimizer<float>> opt;
  if (name == "sgd") {
    SGDOptions o;
    o.lr = cfg.number("lr", 0.01, 0, kInf);
    o.momentum = cfg.number("momentum", 0.0, 0, kInf);
    o.dampening = cfg.number("dampening", 0.0, 0, kInf);
    o.nesterov = cfg.boolean("nesterov", false);
    o.weight_decay = cfg.number("weight_decay", 0.0, 0, kInf);
    cfg.finish();
    opt = std::make_unique<SGD<float>>(params, o);
  } else if (name == "adam") {
    AdamOptions o;
    o.lr = cfg.number("lr", 1e-3, 0, kInf);
    o.beta1 = cfg.number("beta1", 0.9, 0, 1);
    o.beta2 = cfg.number("beta2", 0.999, 0, 1);
    o.eps = cfg.number("eps", 1e-8, 0, kInf);
    o.weight_decay = cfg.number("weight_decay", 0.0, 0, kInf);
    cfg.finish();
    opt = std::make_unique<Adam<float>>(params, o);
  } else if (name == "rmsprop") {
    RMSPropOptions o;
    o.lr = cfg.number("lr", 1e-2, 0, kInf);
    o.alpha = cfg.number("alpha", 0.99, 0, 1);
    o.eps = cfg.number("eps", 1e-8, 0, kInf);
    o.momentum = cfg.number("momentum", 0.0, 0, kInf);
    o.centered = cfg.boolean("centered", false);
    o.weight_decay = cfg.number("weight_decay", 0.0, 0, kInf);
    cfg.finish();
    opt = std::make_unique<RMSProp<float>>(params, o);
  } else {
    AdagradOptions o;
    o.lr = cfg.number("lr", 1e-2, 0, kInf);
    o.lr_decay = cfg.number("lr_decay", 0.0, 0, kInf);
    o.eps = cfg.number("eps", 1e-10, 0, kInf);
    o.initial_accumulator_value = cfg.number("initial_accumulator_value", 0.0, 0, kInf);
    o.weight_decay = cfg.number("weight_decay", 0.0, 0, kInf);
    cfg.finish();
    opt = std::make_unique<Adagrad<float>>(params, o);
  }
  return opt;
}

std::shared_ptr<const LrSchedule> make_schedule(Section cfg, double base_lr, std::uint64_t steps_per_epoch,
                                                std::uint64_t warmup_steps) {
  const std::string name = cfg.choice("name", "constant", schedule_names());
  std::shared_ptr<const LrSchedule> s;
  if (name == "constant") {
    s = std::make_shared<ConstantLr>(base_lr);
  } else {
    const std::string unit = cfg.choice("unit", "step", {"step", "epoch"});
    const std::uint64_t scale = unit == "epoch" ? std::max<std::uint64_t>(1, steps_per_epoch) : 1;
    if (name == "step") {
      const auto every = static_cast<std::uint64_t>(cfg.integer("every", 1, 1));
      s = std::make_shared<StepLr>(base_lr, every * scale, cfg.number("gamma", 0.5, 0, 1));
    } else if (name == "multistep") {
      std::vector<std::uint64_t> at;
      for (const std::string& m : cfg.strings("milestones", {})) {
        std::uint64_t v = 0;
        const auto [end, ec] = std::from_chars(m.data(), m.data() + m.size(), v);
        if (ec != std::errc() || end != m.data() + m.size() || v == 0)
          cfg.fail("milestones", "must be a list of positive integers, got '" + m + "'");
        at.push_back(v * scale);
      }
      if (at.empty()) cfg.fail("milestones", "must list at least one step (or epoch) at which the rate is multiplied by gamma");
      for (size_t i = 1; i < at.size(); ++i)
        if (at[i] <= at[i - 1]) cfg.fail("milestones", "must increase");
      s = std::make_shared<MultiStepLr>(base_lr, at, cfg.number("gamma", 0.5, 0, 1));
    } else {
      // gamma per unit; per step it is gamma^(1/scale)
      const double gamma = cfg.number("gamma", 0.99, 0, 1);
      s = std::make_shared<ExponentialLr>(base_lr, std::pow(gamma, 1.0 / double(scale)));
    }
  }
  cfg.finish();
  if (warmup_steps > 0) s = std::make_shared<WarmupLr>(warmup_steps, s);
  return s;
}

}  // namespace engram::experiments
