// Entry of a 'threads' worker (a piscina worker): one call per item. Arguments arrive by structured
// clone, so typed arrays on a SharedArrayBuffer reach the task as views of the same memory.
import { setThreads } from '../threads';
import { loadTask, type ResolvedTask } from './task';

export interface ThreadTask {
  task: ResolvedTask;
  item: unknown;
  index: number;
  /** This worker's native thread cap: cores / nJobs. */
  threads: number;
}

export async function runTask({ task, item, index, threads }: ThreadTask): Promise<unknown> {
  setThreads(threads);
  return (await loadTask(task))(item, index);
}
