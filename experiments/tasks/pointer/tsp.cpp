// The planar TSP task, registered as `tsp` (options and metrics: planar.cpp).
#include "experiments/tasks/pointer/planar.h"

namespace engram::experiments::pointer {

namespace {

ENGRAM_REGISTER(tasks(), "tsp", "point at the optimal tour of n planar cities (Held-Karp, n <= 12; generated or the files of Vinyals et al. 2015)",
    [](Section& cfg, const Rng& rng) { return make_planar(Planar::tsp, cfg, rng); });

}  // namespace

}  // namespace engram::experiments::pointer
