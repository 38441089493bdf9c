// engram/core/parallel.h — a thread pool and deterministic data-parallel gradients.
//
// A batch is a loop over examples, each with its own small graph. accumulate_gradients runs
// the examples on the pool, back-propagates each into a private buffer, then adds the buffers
// into the parameters' gradients in example order. Floating-point sums therefore happen in
// the same order whatever the thread count: 1 and 2 threads give bit-identical gradients.
// Randomness inside an example must come from a stream derived from the example's index
// (Rng::child), never from a stream shared between threads.
#pragma once

#include "core/module.h"

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace engram {

class ThreadPool {
 public:
  explicit ThreadPool(int threads = 1);  // threads >= 1; 1 runs everything on the caller
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return static_cast<int>(workers_.size()) + 1; }

  // Calls fn(i) for every i in [0, n) (the caller's thread works too) and returns when all are
  // done. If calls throw, the exception of the lowest i is rethrown. Not re-entrant.
  // Workers spin for about 100 microseconds after each call before they sleep: a training loop
  // calls again within microseconds, and waking a sleeping thread can take longer than an item
  // (a MemN2N group of 16 questions takes ~40 us), which would leave the caller doing all items.
  void parallel_for(Index n, const std::function<void(Index)>& fn);

 private:
  void work();
  void run_items();
  std::vector<std::thread> workers_;
  std::mutex mu_;
  std::condition_variable wake_, done_;
  const std::function<void(Index)>* fn_ = nullptr;
  Index n_ = 0, next_ = 0, finished_ = 0;
  std::atomic<std::uint64_t> generation_{0};  // bumped (under mu_) by every parallel_for
  int sleeping_ = 0;                          // workers blocked on wake_ (under mu_)
  bool stop_ = false;
  std::vector<std::pair<Index, std::exception_ptr>> errors_;
};

// Runs loss_fn(i) for i in [0, n) on `pool`; back-propagates each loss (a [1 x 1] Var) and adds
// the gradients into params' grads in order i = 0, 1, ... Returns the sum of the losses.
// Leaves that are not in `params` get no gradient.
template <class T>
double accumulate_gradients(ThreadPool& pool, const ParameterList<T>& params, Index n,
                            const std::function<Var<T>(Index)>& loss_fn);

}  // namespace engram
