// engram/experiments/tasks/pointer/planar.h — the planar pointer tasks (convex hull, TSP; their
// options and metrics in planar.cpp), built from a task config section.
#pragma once

#include "experiments/tasks/pointer/pointer_task.h"

#include <memory>

namespace engram::experiments::pointer {

enum class Planar { hull, tsp };

// The task of `kind` from its config section (errors at the keys' file:line).
std::unique_ptr<Task> make_planar(Planar kind, Section& cfg, const Rng& rng);

}  // namespace engram::experiments::pointer
