// Entry of a 'processes' worker (a child_process.fork with advanced serialization). The parent sends
// {threads} once, then {index, task, item} messages one at a time; each gets one reply.
import { setThreads } from '../threads';
import { restoreArrays } from './spill';
import { loadTask, type ResolvedTask } from './task';

const arrays = new Map<string, Exclude<ArrayBufferView, DataView>>();

interface Request {
  threads?: number;
  index: number;
  task: ResolvedTask;
  item: unknown;
}

process.on('message', async (message: Request) => {
  if (message.threads !== undefined) {
    setThreads(message.threads);
    return;
  }
  const { index } = message;
  try {
    const value = await (await loadTask(message.task))(restoreArrays(message.item, arrays), index);
    process.send?.({ index, value });
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    process.send?.({ index, error: { name: e.name, message: e.message, stack: e.stack } });
  }
});
