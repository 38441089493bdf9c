#include "experiments/demo.h"

#include "core/init.h"
#include "core/layers.h"
#include "core/optim.h"
#include "core/parallel.h"

#include <cmath>
#include <iomanip>
#include <ostream>

namespace engram::experiments {

namespace {

struct Example {
  MatF keys;                // [pairs x key_dim]
  std::vector<int> values;  // pairs class ids
  MatF query;               // [1 x key_dim]: one key plus noise
  int target;               // that key's value
};

Example make_example(const KvDemoOptions& o, Rng& rng) {
  Example e;
  e.keys = init::normal<float>(o.pairs, o.key_dim, 0, 1, rng);
  for (int i = 0; i < o.pairs; ++i) e.values.push_back(static_cast<int>(rng.below(static_cast<std::uint64_t>(o.classes))));
  const int probe = static_cast<int>(rng.below(static_cast<std::uint64_t>(o.pairs)));
  e.query = e.keys.row(probe) + init::normal<float>(1, o.key_dim, 0, o.noise, rng);
  e.target = e.values[static_cast<size_t>(probe)];
  return e;
}

// Attention over the pairs: w = softmax((q Wq)(K Wk)^T / sqrt(h)); read = w E[values];
// logits = read Wo + b.
struct KvModel : Module<float> {
  Linear<float> wq, wk, out;
  Embedding<float> values;
  float inv_sqrt_h;
  KvModel(const KvDemoOptions& o, Rng& rng)
      : wq(o.key_dim, o.hidden, rng, false), wk(o.key_dim, o.hidden, rng, false),
        out(o.hidden, o.classes, rng), values(o.classes, o.hidden, rng, 1.0),
        inv_sqrt_h(1.0f / std::sqrt(float(o.hidden))) {
    add_module("wq", wq);
    add_module("wk", wk);
    add_module("values", values);
    add_module("out", out);
  }
  Var<float> logits(const Example& e) const {
    Var<float> q = wq(constant<float>(e.query));                        // [1 x h]
    Var<float> k = wk(constant<float>(e.keys));                         // [pairs x h]
    Var<float> w = softmax(matmul_nt(q, k), inv_sqrt_h);                // [1 x pairs]
    return out(matmul(w, values(e.values)));                            // [1 x classes]
  }
};

}  // namespace

std::vector<CurvePoint> run_kv_demo(const KvDemoOptions& o, std::ostream* os) {
  Rng root(o.seed, "kv-demo");
  Rng init_rng = root.child("init");
  KvModel model(o, init_rng);
  Adam<float> opt(model.named_parameters(), {.lr = o.lr});
  ThreadPool pool(o.threads);

  Rng eval_rng = root.child("eval-data");
  std::vector<Example> eval;
  for (int i = 0; i < o.eval_examples; ++i) eval.push_back(make_example(o, eval_rng));

  std::vector<CurvePoint> curve;
  if (os) *os << "kv-attention demo: " << o.pairs << " key-value pairs, keys in R^" << o.key_dim
              << ", " << o.classes << " values, probe noise " << o.noise << ", "
              << model.num_parameters() << " parameters, " << o.threads << " threads\n"
              << "  step  train_loss  eval_loss  eval_acc\n";
  double running = 0;
  int since = 0;
  const Rng train_rng = root.child("train-data");
  for (int step = 1; step <= o.steps; ++step) {
    Rng batch_rng = train_rng.child(static_cast<std::uint64_t>(step));
    std::vector<Example> batch;
    for (int i = 0; i < o.batch; ++i) batch.push_back(make_example(o, batch_rng));
    opt.zero_grad();
    const double loss = accumulate_gradients<float>(pool, opt.params(), o.batch, [&](Index i) {
      const Example& e = batch[static_cast<size_t>(i)];
      return scale(cross_entropy(model.logits(e), {e.target}), 1.0f / float(o.batch));
    });
    opt.step();
    running += loss;
    ++since;
    if (step % o.eval_every == 0 || step == o.steps) {
      NoGradGuard no_grad;
      double eval_loss = 0;
      int correct = 0;
      for (const auto& e : eval) {
        Var<float> z = model.logits(e);
        eval_loss += cross_entropy(z, {e.target}).item();
        Index arg;
        z.value().row(0).maxCoeff(&arg);
        correct += arg == e.target;
      }
      CurvePoint p{step, running / since, eval_loss / double(eval.size()), double(correct) / double(eval.size())};
      curve.push_back(p);
      running = 0;
      since = 0;
      if (os) *os << std::setw(6) << p.step << std::fixed << std::setprecision(4) << std::setw(12)
                  << p.train_loss << std::setw(11) << p.eval_loss << std::setw(10)
                  << p.eval_accuracy << "\n" << std::flush;
    }
  }
  return curve;
}

}  // namespace engram::experiments
