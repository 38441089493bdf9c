// engram/attention/vision/block.h — attention blocks for feature maps (squeeze-and-excitation,
// ECA, CBAM, SimAM, ...): a block reweights a batch of C x H x W maps and keeps their shape.
//
// CONTRACT for a Block<T> (what a researcher implements to add one):
//   forward(x):  x [N x C*H*W] in core/ops_image.h's layout (the BlockShape's C, H, W), N >= 0
//                -> [N x C*H*W], the same layout.
//   - Differentiable in x and in the block's own parameters (registered with add_parameter);
//     the registry-driven test (tests/attention/vision_blocks_test.cpp) Jacobian-checks every
//     registered block in double, with no test code of its own.
//   - attention(x): the weights the block applied, for heat maps: [N x C] (channel attention),
//     [N x H*W] (spatial) or [N x C*H*W] (per element), as attention_kind() says.
//   - Throws std::invalid_argument naming the shapes for an x of another width, and for options
//     that do not fit the shape (an even kernel where it must be odd, ...).
//   - Const and thread-safe.
// Registering: one file, one line:
//   ENGRAM_REGISTER_BLOCK("se", "squeeze-and-excitation (Hu et al. 2018); option reduction", SqueezeExcitation);
// where SqueezeExcitation<T> has a constructor (const BlockShape&, const Options&, Rng&).
#pragma once

#include "core/component.h"
#include "core/module.h"
#include "core/ops_image.h"

namespace engram::attention {

struct BlockShape {
  ImageShape image;  // C, H, W of the maps it reweights
};

enum class AttentionKind { channel, spatial, element };  // [N x C], [N x H*W], [N x C*H*W]

template <class T>
class Block : public Module<T> {
 public:
  virtual Var<T> forward(const Var<T>& x) const = 0;
  virtual Var<T> attention(const Var<T>& x) const = 0;
  virtual AttentionKind attention_kind() const = 0;
};

template <class T>
using BlockFactory = ComponentFactory<Block<T>, BlockShape>;

template <class T>
Registry<BlockFactory<T>>& blocks();

template <class T>
std::unique_ptr<Block<T>> make_block(const std::string& name, const BlockShape& shape, const Options& opt, Rng& rng) {
  return blocks<T>().get(name)(shape, opt, rng);
}

#define ENGRAM_REGISTER_BLOCK(NAME, DESCRIPTION, CLASS)                                            \
  [[maybe_unused]] static const bool engram_block_registered_##CLASS = ::engram::register_component<CLASS>( \
      ::engram::attention::blocks<float>(), ::engram::attention::blocks<double>(), NAME, DESCRIPTION)

// ---- helpers the blocks share (block.cpp) ---------------------------------------------------
// Throws std::invalid_argument unless x is [N x C*H*W] for the shape.
void check_block_input(const char* block, const BlockShape& shape, Index cols);
// x [N x C*H*W] with channel c of image n multiplied by s(n, c): s [N x C].
template <class T> Var<T> scale_channels(const Var<T>& x, const Var<T>& s, const ImageShape& shape);
// x [N x C*H*W] with position p of every channel of image n multiplied by m(n, p): m [N x H*W].
template <class T> Var<T> scale_positions(const Var<T>& x, const Var<T>& m, const ImageShape& shape);
// x [N x C*H*W] with t(n, c) added at every position of channel c of image n: t [N x C].
template <class T> Var<T> add_channels(const Var<T>& x, const Var<T>& t, const ImageShape& shape);
// The mean over each row of every map (over w): [N x C*H*W] -> [N x C*H]; over each column (over
// h): -> [N x C*W].
template <class T> Var<T> mean_over_width(const Var<T>& x, const ImageShape& shape);
template <class T> Var<T> mean_over_height(const Var<T>& x, const ImageShape& shape);
// x [N x C*H*W] with (c, h, w) multiplied by a(n, c*H + h), a [N x C*H] (scale_rows), or by
// a(n, c*W + w), a [N x C*W] (scale_columns).
template <class T> Var<T> scale_rows(const Var<T>& x, const Var<T>& a, const ImageShape& shape);
template <class T> Var<T> scale_columns(const Var<T>& x, const Var<T>& a, const ImageShape& shape);
// Image i of x as its positions' feature rows: [1 x C*H*W] (row i) -> [H*W x C]; and back.
template <class T> Var<T> positions_of(const Var<T>& x, Index i, const ImageShape& shape);
template <class T> Var<T> image_of(const Var<T>& positions, const ImageShape& shape);
// FcaNet's pooling weights, [1 x C*H*W]: the channels in `frequencies` equal parts (the last
// takes the rest), part k weighted by the 2-D DCT-II basis image of the k-th lowest frequency
// (u, v) in zig-zag order (by u + v, then u): cos(pi u (i + 1/2) / H) cos(pi v (j + 1/2) / W).
template <class T> Mat<T> dct_pooling_basis(const ImageShape& shape, Index frequencies);
// f(image i's positions [H*W x C]) -> [1 x cols] for every image of x, stacked: [N x cols]
// (for blocks that attend within each image: non-local, double attention).
template <class T, class F>
Var<T> per_image(const Var<T>& x, const ImageShape& shape, Index cols, F f) {
  if (x.rows() == 0) return Var<T>(Mat<T>(0, cols));
  std::vector<Var<T>> rows;
  for (Index i = 0; i < x.rows(); ++i) rows.push_back(f(positions_of(x, i, shape)));
  return concat(rows, 0);
}
// The mean and the max over the channels at every position: x [N x C*H*W] -> [N x H*W] each.
template <class T> Var<T> channel_mean(const Var<T>& x, const ImageShape& shape);
template <class T> Var<T> channel_max(const Var<T>& x, const ImageShape& shape);

}  // namespace engram::attention
