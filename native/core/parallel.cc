#include "core/parallel.h"

#include <cblas.h>

#include <thread>

#if defined(__linux__)
#include <sched.h>
#endif

namespace threadml {

namespace {
// Like os.availableParallelism(): the CPUs this process may run on, not all CPUs of the machine.
int hardware_threads() {
#if defined(__linux__)
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 0) return CPU_COUNT(&set);
#endif
  const unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(n);
}
}  // namespace

// OpenBLAS stays single-threaded: threadml splits BLAS work into panels itself (kernels/blas.cc),
// so BLAS threads come out of the same budget and concurrent jobs never oversubscribe.
ThreadBudget::ThreadBudget() : limit_(hardware_threads()) { openblas_set_num_threads(1); }

ThreadBudget& ThreadBudget::global() {
  static ThreadBudget budget;
  return budget;
}

void ThreadBudget::set_limit(int threads) {
  limit_.store(threads < 1 ? 1 : threads, std::memory_order_relaxed);
}

ThreadBudget::Lease::Lease(ThreadBudget& budget, int wanted) : budget_(budget), threads_(1) {
  if (wanted < 1) wanted = 1;
  // Grant min(wanted, free), never less than one thread: a job always makes progress.
  int used = budget_.in_use_.load(std::memory_order_relaxed);
  for (;;) {
    const int free_threads = budget_.limit() - used;
    const int grant = std::max(1, std::min(wanted, free_threads));
    if (budget_.in_use_.compare_exchange_weak(used, used + grant, std::memory_order_relaxed)) {
      threads_ = grant;
      return;
    }
  }
}

ThreadBudget::Lease::~Lease() { budget_.in_use_.fetch_sub(threads_, std::memory_order_relaxed); }

}  // namespace threadml
