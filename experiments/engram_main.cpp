// The `engram` command.
#include "experiments/demo.h"

#include <CLI/CLI.hpp>

#include <iostream>

int main(int argc, char** argv) {
  CLI::App app{"engram: memory-augmented networks and associative memory"};
  app.require_subcommand(1);

  engram::experiments::KvDemoOptions demo;
  auto* d = app.add_subcommand("demo", "train key-value retrieval with attention and print the learning curve");
  d->add_option("--pairs", demo.pairs, "key-value pairs per example")->check(CLI::Range(2, 1024));
  d->add_option("--key-dim", demo.key_dim, "key dimension")->check(CLI::Range(1, 4096));
  d->add_option("--classes", demo.classes, "number of distinct values")->check(CLI::Range(2, 100000));
  d->add_option("--hidden", demo.hidden, "attention dimension")->check(CLI::Range(1, 4096));
  d->add_option("--noise", demo.noise, "std of the probe noise")->check(CLI::Range(0.0, 10.0));
  d->add_option("--steps", demo.steps, "training steps")->check(CLI::Range(1, 10000000));
  d->add_option("--batch", demo.batch, "batch size")->check(CLI::Range(1, 65536));
  d->add_option("--lr", demo.lr, "Adam learning rate")->check(CLI::PositiveNumber);
  d->add_option("--eval-every", demo.eval_every, "steps between evaluations")->check(CLI::PositiveNumber);
  d->add_option("--threads", demo.threads, "worker threads (results do not depend on it)")->check(CLI::Range(1, 256));
  d->add_option("--seed", demo.seed, "master seed");

  CLI11_PARSE(app, argc, argv);
  try {
    if (*d) {
      const auto curve = engram::experiments::run_kv_demo(demo, &std::cout);
      std::cout << "final eval accuracy " << curve.back().eval_accuracy << "\n";
    }
  } catch (const std::exception& e) {
    std::cerr << "engram: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
