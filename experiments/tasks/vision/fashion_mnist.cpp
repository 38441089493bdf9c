// Fashion-MNIST (Xiao, Rasul & Vollgraf 2017), registered as `fashion_mnist`: 28x28 grey images
// of 10 kinds of clothing, read from the IDX files of Debian's dataset-fashion-mnist (installed by
// scripts/setup). The last val_size training images are the validation split; the 10,000 t10k
// images the test split, never trained on.
//
//   task: {name: fashion_mnist, dir: /usr/share/datasets/fashion-mnist, train_size: 0, val_size: 5000}
//   (train_size 0: every training image not held out for validation)
#include "experiments/tasks/vision/image_task.h"

namespace engram::experiments::vision {

namespace {

class FashionMnistTask : public StoredImageTask {
 public:
  explicit FashionMnistTask(FashionMnistSplits s) {
    train_ = std::move(s.train);
    val_ = std::move(s.val);
    test_ = std::move(s.test);
    name_ = "fashion_mnist";
  }
  ImageShape shape() const override { return {1, 28, 28}; }
  Index classes() const override { return 10; }
};

ENGRAM_REGISTER(tasks(), "fashion_mnist", "Fashion-MNIST: 28x28 images of 10 kinds of clothing (Debian's dataset-fashion-mnist)",
    [](Section& cfg, const Rng&) -> std::unique_ptr<Task> {
      const FashionMnistSource source = fashion_mnist_source(cfg);
      cfg.finish();
      return std::make_unique<FashionMnistTask>(read_fashion_mnist(cfg, source));
    });

}  // namespace

}  // namespace engram::experiments::vision
