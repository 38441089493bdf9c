// engram/networks/glimpse.h — the recurrent attention model (RAM; Mnih, Heess, Graves &
// Kavukcuoglu 2014, "Recurrent Models of Visual Attention"): instead of reading a whole image, a
// recurrent network looks at it through a few glimpses, each a small retina of a few resolutions
// around a location that a stochastic policy chose from what it has seen so far.
//
// For a batch x [n x C*H*W] (core/ops_image.h) and T glimpses:
//   l_0 ~ N(mu_0, sigma^2), mu_0 = tanh(W_l h_0 + b_l), h_0 = 0: a learned first location
//   for t = 0 .. T-1:
//     rho_t  = retina(x, clamp(l_t, -1, 1))        [n x S*C*g*g]: S scales, scale s a patch of
//              g 2^s pixels around l_t averaged down to g x g (bilinear samples at pixel spacing,
//              then 2^s x 2^s average pooling; pixels outside the image read 0)
//     g_t    = relu(W_g relu(W_rho rho_t) + W_gl relu(W_loc l_t))        the glimpse network
//     h_t+1  = LSTM(g_t, h_t)                                            the core network
//     b_t    = W_b h_t + b_b (an input-free estimate of the reward, read at the decision)
//     mu_t+1 = tanh(W_l h_t+1 + b_l),  l_t+1 ~ N(mu_t+1, sigma^2)       the location network
//   logits = W_c h_T + b_c
// Locations are in the sampler's [-1, 1] coordinates (-1 the first pixel's centre, +1 the last's).
// The locations are samples: no gradient flows through them into the image. The location and
// baseline networks read h through a stop-gradient (the policy and the critic do not shape the
// core, as in the paper's released implementations); log_prob is differentiable in mu, so
//   loss = CE(logits, y) + mean_i sum_t (b_t - R_i)^2 - mean_i sum_t (R_i - b_t) log p(l_t)
// with R_i = 1 for a correct answer (the hybrid loss of the paper) trains the classifier and core
// by backpropagation and the policy by REINFORCE with the learned baseline (reinforce_loss).
//
// CONTRACT:
//   - x: [n x input.size()], n >= 1; std::invalid_argument naming the shape otherwise.
//   - run(x, rng): rng non-null draws the locations (training); null takes the means (evaluation,
//     deterministic); `given` (T of [n x 2]) replays earlier draws (an Episode's samples) instead,
//     for the log-probabilities of chosen glimpses (and Jacobian checks with the draws held
//     fixed). Const and thread-safe (each call its own graph).
//   - logits differentiable in every parameter except the location and baseline networks';
//     log_prob in the location network's; baseline in the baseline network's.
#pragma once

#include "core/layers.h"
#include "core/ops_image.h"
#include "networks/controller.h"

#include <memory>
#include <vector>

namespace engram::networks {

struct GlimpseOptions {
  ImageShape input{1, 60, 60};
  Index glimpse = 12;          // g: every scale's patch is resampled to g x g
  Index scales = 3;            // S: scale s covers g * 2^s pixels
  Index glimpses = 6;          // T
  Index glimpse_hidden = 128;  // the retina's and the location's features
  Index hidden = 256;          // g_t and the LSTM core
  Index classes = 10;
  double location_std = 0.15;  // sigma of the location policy
};

template <class T>
class GlimpseNetwork : public Module<T> {
 public:
  struct Episode {
    Var<T> logits;               // [n x classes]
    Var<T> log_prob;             // [n x T]: log p(l_t) of the locations used (Gaussian, full density)
    Var<T> baseline;             // [n x T]: b_t
    std::vector<Mat<T>> samples;    // T of [n x 2] (x, y): the draws (or the means), unclamped
    std::vector<Mat<T>> locations;  // the same clamped to [-1, 1]: where each glimpse looked
  };

  GlimpseNetwork(const GlimpseOptions& o, Rng& rng);
  Episode run(const Var<T>& x, Rng* rng, const std::vector<Mat<T>>* given = nullptr) const;
  // The retina at locations loc [n x 2] (constants: no gradient) -> [n x S*C*g*g], scale-major.
  Mat<T> retina(const Mat<T>& x, const Mat<T>& loc) const;
  // Where the retina at loc [1 x 2] reads, per input pixel: [H x W], scale s weighted 4^-s (the
  // finest scale brightest), for heat maps.
  Mat<T> footprint(const Mat<T>& loc) const;
  const GlimpseOptions& options() const { return o_; }

 private:
  Mat<T> scale_grid(const Mat<T>& loc, Index s) const;
  GlimpseOptions o_;
  std::unique_ptr<Linear<T>> rho_, loc_in_, g_from_rho_, g_from_loc_, where_, critic_, classify_;
  std::unique_ptr<LstmCell<T>> core_;
};

// The hybrid loss of the header: [1 x 1] = CE + the critic's squared error + the REINFORCE
// surrogate, each averaged over the batch; reward (out, optional) receives R [n x 1].
template <class T>
Var<T> reinforce_loss(const typename GlimpseNetwork<T>::Episode& e, const std::vector<int>& labels, Mat<T>* reward = nullptr);

}  // namespace engram::networks
