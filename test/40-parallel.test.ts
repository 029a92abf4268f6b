import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AbortError, getThreads, parallel, ParallelError, setThreads, type Backend } from 'threadml';

const tasks = path.join(__dirname, 'fixtures', 'parallel-tasks.cjs');
const esm = path.join(__dirname, 'fixtures', 'parallel-tasks.mjs');
const backends: Backend[] = ['threads', 'processes'];
const initialThreads = getThreads();

interface Budget {
  threads: number;
  omp: string;
  pid: number;
}

afterEach(() => setThreads(initialThreads));

describe.each(backends)('parallel, %s backend', (backend) => {
  it('keeps input order when later items finish first, and reports progress', async () => {
    const items = Array.from({ length: 20 }, (_, i) => i);
    const progress: number[] = [];
    const out = await parallel(items, { module: tasks, export: 'squareLate' }, { nJobs: 2, backend, onProgress: (f) => progress.push(f) });
    expect(out).toEqual(items.map((x) => x * x));
    expect(progress).toHaveLength(20);
    expect(progress.at(-1)).toBe(1);
    expect([...progress].sort((a, b) => a - b)).toEqual(progress);
  });

  it('rejects with the failing item index and the worker stack', async () => {
    const error = await parallel([0, 1, 2, 3, 4, 5], { module: tasks, export: 'failOnThree' }, { nJobs: 2, backend }).catch((e) => e);
    expect(error).toBeInstanceOf(ParallelError);
    expect(error.index).toBe(3);
    expect(error.message).toBe('Task failed for item 3: item 3 is bad');
    expect(error.workerStack).toContain('failOnThree');
    expect(error.workerStack).toContain('parallel-tasks.cjs');
  });

  it('aborts promptly through an AbortSignal', async () => {
    const controller = new AbortController();
    const started = performance.now();
    setTimeout(() => controller.abort(), 300);
    const error = await parallel([1, 2, 3, 4], { module: tasks, export: 'slow' }, { nJobs: 2, backend, signal: controller.signal }).catch((e) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect(performance.now() - started).toBeLessThan(1500);
  });

  it('loads ES modules: default and named exports', async () => {
    expect(await parallel([1, 2, 3], { module: esm }, { nJobs: 2, backend })).toEqual([2, 4, 6]);
    expect(await parallel([1, 2], { module: new URL(`file://${esm}`), export: 'negate' }, { nJobs: 1, backend })).toEqual([-1, -2]);
  });

  it('passes typed arrays to native code in the worker (large ones through a temp file for processes)', async () => {
    const x = new Float64Array(1 << 18).fill(0.5); // 2 MB: spilled for 'processes'
    const out = await parallel([1, 2, 3], { module: tasks, export: 'nativeSum' }, { nJobs: 2, backend }).catch((e) => e);
    expect(out).toBeInstanceOf(ParallelError); // items without x: the task's own error, with its index
    const sums = await parallel([1, 2, 3].map((scale) => ({ x, scale })), { module: tasks, export: 'nativeSum' }, { nJobs: 2, backend });
    expect(sums).toEqual([1, 2, 3].map((s) => s * x.length * 0.5));
  });
});

describe('parallel: sharing and thread budget', () => {
  it('shares SharedArrayBuffer-backed arrays with thread workers (no copy)', async () => {
    const shared = new Int32Array(new SharedArrayBuffer(8 * 4));
    const flags = await parallel(Array.from({ length: 8 }, (_, index) => ({ shared, index })), { module: tasks, export: 'writeShared' }, { nJobs: 2 });
    expect(flags).toEqual(new Array(8).fill(true));
    expect([...shared]).toEqual([100, 101, 102, 103, 104, 105, 106, 107]);
  });

  it('gives each process worker cores / nJobs native threads', async () => {
    setThreads(4);
    const seen = await parallel<Budget>([0, 1, 2, 3], { module: tasks, export: 'threadBudget' }, { nJobs: 2, backend: 'processes' });
    expect(new Set(seen.map((s) => s.pid)).size).toBe(2);
    for (const s of seen) expect(s).toMatchObject({ threads: 2, omp: '2' });
    const one = await parallel([0], { module: tasks, export: 'threadBudget' }, { nJobs: 4, backend: 'processes' });
    expect(one[0]).toMatchObject({ threads: 4 }); // a single item runs on one worker, which gets every core
  });

  it('gives each thread worker cores / nJobs native threads, leaving the process budget alone', async () => {
    setThreads(4);
    const seen = await parallel<Budget>([0, 1, 2, 3], { module: tasks, export: 'threadBudget' }, { nJobs: 2 });
    for (const s of seen) expect(s.threads).toBe(2);
    const one = await parallel<Budget>([0], { module: tasks, export: 'threadBudget' }, { nJobs: 4 });
    expect(one[0].threads).toBe(4);
    expect(getThreads()).toBe(4);
  });

  it('checks its arguments with the one error format', async () => {
    await expect(parallel([1], { module: tasks }, { nJobs: 0 })).rejects.toThrow('Expected an integer from 1 to 4096 for options.nJobs but received 0');
    await expect(parallel([1], { module: tasks }, { backend: 'fork' as Backend })).rejects.toThrow(
      `Expected 'threads' or 'processes' for options.backend but received the string "fork"`,
    );
    await expect(parallel([1], null as never)).rejects.toThrow('Expected a {module, export} object for task but received null');
    expect(await parallel([], { module: tasks })).toEqual([]);
  });
});
