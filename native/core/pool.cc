#include "core/pool.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

#if !defined(_WIN32)
#include <pthread.h>
#endif

namespace threadml {

namespace {

// A helper that has just finished spins this long before it sleeps: callers often run parallel
// loops back to back (tree levels, one GEMM call after another), and waking a sleeping thread costs
// 50-250 us on this kind of machine (its idle virtual CPU halts), as much as a 256 x 256 GEMM.
// Measured at n = 256: 100 us of spinning gave 420-450 us per call, 0.3-2 ms gave 355-380 us
// (yielding while spinning was slower). 2 ms also covers a one-thread call of that size between
// two parallel ones (0.3-0.6 ms from JS): with 500 us, such 2-thread calls took 0.52-0.55 ms
// (float64) and 0.28-0.36 ms (float32), with 2 ms 0.30-0.32 and 0.20-0.22 ms.
constexpr auto kHelperSpin = std::chrono::microseconds(2000);
constexpr long kMaxHelperSpinUs = 1000000;
// The caller spins this long for helpers finishing their last task before it sleeps.
constexpr auto kCallerSpin = std::chrono::microseconds(20);

thread_local bool inside_task = false;

inline void cpu_relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

// Spins until done() or the time is up; reads the clock only every 64 rounds.
template <class Done>
bool spin_until(Done&& done, std::chrono::microseconds limit) noexcept {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  for (unsigned round = 1;; ++round) {
    if (done()) return true;
    cpu_relax();
    if (round % 64 == 0 && std::chrono::steady_clock::now() >= deadline) return false;
  }
}

struct Batch {
  TaskRef task;
  std::size_t n_tasks;
  std::atomic<std::size_t> next{0};
  int seats;                   // helpers that may still join; guarded by the pool mutex
  std::atomic<int> active{0};  // helpers inside; written under the pool mutex

  void drain() noexcept {
    for (;;) {
      const std::size_t i = next.fetch_add(1, std::memory_order_relaxed);
      if (i >= n_tasks) return;
      task.call(task.self, i);
    }
  }
};

class Pool {
 public:
  void run(std::size_t n_tasks, int helpers, TaskRef task) noexcept {
    Batch batch{task, n_tasks, {0},
                static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(helpers), n_tasks - 1))};
    {
      std::lock_guard<std::mutex> lock(mutex_);
      start_helpers_locked(batch.seats);
      open_.push_back(&batch);
      published_.fetch_add(1, std::memory_order_release);
    }
    wake_.notify_all();

    inside_task = true;
    batch.drain();
    inside_task = false;

    {
      // From here no helper can join; the ones inside finish the task they hold.
      std::lock_guard<std::mutex> lock(mutex_);
      close_locked(&batch);
    }
    auto finished = [&] { return batch.active.load(std::memory_order_acquire) == 0; };
    if (!spin_until(finished, kCallerSpin)) {
      std::unique_lock<std::mutex> lock(mutex_);
      done_.wait(lock, finished);
    }
  }

  int threads() noexcept {
    std::lock_guard<std::mutex> lock(mutex_);
    return threads_;
  }

 private:
  void start_helpers_locked(int wanted) noexcept {
    for (; idle_ < wanted; ++idle_, ++threads_) {
      try {
        std::thread([this] { helper_main(); }).detach();
      } catch (const std::system_error&) {
        return;  // out of threads: the caller and the helpers that exist do the work
      }
    }
  }

  void close_locked(Batch* batch) noexcept {
    open_.erase(std::remove(open_.begin(), open_.end(), batch), open_.end());
  }

  Batch* claim_locked() noexcept {
    for (Batch* batch : open_) {
      if (batch->next.load(std::memory_order_relaxed) >= batch->n_tasks) continue;
      batch->active.fetch_add(1, std::memory_order_relaxed);
      if (--batch->seats == 0) close_locked(batch);
      return batch;
    }
    return nullptr;
  }

  void helper_main() noexcept {
    inside_task = true;
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      Batch* batch = claim_locked();
      if (batch == nullptr) {
        const unsigned seen = published_.load(std::memory_order_acquire);
        lock.unlock();
        spin_until([&] { return published_.load(std::memory_order_acquire) != seen; },
                   std::chrono::microseconds(helper_spin_us()));
        lock.lock();
        wake_.wait(lock, [&] { return (batch = claim_locked()) != nullptr; });
      }
      --idle_;
      lock.unlock();
      batch->drain();
      lock.lock();
      ++idle_;
      // The batch lives on its caller's stack: after this decrement it may be gone.
      if (batch->active.fetch_sub(1, std::memory_order_release) == 1) done_.notify_all();
    }
  }

  std::mutex mutex_;
  std::condition_variable wake_;  // helpers wait here for work
  std::condition_variable done_;  // callers wait here for their helpers
  std::vector<Batch*> open_;      // batches that still accept helpers
  std::atomic<unsigned> published_{0};
  int threads_ = 0;
  int idle_ = 0;  // helpers not inside a batch (spinning or asleep)
};

// The pool is never destroyed: detached helpers may still be asleep in it at process exit.
std::atomic<Pool*> current_pool{nullptr};

Pool& pool() {
  static std::once_flag once;
  std::call_once(once, [] {
    current_pool.store(new Pool, std::memory_order_release);
#if !defined(_WIN32)
    // A forked child has none of the parent's helper threads (and maybe a held mutex): start afresh.
    pthread_atfork(nullptr, nullptr, [] { current_pool.store(new Pool, std::memory_order_relaxed); });
#endif
  });
  return *current_pool.load(std::memory_order_acquire);
}

}  // namespace

void run_tasks(std::size_t n_tasks, int helpers, TaskRef task) noexcept {
  if (helpers <= 0 || n_tasks <= 1 || inside_task) {
    for (std::size_t i = 0; i < n_tasks; ++i) task.call(task.self, i);
    return;
  }
  pool().run(n_tasks, helpers, task);
}

int pool_threads() noexcept { return pool().threads(); }

// A service whose calls come seldom can trade the spin's CPU time (up to one core per helper for
// kHelperSpin after every parallel loop) for a slower first loop after a pause, or the reverse.
int helper_spin_us() noexcept {
  static const int spin = [] {
    const char* text = std::getenv("THREADML_HELPER_SPIN_US");
    if (text == nullptr || *text == '\0') return static_cast<int>(kHelperSpin.count());
    long value = 0;
    for (const char* c = text; *c != '\0'; ++c) {
      if (*c < '0' || *c > '9' || c - text >= 7) return static_cast<int>(kHelperSpin.count());
      value = value * 10 + (*c - '0');
    }
    return static_cast<int>(value <= kMaxHelperSpinUs ? value : kHelperSpin.count());
  }();
  return spin;
}

}  // namespace threadml
