// Entry of a 'threads' worker (a piscina worker): one call per item. Arguments arrive by structured
// clone, so typed arrays on a SharedArrayBuffer reach the task as views of the same memory.
import { loadTask, type ResolvedTask } from './task';

export interface ThreadTask {
  task: ResolvedTask;
  item: unknown;
  index: number;
}

export async function runTask({ task, item, index }: ThreadTask): Promise<unknown> {
  return (await loadTask(task))(item, index);
}
