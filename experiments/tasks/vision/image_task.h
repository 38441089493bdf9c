// engram/experiments/tasks/vision/image_task.h — the family of image classification tasks
// (Fashion-MNIST, ...): images as rows in core/ops_image.h's layout, one class label each.
// Models of the family (cnn) read any of them.
#pragma once

#include "core/ops_image.h"
#include "experiments/problem.h"

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
  std::uint64_t train_size() const override { return static_cast<std::uint64_t>(train().labels.size()); }
  std::vector<std::string> eval_splits() const override { return {"val", "test"}; }
  virtual ImageShape shape() const = 0;
  virtual Index classes() const = 0;
  virtual const ImageSet& train() const = 0;
  // "val" or "test"; std::invalid_argument for another name.
  virtual const ImageSet& split(const std::string& name) const = 0;
};

}  // namespace engram::experiments::vision
