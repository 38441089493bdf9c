// engram/tests/networks/story_fixtures.h — what the story reader tests share: parameters drawn
// anew, a readout as one row for the Jacobian check, a bAbI task 1 style synthetic story set and
// a small Adam training loop that returns the test error.
#pragma once

#include "core/gradcheck.h"
#include "core/optim.h"
#include "core/parallel.h"
#include "networks/story_reader.h"

#include <vector>

namespace engram::test_stories {

using namespace engram;
using namespace engram::networks;
using V = std::vector<Var<double>>;
using Story = std::vector<std::vector<int>>;

// Every parameter drawn anew in [lo, hi), so that scores are far from zero.
inline void randomize(const Module<double>& m, std::uint64_t seed, double lo = -0.5, double hi = 0.5) {
  Rng rng(seed, "randomize");
  for (auto p : m.parameters()) p.mutable_value() = random_matrix(p.rows(), p.cols(), rng, lo, hi);
}

// logits and every hop's attention side by side: [1 x (answers + hops * memories)]
inline Var<double> readout_row(const MemoryReadout<double>& r) {
  std::vector<Var<double>> parts{r.logits};
  parts.insert(parts.end(), r.attention.begin(), r.attention.end());
  return concat(parts, 1);
}

// ---- a bAbI task 1 style generator: "<person> <verb> to the <place>", "where is <person>" --
// ids: 0 <nil>, 1-4 people, 5-7 verbs, 8 to, 9 the, 10-14 places, 15 where, 16 is
struct Synthetic {
  std::vector<Story> stories;
  std::vector<std::vector<int>> queries;
  std::vector<int> answers;     // 0..4 (place - 10)
  std::vector<std::vector<int>> supporting;
};

inline Synthetic make_synthetic(int n, std::uint64_t seed) {
  Rng rng(seed, "synthetic-stories");
  Synthetic s;
  for (int i = 0; i < n; ++i) {
    const int len = 2 + static_cast<int>(rng.below(7));
    Story story;
    int last_place[5] = {-1, -1, -1, -1, -1}, last_at[5] = {-1, -1, -1, -1, -1};
    for (int k = 0; k < len; ++k) {
      const int person = 1 + static_cast<int>(rng.below(4)), place = 10 + static_cast<int>(rng.below(5));
      story.push_back({person, 5 + static_cast<int>(rng.below(3)), 8, 9, place});
      last_place[person] = place;
      last_at[person] = k;
    }
    int person;
    do person = 1 + static_cast<int>(rng.below(4));
    while (last_place[person] < 0);
    s.stories.push_back(std::move(story));
    s.queries.push_back({15, 16, person});
    s.answers.push_back(last_place[person] - 10);
    s.supporting.push_back({last_at[person]});
  }
  return s;
}

// Trains `net` with Adam on `train` for `epochs` and returns the error on `test`.
template <class Net, class Forward>
double train_and_test(Net& net, const Synthetic& train, const Synthetic& test, int epochs, double lr,
                      const Forward& forward) {
  const ParameterList<float> params = net.named_parameters();
  AdamOptions ao;
  ao.lr = lr;
  Adam<float> opt(params, ao);
  ThreadPool pool(1);
  const Index n = static_cast<Index>(train.stories.size()), batch = 32;
  Rng order_rng(5, "order");
  std::vector<int> order(static_cast<size_t>(n));
  for (int epoch = 0; epoch < epochs; ++epoch) {
    order = order_rng.child(static_cast<std::uint64_t>(epoch)).permutation(static_cast<int>(n));
    for (Index start = 0; start + batch <= n; start += batch) {
      opt.zero_grad();
      const Rng step_rng = order_rng.child("step").child(static_cast<std::uint64_t>(start + epoch * n));
      accumulate_gradients<float>(pool, params, batch, [&](Index i) {
        const size_t k = static_cast<size_t>(order[static_cast<size_t>(start + i)]);
        Rng rng = step_rng.child(static_cast<std::uint64_t>(i));
        return scale(cross_entropy(forward(train.stories[k], train.queries[k], &rng).logits, {train.answers[k]}),
                     1.0f / float(batch));
      });
      clip_grad_norm(params, 40.0);
      opt.step();
    }
  }
  NoGradGuard no_grad;
  int wrong = 0;
  for (size_t k = 0; k < test.stories.size(); ++k) {
    Index arg;
    forward(test.stories[k], test.queries[k], nullptr).logits.value().row(0).maxCoeff(&arg);
    wrong += arg != test.answers[k];
  }
  return double(wrong) / double(test.stories.size());
}

}  // namespace engram::test_stories
