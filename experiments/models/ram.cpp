// The `ram` model: the recurrent attention model of networks/glimpse.h (Mnih et al. 2014) on the
// image tasks (fashion_mnist, cluttered_fashion_mnist): a few multi-resolution glimpses at
// locations a Gaussian policy picks, an LSTM core, the class from its last state.
//
//   model:
//     name: ram
//     glimpse: 12            # every scale's patch resampled to glimpse x glimpse
//     scales: 3              # scale s covers glimpse * 2^s pixels
//     glimpses: 6            # T
//     glimpse_hidden: 128
//     hidden: 256
//     location_std: 0.15     # the policy's sigma, in [-1, 1] image coordinates
//     examples_per_graph: 32 # images per graph in training (one batched graph; a speed knob)
//
// Training: the hybrid loss (cross-entropy + the learned baseline's squared error + REINFORCE on
// the locations with reward 1 for a correct class), locations drawn from the policy with the
// graph's first example stream. Evaluation: the policy's means (deterministic): loss, accuracy,
// error on val and test. inspect(): the first validation image (val0_image), where its glimpses
// looked (val0_glimpses: the retinas' footprints over the T glimpses, finer scales brighter, the
// same [H x W]) and the locations themselves (val0_locations [T x 2], x then y in [-1, 1]).
#include "experiments/tasks/vision/image_task.h"
#include "networks/glimpse.h"

namespace engram::experiments::vision {

namespace {

class RamModel : public Model {
 public:
  RamModel(const ImageTask& task, const networks::GlimpseOptions& o, Index per_graph, Rng& rng)
      : task_(task), net_(o, rng), per_graph_(per_graph) {
    add_module("net", net_);
  }
  Var<float> loss(std::uint64_t id, Rng& rng) const override { return loss_sum({&id, 1}, {&rng, 1}); }
  Var<float> loss_sum(std::span<const std::uint64_t> ids, std::span<Rng> rngs) const override {
    const std::vector<Index> rows = task_.training_rows(ids);
    const auto episode = net_.run(Var<float>(task_.images("train", rows)), &rngs[0]);
    return scale(networks::reinforce_loss<float>(episode, task_.labels("train", rows)), static_cast<float>(ids.size()));
  }
  Index examples_per_graph() const override { return per_graph_; }
  Metrics evaluate(const std::string& split, ThreadPool& pool) const override {
    return task_.evaluate(split, pool, [&](const MatF& x) { return net_.run(Var<float>(x), nullptr).logits; });
  }
  std::map<std::string, MatF> inspect() const override {
    const ImageShape in = task_.shape();
    const Index first = 0;
    const MatF image = task_.images("val", {&first, 1});
    NoGradGuard no_grad;
    const auto episode = net_.run(Var<float>(image), nullptr);
    MatF where = MatF::Zero(in.height, in.width), locations(net_.options().glimpses, 2);
    for (size_t t = 0; t < episode.locations.size(); ++t) {
      where += net_.footprint(episode.locations[t]);
      locations.row(static_cast<Index>(t)) = episode.locations[t].row(0);
    }
    return {{"val0_image", Eigen::Map<const MatF>(image.data(), in.height * in.channels, in.width)},
            {"val0_glimpses", where},
            {"val0_locations", locations}};
  }

 private:
  const ImageTask& task_;
  networks::GlimpseNetwork<float> net_;
  Index per_graph_;
};

ENGRAM_REGISTER(models(), "ram", "recurrent attention model (Mnih et al. 2014): glimpses at locations a policy picks, trained by REINFORCE",
    [](Section& cfg, const Task& task, Rng& rng) -> std::unique_ptr<Model> {
      const auto& images = require_family<ImageTask>(task, "ram", "image");
      networks::GlimpseOptions o;
      o.input = images.shape();
      o.classes = images.classes();
      o.glimpse = cfg.integer("glimpse", 12, 1, 256);
      o.scales = cfg.integer("scales", 3, 1, 8);
      o.glimpses = cfg.integer("glimpses", 6, 1, 64);
      o.glimpse_hidden = cfg.integer("glimpse_hidden", 128, 1, 8192);
      o.hidden = cfg.integer("hidden", 256, 1, 8192);
      o.location_std = cfg.number("location_std", 0.15, 1e-6, 10);
      const Index per_graph = cfg.integer("examples_per_graph", 32, 1, 4096);
      cfg.finish();
      return std::make_unique<RamModel>(images, o, per_graph, rng);
    });

}  // namespace

}  // namespace engram::experiments::vision
