// engram/memory/hopfield/completion.h — pattern completion from a partial cue: a key -> value
// store made of an associative memory (the associative-recall axis of docs/compare.md).
//
// Stored patterns are the pairs written together, x_mu = [key_mu | value_mu] (+-1, N = K + V
// units, keys first). A cue is a key: units 0..K-1 are clamped to it, the V value units start
// unknown (0, neither +1 nor -1) and are updated synchronously, the key staying clamped:
//   classical   h = s W (W from any learning rule, rules.h), value <- sign(h_value)
//   dense       value unit i <- sign(g_i), g_i = sum_mu x_mu,i [F(a_mu + 1) - F(a_mu - 1)],
//               a_mu = x_mu . s - x_mu,i s_i (dense.h's unit gap, with unknown units counted 0);
//               F = exp is computed in the log domain (the gaps of a state scaled by one
//               positive factor)
//   modern      xi <- softmax(beta xi X^T) X on the value part (modern.h's update, the key
//               clamped), the value read as sign(xi_value) after the last step
// `steps` updates (>= 1) or fewer when the value part stops changing; sign(0) = +1.
//
// Theory (one step from the cue, random +-1 patterns, a Gaussian approximation of the crosstalk
// of the P - 1 other pairs; the probability that one value bit comes out wrong):
//   classical Hebbian        Phi(-sqrt(K / (P - 1)))          (exact in the limit of large P, K)
//   dense, F = x^n           Phi(-sqrt(K^(n-1) / ((P - 1) (2n - 3)!!)))   (n = 2: the Hebbian one)
//   modern (and F = exp with beta = 1)
//                            Phi(-1 / sqrt((P - 1) r^K)),  r = (1 + exp(-4 beta)) / 2
// and the probability that all V bits are right (recall, the comparison's definition) is
// (1 - p)^V, the bits taken as independent. The modern memory's capacity at a fixed recall
// grows as r^-K: exponentially in the key width. Note the cue carries K of the N bits: the
// classical load that matters is P against K, not 0.138 N.
#pragma once

#include "memory/hopfield/dense.h"
#include "memory/hopfield/patterns.h"

namespace engram::hopfield {

// W: [N x N] weights; cues: [B x K] +-1 with K < N -> values [B x (N - K)] +-1.
States complete_classical(const MatF& W, const States& cues, int steps = 1);
// patterns: [P x N] +-1; cues: [B x K] -> [B x (N - K)].
States complete_dense(const States& patterns, const Interaction& f, const States& cues, int steps = 1);
// patterns: [P x N] +-1; beta > 0; cues: [B x K] -> [B x (N - K)].
States complete_modern(const States& patterns, double beta, const States& cues, int steps = 1);

// The one-step bit-error probabilities of the header comment (P >= 1 pairs, K >= 1 key bits;
// 0 for P = 1).
double hebbian_cue_bit_error(double K, double P);
double dense_cue_bit_error(int n, double K, double P);
double modern_cue_bit_error(double beta, double K, double P);
// (1 - bit_error)^V
double recall_probability(double bit_error, double V);

}  // namespace engram::hopfield
