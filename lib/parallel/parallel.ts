// parallel(items, task, options): joblib's Parallel for Node. Calls a module's export once per item
// on a pool of worker threads (piscina) or child processes, keeps input order, and keeps the CPU from
// being oversubscribed by native threads inside the workers.
import { fork, type ChildProcess } from 'node:child_process';
import { setMaxListeners } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Piscina } from 'piscina';
import { AbortError, rangeError, typeError } from '../errors';
import { checkThreads } from '../job';
import { getThreads } from '../threads';
import { spillArrays } from './spill';
import { resolveTask, type ResolvedTask, type TaskSpec } from './task';

export type { TaskSpec } from './task';

export type Backend = 'threads' | 'processes';

export interface ParallelOptions {
  /** Workers running at once. Default: the native thread budget (getThreads()); -1 means the same. */
  nJobs?: number;
  /** 'threads' (worker_threads, default) or 'processes' (child processes: isolation, non-thread-safe code). */
  backend?: Backend;
  /** Stops the workers; the Promise rejects with an AbortError. */
  signal?: AbortSignal;
  /** Called on the caller's thread after each item with the fraction of items done (0..1). */
  onProgress?: (fraction: number) => void;
}

/** A task that threw: `index` is the item's position, `workerStack` the stack inside the worker. */
export class ParallelError extends Error {
  readonly index: number;
  readonly workerStack: string | undefined;
  constructor(index: number, cause: unknown) {
    const inner = cause instanceof Error || (cause !== null && typeof cause === 'object') ? (cause as { message?: string; stack?: string }) : undefined;
    super(`Task failed for item ${index}: ${inner?.message ?? String(cause)}`, { cause });
    this.name = 'ParallelError';
    this.index = index;
    this.workerStack = inner?.stack;
    if (inner?.stack !== undefined) this.stack = `${this.stack}\nWorker stack:\n${inner.stack}`;
  }
}

interface Plan {
  task: ResolvedTask;
  nJobs: number;
  threadsPerWorker: number;
  signal?: AbortSignal;
  done: () => void;
}

function checkOptions(options: ParallelOptions | undefined): Required<Pick<ParallelOptions, 'nJobs' | 'backend'>> & ParallelOptions {
  if (options === undefined) options = {};
  if (options === null || typeof options !== 'object') throw typeError('an options object', 'options', options);
  const nJobs = options.nJobs === undefined || options.nJobs === -1 ? getThreads() : checkThreads(options.nJobs, 'options.nJobs');
  const backend = options.backend ?? 'threads';
  if (backend !== 'threads' && backend !== 'processes') throw rangeError("'threads' or 'processes'", 'options.backend', backend);
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) throw typeError('an AbortSignal', 'options.signal', options.signal);
  if (options.onProgress !== undefined && typeof options.onProgress !== 'function') throw typeError('a function', 'options.onProgress', options.onProgress);
  return { ...options, nJobs, backend };
}

function checkTask(task: TaskSpec): ResolvedTask {
  if (task === null || typeof task !== 'object') throw typeError('a {module, export} object', 'task', task);
  if (typeof task.module !== 'string' && !(task.module instanceof URL)) throw typeError('a module path or URL', 'task.module', task.module);
  const exportName = task.export ?? 'default';
  if (typeof exportName !== 'string') throw typeError('a string', 'task.export', exportName);
  return { url: resolveTask(task.module), exportName };
}

function abortError(signal: AbortSignal): AbortError {
  return new AbortError('The operation was aborted', { cause: signal.reason });
}

/**
 * Calls `task` (a module's export, loaded in every worker) once per item; resolves to the results in
 * input order. The first failure rejects with a ParallelError and stops the remaining items.
 */
