// Thread budget, cancellation, progress and the one parallel loop every kernel uses.
//
// Determinism rule: callers split work into tasks whose boundaries depend on the data size only;
// parallel_for decides which thread runs a task, never what a task computes.
#pragma once
#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <mutex>

#include "core/pool.h"
#include "core/status.h"

namespace threadml {

// Process-wide pool of native threads shared by all jobs of all environments. A job leases what
// it wants from what is free (at least one thread), so concurrent jobs do not oversubscribe the CPU.
class ThreadBudget {
 public:
  static ThreadBudget& global();

  int limit() const noexcept { return limit_.load(std::memory_order_relaxed); }
  void set_limit(int threads);
  int in_use() const noexcept { return in_use_.load(std::memory_order_relaxed); }

  class Lease {
   public:
    Lease(ThreadBudget& budget, int wanted);
    ~Lease();
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    int threads() const noexcept { return threads_; }

   private:
    ThreadBudget& budget_;
    int threads_;
  };

 private:
  ThreadBudget();
  std::atomic<int> limit_;
  std::atomic<int> in_use_{0};
};

// Set by the JS AbortSignal (through a shared Int32Array flag) or by environment teardown.
class CancelToken {
 public:
  void cancel() noexcept { own_.store(true, std::memory_order_relaxed); }
  void watch(const int32_t* external_flag) noexcept { external_ = external_flag; }
  bool cancelled() const noexcept {
    return own_.load(std::memory_order_relaxed) ||
           (external_ != nullptr && __atomic_load_n(external_, __ATOMIC_RELAXED) != 0);
  }

 private:
  std::atomic<bool> own_{false};
  const int32_t* external_ = nullptr;
};

class ProgressSink {
 public:
  virtual ~ProgressSink() = default;
  virtual void report(double fraction) noexcept = 0;  // may be called from any thread
};

// What a kernel needs to know about the job running it.
struct ExecContext {
  int threads = 1;
  const CancelToken* cancel = nullptr;
  ProgressSink* progress = nullptr;
  double progress_offset = 0.0;
  double progress_scale = 1.0;

  bool cancelled() const noexcept { return cancel != nullptr && cancel->cancelled(); }
  void check_cancelled() const {
    if (cancelled()) throw_aborted();
  }
  void report(double fraction) const noexcept {
    if (progress != nullptr) progress->report(progress_offset + progress_scale * fraction);
  }
  // Caps the threads so each gets at least min_per_thread items: waking a helper thread costs tens of
  // microseconds, more than small inputs take on one thread. Results do not depend on it.
  ExecContext for_work(std::size_t items, std::size_t min_per_thread) const {
    ExecContext copy = *this;
    const std::size_t useful = std::max<std::size_t>(1, items / min_per_thread);
    copy.threads = static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(threads < 1 ? 1 : threads), useful));
    return copy;
  }
  // The context for pass `index` of `count` passes over the data: its progress maps to that slice.
  ExecContext pass(int index, int count) const {
    ExecContext copy = *this;
    copy.progress_scale = progress_scale / count;
    copy.progress_offset = progress_offset + progress_scale * index / count;
    return copy;
  }
  ExecContext single_threaded() const {
    ExecContext copy = *this;
    copy.threads = 1;
    copy.progress = nullptr;
    return copy;
  }
};

// Runs body(task) for task in [0, n_tasks) on the calling thread plus pool helpers, up to ctx.threads
// in all. Cancellation is polled before each task; the first exception thrown by any task is
// re-thrown on the calling thread afterwards, so no exception ever unwinds through a pool thread.
template <class Body>
void parallel_for(const ExecContext& ctx, std::size_t n_tasks, Body&& body) {
  if (n_tasks == 0) return;
  const int threads = static_cast<int>(
      std::min<std::size_t>(static_cast<std::size_t>(ctx.threads < 1 ? 1 : ctx.threads), n_tasks));
  std::exception_ptr failure;
  std::once_flag failure_once;
  std::atomic<bool> stop{false};
  std::atomic<std::size_t> done{0};
  auto run_task = [&](std::size_t task) noexcept {
    if (stop.load(std::memory_order_relaxed)) return;
    try {
      ctx.check_cancelled();
      body(task);
      const std::size_t finished = done.fetch_add(1, std::memory_order_relaxed) + 1;
      ctx.report(static_cast<double>(finished) / static_cast<double>(n_tasks));
    } catch (...) {
      std::call_once(failure_once, [&] { failure = std::current_exception(); });
      stop.store(true, std::memory_order_relaxed);
    }
  };
  if (threads == 1) {
    for (std::size_t task = 0; task < n_tasks; ++task) run_task(task);
  } else {
    using RunTask = decltype(run_task);
    run_tasks(n_tasks, threads - 1,
              TaskRef{[](void* self, std::size_t task) noexcept { (*static_cast<RunTask*>(self))(task); }, &run_task});
  }
  if (failure) std::rethrow_exception(failure);
}

// Splits [0, n) into tasks of `grain` items (the last may be shorter).
inline std::size_t task_count(std::size_t n, std::size_t grain) { return (n + grain - 1) / grain; }

// The first item of task t when n items are cut into `tasks` tasks of equal size (within one item),
// so that no short last task leaves a thread idle; t == tasks gives n.
inline std::size_t task_start(std::size_t n, std::size_t tasks, std::size_t t) { return n / tasks * t + std::min(t, n % tasks); }

}  // namespace threadml
