// worker_threads side of the JS workers peer: runs one kernel over a slice of a shared array.
import { parentPort } from 'node:worker_threads';
import { sqDevRange, sumRange } from './js_reduce';
import type { WorkerTask } from './js_workers';

const port = parentPort;
if (port === null) throw new Error('js_reduce_worker must run in a worker thread');
port.on('message', (task: WorkerTask) => {
  const value =
    task.kind === 'sum' ? sumRange(task.x, task.begin, task.end) : sqDevRange(task.x, task.mean, task.begin, task.end);
  port.postMessage(value);
});