export async function parallel<R = unknown>(items: Iterable<unknown>, task: TaskSpec, options?: ParallelOptions): Promise<R[]> {
  const list = Array.from(items);
  const o = checkOptions(options);
  const resolved = checkTask(task);
  if (o.signal?.aborted) throw abortError(o.signal);
  if (list.length === 0) return [];
  const nJobs = Math.min(o.nJobs, list.length);
  let finished = 0;
  const plan: Plan = {
    task: resolved,
    nJobs,
    // joblib's rule: the workers share the cores, so each gets cores / nJobs native threads.
    threadsPerWorker: Math.max(1, Math.floor(getThreads() / nJobs)),
    signal: o.signal,
    done: () => {
      finished++;
      if (o.onProgress === undefined) return;
      try {
        o.onProgress(finished / list.length);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    },
  };
  return (o.backend === 'threads' ? runThreads(list, plan) : runProcesses(list, plan)) as Promise<R[]>;
}

const threadWorker = path.join(__dirname, 'worker.js');

async function runThreads(items: unknown[], plan: Plan): Promise<unknown[]> {
  // Each worker caps its native calls at cores / nJobs (setThreads in a worker caps that worker only),
  // under the process-wide budget the workers share with the caller.
  const pool = new Piscina({ filename: threadWorker, name: 'runTask', minThreads: plan.nJobs, maxThreads: plan.nJobs, idleTimeout: 0 });
  const stop = new AbortController();
  setMaxListeners(items.length + 1, stop.signal); // piscina listens once per queued item
  // A worker's late reply to a task we already aborted surfaces as a pool 'error' event (which would
  // throw without a listener); every task's own outcome reaches its Promise, so nothing is lost here.
  pool.on('error', () => {});
  const onAbort = () => stop.abort();
  plan.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await Promise.all(
      items.map((item, index) =>
        pool.run({ task: plan.task, item, index, threads: plan.threadsPerWorker }, { signal: stop.signal }).then(
          (value) => {
            plan.done();
            return value;
          },
          (error) => {
            if (plan.signal?.aborted) throw abortError(plan.signal);
            if (stop.signal.aborted) throw error; // cancelled because another item failed first
            stop.abort();
            throw new ParallelError(index, error);
          },
        ),
      ),
    );
  } finally {
    plan.signal?.removeEventListener('abort', onAbort);
    await pool.destroy();
  }
}

const processWorker = path.join(__dirname, 'process_worker.js');

interface Reply {
  index: number;
  value?: unknown;
  error?: { name: string; message: string; stack?: string };
}

function runProcesses(items: unknown[], plan: Plan): Promise<unknown[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'threadml-parallel-'));
  const children: ChildProcess[] = [];
  const results = new Array<unknown>(items.length);
  let next = 0;
  let pending = items.length;
  return new Promise<unknown[]>((resolve, reject) => {
    let settled = false;
    const finish = (error?: unknown) => {
      if (settled) return;
      settled = true;
      plan.signal?.removeEventListener('abort', onAbort);
      for (const child of children) child.kill();
      fs.rmSync(dir, { recursive: true, force: true });
      if (error === undefined) resolve(results);
      else reject(error);
    };
    const onAbort = () => finish(abortError(plan.signal as AbortSignal));
    plan.signal?.addEventListener('abort', onAbort, { once: true });
    const files = new Map();
    const send = (child: ChildProcess, busy: { index: number }) => {
      if (next >= items.length || settled) return;
      busy.index = next++;
      try {
        child.send({ index: busy.index, task: plan.task, item: spillArrays(items[busy.index], dir, files) });
      } catch (error) {
        finish(new ParallelError(busy.index, error));
      }
    };
    for (let w = 0; w < plan.nJobs; w++) {
      const child = fork(processWorker, [], {
        serialization: 'advanced',
        // OpenMP and OpenBLAS in other native libraries the task may load follow the same budget.
        env: { ...process.env, OMP_NUM_THREADS: `${plan.threadsPerWorker}`, OPENBLAS_NUM_THREADS: '1' },
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      children.push(child);
      const busy = { index: -1 };
      child.on('message', (reply: Reply) => {
        if (reply.error !== undefined) return finish(new ParallelError(reply.index, reply.error));
        results[reply.index] = reply.value;
        busy.index = -1;
        plan.done();
        if (--pending === 0) return finish();
        send(child, busy);
      });
      child.on('error', (error) => finish(new ParallelError(busy.index, error)));
      child.on('exit', (code, signal) => {
        if (!settled) finish(new ParallelError(busy.index, new Error(`Worker process exited (code ${code}, signal ${signal})`)));
      });
      child.send({ threads: plan.threadsPerWorker });
      send(child, busy);
    }
  });
}
