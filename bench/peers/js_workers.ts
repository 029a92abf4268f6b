// The JS workers peer: the plain loop split over N worker_threads reading one SharedArrayBuffer.
// Workers start once (start() resolves when they are online); a call costs only the messages.
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { FloatArray } from '../../lib/tensor';
import type { ReduceOp } from './js_reduce';

/** One worker's share of a pass: a kernel over x[begin, end). */
export type WorkerTask =
  | { kind: 'sum'; x: FloatArray; begin: number; end: number }
  | { kind: 'sqdev'; x: FloatArray; mean: number; begin: number; end: number };

export class JsWorkerPool {
  private constructor(private readonly workers: Worker[]) {}

  static async start(threads: number): Promise<JsWorkerPool> {
    const file = path.join(__dirname, 'js_reduce_worker.js');
    const workers = Array.from({ length: threads }, () => new Worker(file));
    await Promise.all(
      workers.map((w) => new Promise<void>((resolve, reject) => w.once('online', resolve).once('error', reject))),
    );
    return new JsWorkerPool(workers);
  }

  get threads(): number {
    return this.workers.length;
  }

  /** sum, mean or two-pass variance of x, which must live on a SharedArrayBuffer. */
  async reduce(op: ReduceOp, x: FloatArray): Promise<number> {
    if (!(x.buffer instanceof SharedArrayBuffer)) throw new TypeError('JsWorkerPool needs an array on a SharedArrayBuffer');
    const n = x.length;
    const sum = total(await this.pass((begin, end) => ({ kind: 'sum', x, begin, end }), n));
    if (op === 'sum') return sum;
    const mean = sum / n;
    if (op === 'mean') return mean;
    return total(await this.pass((begin, end) => ({ kind: 'sqdev', x, mean, begin, end }), n)) / n;
  }

  private pass(task: (begin: number, end: number) => WorkerTask, n: number): Promise<number[]> {
    const w = this.workers.length;
    return Promise.all(
      this.workers.map(
        (worker, i) =>
          new Promise<number>((resolve, reject) => {
            const onError = (error: Error) => reject(error);
            worker.once('error', onError);
            worker.once('message', (value: number) => {
              worker.off('error', onError);
              resolve(value);
            });
            worker.postMessage(task(Math.floor((n * i) / w), Math.floor((n * (i + 1)) / w)));
          }),
      ),
    );
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

function total(parts: readonly number[]): number {
  return parts.reduce((a, b) => a + b, 0);
}
