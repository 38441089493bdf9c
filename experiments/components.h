// engram/experiments/components.h — lower-layer components built from config sections.
// A section is {name: <registered name>, <options>...}; unknown names, unknown options and
// bad values are ConfigErrors at the offending key's file:line (or override).
#pragma once

#include "attention/normalizer.h"
#include "attention/score.h"
#include "experiments/problem.h"

namespace engram::experiments {

// `def` is the name used when the section has no `name` (or is absent).
std::unique_ptr<attention::Score<float>> make_score_from(Section cfg, const attention::ScoreShape& shape, Rng& rng,
                                                         const std::string& def);
std::unique_ptr<attention::Normalizer<float>> make_normalizer_from(Section cfg, const attention::NormalizerShape& shape,
                                                                   Rng& rng, const std::string& def);

}  // namespace engram::experiments
