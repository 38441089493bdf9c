// The `cnn` model: the small convolutional backbone of networks/cnn.h on the image tasks
// (experiments/tasks/vision/: fashion_mnist, cluttered_fashion_mnist), with any registered attention block after every
// stage's ReLU, or none.
//
//   model:
//     name: cnn
//     channels: [16, 32]                 # one stage per entry
//     block: none                        # or any of `engram list blocks`, {name: se, reduction: 8}
//     norm_groups: 0                     # > 0: group normalisation after each conv (groups,
//                                        # capped at the stage's channels, must divide them)
//     head: global                       # global: the classifier reads each channel's mean over
//                                        # the last maps; flatten: the last maps whole (C x H x W)
//     examples_per_graph: 32             # images per graph in training (a speed knob)
//
// Training: cross-entropy. Evaluation: loss, accuracy, error on val and test. inspect(): the
// first validation image (val0_image [H x W]) and, with a block, its first stage's attention
// (val0_attention: [C x H*W] per element, [H x W] spatial, [1 x C] channel).
#include "experiments/tasks/vision/image_task.h"
#include "networks/cnn.h"

#include <algorithm>

namespace engram::experiments::vision {

namespace {

class CnnModel : public Model {
 public:
  CnnModel(const ImageTask& task, const networks::CnnOptions& o, Index per_graph, Rng& rng)
      : task_(task), net_(o, rng), per_graph_(per_graph) {
    add_module("net", net_);
  }
  Var<float> loss(std::uint64_t id, Rng& rng) const override { return loss_sum({&id, 1}, {&rng, 1}); }
  Var<float> loss_sum(std::span<const std::uint64_t> ids, std::span<Rng>) const override {
    const std::vector<Index> rows = task_.training_rows(ids);
    return scale(cross_entropy(net_.logits(Var<float>(task_.images("train", rows))), task_.labels("train", rows)),
                 static_cast<float>(ids.size()));
  }
  Index examples_per_graph() const override { return per_graph_; }
  Metrics evaluate(const std::string& split, ThreadPool& pool) const override {
    return task_.evaluate(split, pool, [&](const MatF& x) { return net_.logits(Var<float>(x)); });
  }
  std::map<std::string, MatF> inspect() const override {
    const ImageShape in = task_.shape();
    const Index first = 0;
    const MatF image = task_.images("val", {&first, 1});
    std::map<std::string, MatF> out{{"val0_image", Eigen::Map<const MatF>(image.data(), in.height * in.channels, in.width)}};
    NoGradGuard no_grad;
    const Var<float> a = net_.first_attention(Var<float>(image));
    if (a.defined()) {
      const ImageShape s = net_.stage_shapes()[0];
      const attention::AttentionKind kind = net_.first_block()->attention_kind();
      const bool per_element = kind == attention::AttentionKind::element, spatial = kind == attention::AttentionKind::spatial;
      out["val0_attention"] = per_element ? MatF(Eigen::Map<const MatF>(a.value().data(), s.channels, s.height * s.width))
                              : spatial   ? MatF(Eigen::Map<const MatF>(a.value().data(), s.height, s.width))
                                          : a.value();
    }
    return out;
  }

 private:
  const ImageTask& task_;
  networks::Cnn<float> net_;
  Index per_graph_;
};

ENGRAM_REGISTER(models(), "cnn", "small CNN backbone (3x3 conv, ReLU, optional attention block, 2x2 max pool per stage) for image tasks",
    [](Section& cfg, const Task& task, Rng& rng) -> std::unique_ptr<Model> {
      const auto& images = require_family<ImageTask>(task, "cnn", "image");
      networks::CnnOptions o;
      o.input = images.shape();
      o.classes = images.classes();
      o.channels.clear();
      for (const std::string& c : cfg.strings("channels", {"16", "32"})) {
        char* end = nullptr;
        const long v = std::strtol(c.c_str(), &end, 10);
        if (end == c.c_str() || *end != '\0' || v < 1 || v > 4096) cfg.fail("channels", "entries must be integers in [1, 4096], got '" + c + "'");
        o.channels.push_back(v);
      }
      if (o.channels.empty()) cfg.fail("channels", "needs at least one stage");
      const bool has_block = cfg.has("block") && !(cfg.is_scalar("block") && cfg.string("block", "none") == "none");
      Choice block;
      if (has_block) {
        block = read_choice(cfg, "block", "se");
        o.block = block.name;
        o.block_options = block.options;
      }
      o.norm_groups = cfg.integer("norm_groups", 0, 0, 4096);
      for (const Index ch : o.channels)
        if (o.norm_groups > 0 && ch % std::min(o.norm_groups, ch) != 0)
          cfg.fail("norm_groups", "must divide every stage's channels (or exceed them), got " + std::to_string(o.norm_groups) +
                                      " for a stage of " + std::to_string(ch));
      const std::string head = cfg.string("head", "global");
      if (head != "global" && head != "flatten") cfg.fail("head", "must be global or flatten, got '" + head + "'");
      o.flatten_head = head == "flatten";
      const Index per_graph = cfg.integer("examples_per_graph", 32, 1, 4096);
      cfg.finish();
      if (has_block) {
        try {
          (void)attention::blocks<float>().get(o.block);
        } catch (const std::invalid_argument& e) {
          throw ConfigError(block.source + ": " + block.path + ": " + e.what());
        }
        return with_choice_errors(block, [&] { return std::make_unique<CnnModel>(images, o, per_graph, rng); });
      }
      return std::make_unique<CnnModel>(images, o, per_graph, rng);
    });

}  // namespace

}  // namespace engram::experiments::vision
