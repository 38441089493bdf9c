#include "core/parallel.h"

#include <algorithm>
#include <chrono>
#include <unordered_map>

namespace engram {

ThreadPool::ThreadPool(int threads) {
  require(threads >= 1, "ThreadPool", "threads must be >= 1, got " + std::to_string(threads));
  for (int i = 1; i < threads; ++i) workers_.emplace_back([this] { work(); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  for (auto& t : workers_) t.join();
}

void ThreadPool::run_items() {
  for (;;) {
    Index i;
    const std::function<void(Index)>* fn;
    {
      std::lock_guard lock(mu_);
      if (next_ >= n_) return;
      i = next_++;
      fn = fn_;
    }
    std::exception_ptr err;
    try {
      (*fn)(i);
    } catch (...) {
      err = std::current_exception();
    }
    std::lock_guard lock(mu_);
    if (err) errors_.emplace_back(i, err);
    if (++finished_ == n_) done_.notify_all();
  }
}

void ThreadPool::work() {
  std::uint64_t seen = 0;
  for (;;) {
    // spin briefly: the next call usually comes within microseconds
    const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(100);
    while (generation_.load(std::memory_order_acquire) == seen && std::chrono::steady_clock::now() < until)
      std::this_thread::yield();
    {
      std::unique_lock lock(mu_);
      if (generation_.load(std::memory_order_relaxed) == seen && !stop_) {
        ++sleeping_;
        wake_.wait(lock, [&] { return stop_ || generation_.load(std::memory_order_relaxed) != seen; });
        --sleeping_;
      }
      if (stop_) return;
      seen = generation_.load(std::memory_order_relaxed);
    }
    run_items();
  }
}

void ThreadPool::parallel_for(Index n, const std::function<void(Index)>& fn) {
  if (n <= 0) return;
  if (workers_.empty()) {  // one thread: plain loop, same order and same exception rule
    for (Index i = 0; i < n; ++i) fn(i);
    return;
  }
  bool wake = false;
  {
    std::lock_guard lock(mu_);
    fn_ = &fn;
    n_ = n;
    next_ = 0;
    finished_ = 0;
    errors_.clear();
    generation_.fetch_add(1, std::memory_order_release);
    wake = sleeping_ > 0;
  }
  if (wake) wake_.notify_all();
  run_items();
  std::unique_lock lock(mu_);
  done_.wait(lock, [&] { return finished_ == n_; });
  fn_ = nullptr;
  if (!errors_.empty()) {
    auto first = std::min_element(errors_.begin(), errors_.end(),
                                  [](const auto& a, const auto& b) { return a.first < b.first; });
    std::rethrow_exception(first->second);
  }
}

template <class T>
double accumulate_gradients(ThreadPool& pool, const ParameterList<T>& params, Index n,
                            const std::function<Var<T>(Index)>& loss_fn) {
  std::unordered_map<const Node<T>*, size_t> index;
  for (size_t k = 0; k < params.size(); ++k) index.emplace(params[k].var.get(), k);
  // buffers[i][k]: example i's gradient for parameter k (empty when untouched)
  std::vector<std::vector<Mat<T>>> buffers(static_cast<size_t>(n));
  std::vector<double> losses(static_cast<size_t>(n));
  pool.parallel_for(n, [&](Index i) {
    auto& buf = buffers[static_cast<size_t>(i)];
    buf.resize(params.size());
    Var<T> loss = loss_fn(i);
    require(loss.rows() == 1 && loss.cols() == 1, "accumulate_gradients",
            "example " + std::to_string(i) + " returned a loss of " + loss.shape() + ", expected [1 x 1]");
    losses[static_cast<size_t>(i)] = static_cast<double>(loss.item());
    backward<T>(loss, [&](Node<T>& leaf, Mat<T>&& g) {
      auto it = index.find(&leaf);
      if (it == index.end()) return;
      Mat<T>& slot = buf[it->second];
      if (slot.size() == 0) slot = std::move(g);
      else slot += g;
    });
  });
  double total = 0;
  for (size_t k = 0; k < params.size(); ++k) {
    Var<T> v = params[k].var;
    if (v.grad().size() == 0) v.zero_grad();
    for (size_t i = 0; i < buffers.size(); ++i)
      if (buffers[i][k].size()) v.mutable_grad() += buffers[i][k];
  }
  for (double l : losses) total += l;
  return total;
}

template double accumulate_gradients(ThreadPool&, const ParameterList<float>&, Index,
                                     const std::function<Var<float>(Index)>&);
template double accumulate_gradients(ThreadPool&, const ParameterList<double>&, Index,
                                     const std::function<Var<double>(Index)>&);

}  // namespace engram
