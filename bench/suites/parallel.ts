// parallel: joblib-style helpers. The mean of 100M numbers split over 1 and 2 thread workers (a JS
// loop each, the array shared) against the native reduction; a CPU-bound JS function over 1,000 items
// with nJobs 1 and 2; the cost of a Memory cache hit on a 100 MB argument; and cross-validation with
// nJobs 1 x 2 native threads against nJobs 2 x 1 native thread. This module is also the workers' task module.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { crossValScore, getThreads, mean, Memory, parallel, RandomForestClassifier } from '../../lib/index';
import { fmt, fmtRatio, median, Table, timeOnce, type Suite, type SuiteOptions, type SuiteResult } from '../harness';

/** Task: a CPU-bound JS function (about 1 ms per item). */
export function cpuTask(item: number): number {
  let acc = item;
  for (let i = 0; i < 50_000; i++) acc = (acc * 1103515245 + 12345) % 2147483647;
  return acc;
}

/** Task: the sum of a slice of a shared array, in a plain JS loop. */
export function sliceSum({ x, start, end }: { x: Float64Array; start: number; end: number }): number {
  let s = 0;
  for (let i = start; i < end; i++) s += x[i];
  return s;
}

async function timeRuns(repeats: number, run: () => unknown): Promise<number[]> {
  await run(); // warm-up: worker start, JIT, page faults
  const samples: number[] = [];
  for (let r = 0; r < repeats; r++) samples.push(await timeOnce(run));
  return samples;
}

function blobs(rows: number, cols: number): { X: { data: Float64Array; rows: number; cols: number }; y: Int32Array } {
  const data = new Float64Array(rows * cols);
  const y = new Int32Array(rows);
  let seed = 1;
  const rand = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  for (let r = 0; r < rows; r++) {
    y[r] = r % 2;
    for (let j = 0; j < cols; j++) data[r * cols + j] = rand() + (j < 4 ? y[r] * 0.6 : 0);
  }
  return { X: { data, rows, cols }, y };
}

export const parallelSuite: Suite = {
  name: 'parallel',
  title: 'parallel helpers: worker pools, shared arrays, disk cache, cross-validation',
  async run({ quick, log }: SuiteOptions): Promise<SuiteResult> {
    const repeats = quick ? 2 : 5;
    const task = { module: __filename };
    const rows: { work: string; variant: string; ms: number[] }[] = [];
    const add = (work: string, variant: string, ms: number[]) => {
      rows.push({ work, variant, ms });
      log(`${work} / ${variant}: ${fmt(median(ms))} ms`);
    };

    const n = quick ? 10_000_000 : 100_000_000;
    const x = new Float64Array(new SharedArrayBuffer(n * 8));
    for (let i = 0; i < n; i++) x[i] = (i % 1000) / 8;
    const meanOf = (jobs: number) => async () => {
      const chunks = Array.from({ length: jobs }, (_, j) => ({ x, start: Math.floor((j * n) / jobs), end: Math.floor(((j + 1) * n) / jobs) }));
      const sums = await parallel<number>(chunks, { ...task, export: 'sliceSum' }, { nJobs: jobs });
      return sums.reduce((a, b) => a + b, 0) / n;
    };
    const meanWork = `mean of ${n / 1e6}M float64`;
    add(meanWork, 'parallel, 1 worker (JS loop)', await timeRuns(repeats, meanOf(1)));
    add(meanWork, 'parallel, 2 workers (JS loop)', await timeRuns(repeats, meanOf(2)));
    add(meanWork, `native mean (${getThreads()} threads)`, await timeRuns(repeats, () => mean(x)));

    const items = Array.from({ length: 1000 }, (_, i) => i);
    const cpuWork = 'CPU-bound JS function, 1,000 items';
    add(cpuWork, 'plain loop on the main thread', await timeRuns(repeats, () => items.map(cpuTask)));
    for (const backend of ['threads', 'processes'] as const)
      for (const nJobs of [1, 2]) add(cpuWork, `${backend}, nJobs ${nJobs}`, await timeRuns(repeats, () => parallel(items, { ...task, export: 'cpuTask' }, { nJobs, backend })));

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'threadml-bench-memory-'));
    try {
      const big = x.subarray(0, Math.min(n, 12_500_000)); // 100 MB
      const cached = new Memory(dir).cache((v: Float64Array) => mean(v));
      const cacheWork = `Memory cache, ${big.byteLength / 1e6} MB argument`;
      add(cacheWork, 'miss (hash + compute + store)', [await timeOnce(() => cached(big))]);
      add(cacheWork, 'hit (hash + read)', await timeRuns(repeats, () => cached(big)));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }

    const { X, y } = blobs(quick ? 4000 : 20_000, 20);
    const make = () => new RandomForestClassifier({ nEstimators: quick ? 20 : 60, randomState: 0 });
    const cvWork = `crossValScore, RandomForest ${quick ? 20 : 60} trees, ${X.rows} x 20, 4 folds`;
    for (const nJobs of [1, 2])
      add(cvWork, `nJobs ${nJobs} x ${Math.max(1, Math.floor(getThreads() / nJobs))} native threads`, await timeRuns(quick ? 1 : 3, () => crossValScore(make, X, y, { cv: 4, nJobs })));

    const base = (work: string) => median(rows.find((r) => r.work === work)?.ms ?? []);
    const table = new Table('parallel helpers (median ms; speedup vs the first row of each work)', [
      { key: 'work', title: 'work' },
      { key: 'variant', title: 'variant' },
      { key: 'ms', title: 'ms' },
      { key: 'speedup', title: 'speedup' },
    ]);
    for (const r of rows) table.add({ work: r.work, variant: r.variant, ms: fmt(median(r.ms)), speedup: fmtRatio(base(r.work) / median(r.ms)) });

    const medianOf = (work: string, variant: string) => median(rows.find((r) => r.work === work && r.variant === variant)?.ms ?? []);
    const speedup = medianOf(cpuWork, 'threads, nJobs 1') / medianOf(cpuWork, 'threads, nJobs 2');
    const hit = median(rows.find((r) => r.variant.startsWith('hit'))?.ms ?? []);
    return {
      peers: [],
      tables: [table],
      targets: [
        { target: 'nJobs 2 >= 1.8x nJobs 1 on the CPU-bound JS function (threads)', measured: fmtRatio(speedup), met: speedup >= 1.8 },
        { target: 'cache hit on a 100 MB argument < 100 ms', measured: `${fmt(hit)} ms`, met: hit < 100 },
      ],
      notes: [
        'Workers load this module as their task module; thread workers read the SharedArrayBuffer in place (no copy).',
        'Timed runs include starting the pool (piscina threads or child processes), as a call to parallel() does.',
      ],
      data: rows,
    };
  },
};
