#include "experiments/components.h"

namespace engram::experiments {

std::unique_ptr<attention::Score<float>> make_score_from(Section cfg, const attention::ScoreShape& shape, Rng& rng,
                                                         const std::string& def) {
  return build_component(cfg, attention::scores<float>(), shape, rng, def);
}

std::unique_ptr<attention::Normalizer<float>> make_normalizer_from(Section cfg, const attention::NormalizerShape& shape,
                                                                   Rng& rng, const std::string& def) {
  return build_component(cfg, attention::normalizers<float>(), shape, rng, def);
}

}  // namespace engram::experiments
