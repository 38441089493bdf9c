#include "experiments/problem.h"

namespace engram::experiments {

Registry<TaskFactory>& tasks() {
  static Registry<TaskFactory> r("task");
  return r;
}

Registry<ModelFactory>& models() {
  static Registry<ModelFactory> r("model");
  return r;
}

}  // namespace engram::experiments
