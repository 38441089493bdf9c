// Cluttered translated Fashion-MNIST, registered as `cluttered_fashion_mnist`: the images of
// fashion_mnist (same splits) placed at a random position of a larger blank canvas, with `clutter`
// pieces of piece x piece pixels cut at random from other images of the same split and dropped
// at random positions (pixel-wise maximum), as the cluttered translated MNIST of Mnih et al. 2014
// (60 x 60, 4 pieces of 8 x 8). The item is always whole on the canvas; clutter never comes from
// another split, so test canvases hold test images only. The canvases are drawn when asked (a
// stream per split and image of the run's task stream: the same canvas every time, for the same
// seed), not stored: 60,000 canvases of 60 x 60 would be 864 MB.
//
//   task: {name: cluttered_fashion_mnist, dir: /usr/share/datasets/fashion-mnist, canvas: 60,
//          clutter: 4, piece: 8, train_size: 0, val_size: 5000}
#include "experiments/tasks/vision/image_task.h"

#include <algorithm>

namespace engram::experiments::vision {

namespace {

constexpr Index kSide = 28;  // Fashion-MNIST's images

class ClutteredTask : public ImageTask {
 public:
  ClutteredTask(FashionMnistSplits s, Index canvas, Index clutter, Index piece, const Rng& rng)
      : source_(std::move(s)), canvas_(canvas), clutter_(clutter), piece_(piece), rng_(rng.child("canvas")) {}
  ImageShape shape() const override { return {1, canvas_, canvas_}; }
  Index classes() const override { return 10; }
  Index size(const std::string& split) const override { return static_cast<Index>(set(split).labels.size()); }
  int label(const std::string& split, Index i) const override {
    check(split, i);
    return set(split).labels[static_cast<size_t>(i)];
  }
  void image(const std::string& split, Index i, float* out) const override {
    check(split, i);
    const ImageSet& s = set(split);
    Rng r = rng_.child(split).child(static_cast<std::uint64_t>(i));
    std::fill_n(out, canvas_ * canvas_, 0.0f);
    const auto draw = [&](Index image, Index from_y, Index from_x, Index side, Index to_y, Index to_x) {
      const float* src = s.images.row(image).data();
      for (Index y = 0; y < side; ++y)
        for (Index x = 0; x < side; ++x) {
          float& dst = out[(to_y + y) * canvas_ + to_x + x];
          dst = std::max(dst, src[(from_y + y) * kSide + from_x + x]);
        }
    };
    const auto below = [&](Index n) { return static_cast<Index>(r.below(static_cast<std::uint64_t>(n))); };
    const Index item_y = below(canvas_ - kSide + 1), item_x = below(canvas_ - kSide + 1);
    for (Index k = 0; k < clutter_; ++k) {
      Index other = below(s.images.rows());
      if (other == i && s.images.rows() > 1) other = (other + 1) % s.images.rows();
      const Index cy = below(kSide - piece_ + 1), cx = below(kSide - piece_ + 1);
      draw(other, cy, cx, piece_, below(canvas_ - piece_ + 1), below(canvas_ - piece_ + 1));
    }
    draw(i, 0, 0, kSide, item_y, item_x);
  }

 private:
  const ImageSet& set(const std::string& split) const {
    if (split == "train") return source_.train;
    if (split == "val") return source_.val;
    if (split == "test") return source_.test;
    throw std::invalid_argument("cluttered_fashion_mnist: unknown split '" + split + "'; splits: train, val, test");
  }
  void check(const std::string& split, Index i) const {
    require(i >= 0 && i < size(split), "cluttered_fashion_mnist", "image " + std::to_string(i) + " of " + split + " is out of range");
  }
  FashionMnistSplits source_;
  Index canvas_, clutter_, piece_;
  Rng rng_;
};

ENGRAM_REGISTER(tasks(), "cluttered_fashion_mnist",
    "Fashion-MNIST items at random on a larger canvas with clutter cut from other items (Mnih et al. 2014's cluttered translated form)",
    [](Section& cfg, const Rng& rng) -> std::unique_ptr<Task> {
      const FashionMnistSource source = fashion_mnist_source(cfg);
      const Index canvas = cfg.integer("canvas", 60, kSide, 1024);
      const Index clutter = cfg.integer("clutter", 4, 0, 1000);
      const Index piece = cfg.integer("piece", 8, 1, kSide);
      cfg.finish();
      return std::make_unique<ClutteredTask>(read_fashion_mnist(cfg, source), canvas, clutter, piece, rng);
    });

}  // namespace

}  // namespace engram::experiments::vision
