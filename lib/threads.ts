// The process-wide native thread budget and runtime facts.
import { checkThreads } from './job';
import { addon, type NativeInfo, type NativeJobStats } from './native';

/**
 * Sets the process-wide budget of native threads shared by all calls (default: the CPUs this
 * process may use). Calls running at once lease threads from it; matrix products count against it
 * too (OpenBLAS itself runs single-threaded inside threadml's own split).
 */
export function setThreads(threads: number): void {
  addon.setThreads(checkThreads(threads, 'threads'));
}

export function getThreads(): number {
  return addon.getThreads();
}

export type Info = NativeInfo;

/** Version, BLAS (name, version, core), OpenMP, SIMD level and thread budget of the loaded addon. */
export function info(): Info {
  return addon.info();
}

export type JobStats = NativeJobStats;

/** Process-wide counters of queued, running and completed native jobs, and threads leased. */
export function jobStats(): JobStats {
  return addon.jobStats();
}
