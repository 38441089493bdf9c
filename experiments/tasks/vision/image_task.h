// engram/experiments/tasks/vision/image_task.h — the family of image classification tasks
// (Fashion-MNIST, its cluttered translated variant, ...): images as rows in core/ops_image.h's
// layout, one class label each. Models of the family (cnn, ram) read any of them through
// size / label / images, so a task may hold its images or draw them when asked (the cluttered
// canvases: 60,000 of 60 x 60 would be 864 MB as floats).
#pragma once

#include "core/ops_image.h"
#include "experiments/problem.h"

#include <span>
#include <string>
#include <vector>

namespace engram::experiments::vision {

struct ImageSet {
  MatF images;              // [N x C*H*W], values in [0, 1]
  std::vector<int> labels;  // N class ids
};

class ImageTask : public Task {
 public:
  std::string family() const override { return "image"; }
  std::uint64_t train_size() const override { return static_cast<std::uint64_t>(size("train")); }
  std::vector<std::string> eval_splits() const override { return {"val", "test"}; }
  virtual ImageShape shape() const = 0;
  virtual Index classes() const = 0;
  // split: "train", "val" or "test" (std::invalid_argument for another name); i in [0, size).
  virtual Index size(const std::string& split) const = 0;
  virtual int label(const std::string& split, Index i) const = 0;
  // Image i of the split into out (shape().size() floats, values in [0, 1]); the same image for
  // the same task config, split and i, whenever it is asked for.
  virtual void image(const std::string& split, Index i, float* out) const = 0;
  // The images of rows [rows.size() x C*H*W], and their labels.
  MatF images(const std::string& split, std::span<const Index> rows) const;
  std::vector<int> labels(const std::string& split, std::span<const Index> rows) const;
  // The training rows of example ids (ids past the training set wrap around).
  std::vector<Index> training_rows(std::span<const std::uint64_t> ids) const;
  // loss, accuracy and error of a model on a split, 64 images per graph; `logits` maps images
  // [n x C*H*W] to [n x classes()].
  Metrics evaluate(const std::string& split, ThreadPool& pool, const std::function<Var<float>(const MatF&)>& logits) const;
};

// A task whose images are held in memory: train, val and test ImageSets.
class StoredImageTask : public ImageTask {
 public:
  Index size(const std::string& split) const override { return static_cast<Index>(set(split).labels.size()); }
  int label(const std::string& split, Index i) const override;
  void image(const std::string& split, Index i, float* out) const override;
  const ImageSet& set(const std::string& split) const;

 protected:
  ImageSet train_, val_, test_;
  std::string name_;  // for messages
};

// Fashion-MNIST's IDX files in dir (train and t10k): the last val_size training images are the
// validation set, the first train_size of the rest (0: all) the training set. std::invalid_argument
// naming the file for what is not Fashion-MNIST.
struct FashionMnistSplits {
  ImageSet train, val, test;
};
FashionMnistSplits read_fashion_mnist(const std::string& dir, Index train_size, Index val_size);

// The keys of a task section that say where Fashion-MNIST is and how it is split (dir, default
// Debian's /usr/share/datasets/fashion-mnist; train_size; val_size), for the tasks built on it;
// then, after the section's finish(), the data, its errors ConfigErrors at the section's `dir`.
struct FashionMnistSource {
  std::string dir;
  Index train_size = 0, val_size = 5000;
};
FashionMnistSource fashion_mnist_source(Section& cfg);
FashionMnistSplits read_fashion_mnist(Section& cfg, const FashionMnistSource& source);

}  // namespace engram::experiments::vision
