// Fashion-MNIST (Xiao, Rasul & Vollgraf 2017), registered as `fashion_mnist`: 28x28 grey images
// of 10 kinds of clothing, read from the IDX files of Debian's dataset-fashion-mnist (installed by
// scripts/setup). The last val_size training images are the validation split; the 10,000 t10k
// images the test split, never trained on.
//
//   task: {name: fashion_mnist, dir: /usr/share/datasets/fashion-mnist, train_size: 0, val_size: 5000}
//   (train_size 0: every training image not held out for validation)
#include "experiments/idx.h"
#include "experiments/tasks/vision/image_task.h"

#include <filesystem>

namespace engram::experiments::vision {

namespace {

ImageSet read_set(const std::string& dir, const std::string& prefix) {
  const std::string images = dir + "/" + prefix + "-images-idx3-ubyte.gz", labels = dir + "/" + prefix + "-labels-idx1-ubyte.gz";
  const IdxArray a = read_idx(images);
  if (a.dims.size() != 3 || a.dims[1] != 28 || a.dims[2] != 28) throw std::invalid_argument(images + ": expects N x 28 x 28 images");
  ImageSet s{idx_images(a, images), idx_labels(read_idx(labels), labels)};
  if (static_cast<size_t>(s.images.rows()) != s.labels.size())
    throw std::invalid_argument(labels + ": " + std::to_string(s.labels.size()) + " labels for " +
                                std::to_string(s.images.rows()) + " images");
  for (int l : s.labels)
    if (l < 0 || l > 9) throw std::invalid_argument(labels + ": label " + std::to_string(l) + " is outside 0..9");
  return s;
}

ImageSet rows(const ImageSet& s, Index from, Index count) {
  return {s.images.middleRows(from, count), std::vector<int>(s.labels.begin() + from, s.labels.begin() + from + count)};
}

class FashionMnistTask : public ImageTask {
 public:
  FashionMnistTask(const std::string& dir, Index train_size, Index val_size) {
    const ImageSet all = read_set(dir, "train");
    require(val_size < all.images.rows(), "fashion_mnist", "val_size leaves no training images");
    const Index rest = all.images.rows() - val_size;
    train_ = rows(all, 0, train_size > 0 ? std::min(train_size, rest) : rest);
    val_ = rows(all, rest, val_size);
    test_ = read_set(dir, "t10k");
  }
  ImageShape shape() const override { return {1, 28, 28}; }
  Index classes() const override { return 10; }
  const ImageSet& train() const override { return train_; }
  const ImageSet& split(const std::string& name) const override {
    if (name == "val") return val_;
    if (name == "test") return test_;
    throw std::invalid_argument("fashion_mnist: unknown split '" + name + "'; splits: val, test");
  }

 private:
  ImageSet train_, val_, test_;
};

ENGRAM_REGISTER(tasks(), "fashion_mnist", "Fashion-MNIST: 28x28 images of 10 kinds of clothing (Debian's dataset-fashion-mnist)",
    [](Section& cfg, const Rng&) -> std::unique_ptr<Task> {
      const std::string dir = cfg.path_value("dir", "/usr/share/datasets/fashion-mnist");
      const Index train = cfg.integer("train_size", 0, 0, 60000);
      const Index val = cfg.integer("val_size", 5000, 1, 30000);
      cfg.finish();
      if (!std::filesystem::is_directory(dir))
        cfg.fail("dir", "no directory " + dir + " (scripts/setup installs dataset-fashion-mnist there)");
      try {
        return std::make_unique<FashionMnistTask>(dir, train, val);
      } catch (const std::exception& e) {
        cfg.fail("dir", e.what());
      }
    });

}  // namespace

}  // namespace engram::experiments::vision
