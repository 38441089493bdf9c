// The convex hull task, registered as `convex_hull` (options and metrics: planar.cpp).
#include "experiments/tasks/pointer/planar.h"

namespace engram::experiments::pointer {

namespace {

ENGRAM_REGISTER(tasks(), "convex_hull", "point at the convex hull of n planar points, counter-clockwise (Vinyals et al. 2015; generated or their files)",
    [](Section& cfg, const Rng& rng) { return make_planar(Planar::hull, cfg, rng); });

}  // namespace

}  // namespace engram::experiments::pointer
