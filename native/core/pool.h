// The process-wide helper threads behind parallel_for.
//
// Why not an OpenMP region: an OpenMP region ends with a barrier that waits for every thread of the
// team, so a helper the OS scheduler wakes late (2-3 ms on a busy machine) delays every region, and
// libgomp keeps one team per calling thread (one per libuv worker). Here the calling thread works
// from the start, helpers join while tasks remain, and a helper that arrives after the tasks ran out
// is simply not waited for. One small set of threads serves every job of every environment.
#pragma once
#include <cstddef>

namespace threadml {

// A non-owning reference to a task body: no allocation per parallel loop.
struct TaskRef {
  void (*call)(void* self, std::size_t task) noexcept;
  void* self;
};

// Runs task(i) for every i in [0, n_tasks) on the calling thread plus up to `helpers` pool threads;
// returns when every task has finished. Tasks are handed out one at a time in index order. Called
// from inside a task it runs serially on the calling thread (nested loops do not multiply threads).
void run_tasks(std::size_t n_tasks, int helpers, TaskRef task) noexcept;

// Helper threads started so far (they are started on first use and kept for the process lifetime).
int pool_threads() noexcept;

// How long (microseconds) a helper that ran out of work spins before it sleeps:
// THREADML_HELPER_SPIN_US when it is an integer in [0, 1000000], else 2000.
int helper_spin_us() noexcept;

}  // namespace threadml
