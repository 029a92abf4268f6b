// The process-wide native thread budget and runtime facts.
import { isMainThread } from 'node:worker_threads';
import { checkThreads } from './job';
import { addon, type NativeInfo, type NativeJobStats } from './native';

/**
 * On the main thread, sets the process-wide budget of native threads shared by all calls (default:
 * the CPUs this process may use). Calls running at once lease threads from it; matrix products count
 * against it too (OpenBLAS itself runs single-threaded inside threadml's own split).
 *
 * In a worker thread, caps that worker's calls only (as joblib limits BLAS threads per worker): each
 * of its calls leases at most `threads`, still within the process-wide budget.
 */
export function setThreads(threads: number): void {
  const n = checkThreads(threads, 'threads');
  if (isMainThread) addon.setThreads(n);
  else addon.setEnvironmentThreads(n);
}

/** The most native threads one call from this thread can lease (the budget, under a worker's cap). */
export function getThreads(): number {
  return addon.getThreads();
}

export type Info = NativeInfo;

/**
 * Version, BLAS (name, version, core), SIMD level, thread budget, the helper threads started so far
 * (`poolThreads`: kernels run on the calling libuv thread plus these) and how long an idle helper spins
 * before it sleeps (`helperSpinUs`, from THREADML_HELPER_SPIN_US) of the loaded addon.
 */
export function info(): Info {
  return addon.info();
}

export type JobStats = NativeJobStats;

/** Process-wide counters of queued, running and completed native jobs, and threads leased. */
export function jobStats(): JobStats {
  return addon.jobStats();
}
