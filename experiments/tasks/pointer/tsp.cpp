// The planar TSP task, registered as `tsp` (options and metrics: planar.cpp).
#include "experiments/tasks/pointer/planar.h"

namespace engram::experiments::pointer {

namespace {

ENGRAM_REGISTER(tasks(), "tsp", "point at the shortest tour of n planar cities (Held-Karp for n <= 12, local search up to 100; generated or the files of Vinyals et al. 2015)",
    [](Section& cfg, const Rng& rng) { return make_planar(Planar::tsp, cfg, rng); });

}  // namespace

}  // namespace engram::experiments::pointer
