// The asynchronous contract: the mean of 1e8 numbers, cancellation, progress, concurrency, a free
// event loop, and worker_threads.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { beforeAll, describe, expect, it } from 'vitest';
import { AbortError, argmax, getThreads, jobStats, mean, norm, std, sum, variance } from 'threadml';
import { fsum, fsumOf, reference, rejection, uniform } from './helpers';

const N = 100_000_000;
const THIS_FILE = '05-async-behaviour.test.ts';
let big: Float64Array; // x[i] = (i % 1000) / 7, shared by every test that needs 1e8 elements

beforeAll(() => {
  big = new Float64Array(N);
  for (let i = 0; i < 1000; i++) big[i] = i / 7;
  for (let filled = 1000; filled < N; filled *= 2) big.copyWithin(filled, 0, Math.min(filled, N - filled));
}, 60_000);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the mean of 100 million numbers', () => {
  it('matches the closed form to 1e-15', async () => {
    expect(big[N - 1]).toBe(999 / 7);
    expect(big[123_456_78]).toBe((12_345_678 % 1000) / 7);
    // The array holds 1e5 copies of fl(k / 7), k < 1000: its exact mean is (sum of those 1000) / 1000.
    const exactMean = fsumOf(1000, (k) => k / 7) / 1000;
    const t0 = performance.now();
    const m = await mean(big);
    const elapsed = performance.now() - t0;
    expect(Math.abs(m - exactMean) / exactMean).toBeLessThanOrEqual(1e-15);
    expect(Math.abs(m - 999 / 14) / (999 / 14)).toBeLessThanOrEqual(1e-15);
    const s = await sum(big);
    expect(Math.abs(s - exactMean * N) / (exactMean * N)).toBeLessThanOrEqual(1e-15);
    console.info(`mean of 1e8 float64: ${elapsed.toFixed(1)} ms`);
  }, 30_000);
});

describe('AbortSignal', () => {
  it('aborting mid-run (1e8 elements, threads 1) rejects with an AbortError well before the run would end', async () => {
    const t0 = performance.now();
    await variance(big, { threads: 1 });
    const full = performance.now() - t0;

    const controller = new AbortController();
    const reason = new Error('stop');
    const start = performance.now();
    const pending = variance(big, { threads: 1, signal: controller.signal });
    await sleep(3);
    const abortedAt = performance.now();
    controller.abort(reason);
    const error = await rejection(pending);
    const end = performance.now();

    expect(error.name).toBe('AbortError');
    expect(error).toBeInstanceOf(AbortError);
    expect((error as AbortError).code).toBe('ABORT_ERR');
    expect(error.cause).toBe(reason);
    expect(error.stack).toContain(THIS_FILE);
    console.info(`abort: full run ${full.toFixed(1)} ms, rejected ${(end - abortedAt).toFixed(1)} ms after abort()`);
    expect(end - abortedAt).toBeLessThan(25);
    expect(end - start).toBeLessThan(full / 2);
  }, 30_000);

  it('aborting an axis-0 reduction of a 10000x10000 matrix stops it promptly too', async () => {
    const m = { data: big, rows: 10_000, cols: 10_000 };
    const t0 = performance.now();
    await std(m, { axis: 0, threads: 1 });
    const full = performance.now() - t0;
    const controller = new AbortController();
    const pending = std(m, { axis: 0, threads: 1, signal: controller.signal });
    await sleep(5);
    const abortedAt = performance.now();
    controller.abort();
    const error = await rejection(pending);
    const end = performance.now();
    expect(error.name).toBe('AbortError');
    expect(error.cause).toBe(controller.signal.reason);
    console.info(`axis-0 abort: full run ${full.toFixed(1)} ms, rejected ${(end - abortedAt).toFixed(1)} ms after abort()`);
    expect(end - abortedAt).toBeLessThan(Math.min(50, full / 4));
  }, 30_000);

  it('a pre-aborted signal rejects at once without starting a job', async () => {
    const controller = new AbortController();
    controller.abort('reason string');
    const completed = jobStats().completed;
    const t0 = performance.now();
    const error = await rejection(mean(big, { signal: controller.signal }));
    expect(performance.now() - t0).toBeLessThan(5);
    expect(error.name).toBe('AbortError');
    expect(error.cause).toBe('reason string');
    expect(jobStats().completed).toBe(completed);
    const others = [sum, std, argmax, norm] as ((x: number[], o: { signal: AbortSignal }) => Promise<unknown>)[];
    for (const f of others) expect((await rejection(f([1, 2], { signal: controller.signal }))).name).toBe('AbortError');
  });

  it('aborting after the call settled changes nothing; an unused signal does not disturb the result', async () => {
    const controller = new AbortController();
    const x = uniform(200_000, 12);
    const value = await mean(x, { signal: controller.signal });
    controller.abort();
    expect(value).toBe(await mean(x));
    expect(Math.abs(value - reference('mean', x))).toBeLessThanOrEqual(Math.abs(reference('mean', x)) * 1e-14);
  });
});

describe('onProgress', () => {
  it('reports increasing fractions ending at 1 for a 1e8 reduction', async () => {
    const fractions: number[] = [];
    const value = await mean(big, { onProgress: (p: number) => fractions.push(p) });
    const seenAtResolve = fractions.length;
    await sleep(20);
    expect(value).toBe(await mean(big));
    expect(fractions.length).toBeGreaterThanOrEqual(10);
    expect(fractions.length).toBeLessThanOrEqual(101); // at most every 1%
    for (let i = 1; i < fractions.length; i++) expect(fractions[i]).toBeGreaterThan(fractions[i - 1]);
    expect(fractions[0]).toBeGreaterThan(0);
    expect(fractions.at(-1)).toBe(1);
    expect(seenAtResolve).toBe(fractions.length); // every report arrived before the Promise resolved
  }, 30_000);

  it('reports progress for an axis reduction too', async () => {
    const fractions: number[] = [];
    await variance({ data: big, rows: 10_000, cols: 10_000 }, { axis: 1, onProgress: (p: number) => fractions.push(p) });
    expect(fractions.length).toBeGreaterThanOrEqual(10);
    for (let i = 1; i < fractions.length; i++) expect(fractions[i]).toBeGreaterThan(fractions[i - 1]);
    expect(fractions.at(-1)).toBe(1);
  }, 30_000);
});

describe('concurrency', () => {
  it('100 concurrent calls all resolve to correct values', async () => {
    const calls: { run: () => Promise<number>; expected: number; rel: number }[] = [];
    for (let k = 0; k < 100; k++) {
      const n = [10, 1000, 5000, 40_000, 150_001][k % 5];
      const f64 = uniform(n, 500 + k);
      const x = k % 3 === 0 ? Float32Array.from(f64) : f64;
      const values = Float64Array.from(x);
      const options = k % 4 === 0 ? { threads: 1 } : {};
      switch (k % 5) {
        case 0:
          calls.push({ run: () => sum(x, options), expected: fsum(values), rel: 1e-14 });
          break;
        case 1:
          calls.push({ run: () => mean(x, options), expected: reference('mean', values), rel: 1e-14 });
          break;
        case 2:
          calls.push({ run: () => variance(x, { ...options, ddof: 1 }), expected: reference('variance', values, { ddof: 1 }), rel: 1e-13 });
          break;
        case 3:
          calls.push({ run: () => argmax(x, options), expected: reference('argmax', values), rel: 0 });
          break;
        default:
          calls.push({ run: () => norm(x, options), expected: reference('norm2', values), rel: 1e-14 });
      }
    }
    const results = await Promise.all(calls.map((c) => c.run()));
    results.forEach((value, k) => {
      const { expected, rel } = calls[k];
      expect(Math.abs(value - expected), `call ${k}: ${value} vs ${expected}`).toBeLessThanOrEqual(rel * Math.abs(expected));
    });
    const stats = jobStats();
    expect(stats.queued + stats.running).toBe(0);
    expect(stats.threadsInUse).toBe(0);
  }, 30_000);

  it('the event loop stays free (no gap over 50 ms) while 1e8 reductions run', async () => {
    let last = performance.now();
    let maxGap = 0;
    let ticks = 0;
    const ticker = setInterval(() => {
      const now = performance.now();
      maxGap = Math.max(maxGap, now - last);
      last = now;
      ticks++;
    }, 1);
    const t0 = performance.now();
    try {
      // One 1e8 job at a time, each using the whole thread budget.
      await variance({ data: big, rows: 10_000, cols: 10_000 }, { axis: 0 });
      await mean(big);
      await std(big);
    } finally {
      clearInterval(ticker);
    }
    const elapsed = performance.now() - t0;
    console.info(`event loop: ${ticks} ticks in ${elapsed.toFixed(1)} ms, largest gap ${maxGap.toFixed(1)} ms`);
    expect(elapsed).toBeGreaterThan(50); // the work was long enough for the measurement to mean something
    expect(ticks).toBeGreaterThan(elapsed / 20);
    expect(maxGap).toBeLessThan(50);
  }, 30_000);
});

describe('worker_threads', () => {
  const workerFile = path.join(__dirname, 'fixtures', 'reduce-worker.cjs');

  function startWorker(workerData: object): { worker: Worker; message: Promise<any> } {
    const worker = new Worker(workerFile, { workerData });
    const message = new Promise<any>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`worker exited with code ${code} before replying`)));
    });
    return { worker, message };
  }

  function pattern(n: number, offset: number): Float64Array {
    const x = new Float64Array(n);
    for (let i = 0; i < n; i++) x[i] = (i % 1000) / 8 + offset;
    return x;
  }

  it('two workers load threadml and compute at the same time as the main thread, with identical results', async () => {
    const jobs = [
      { n: 2_000_000, offset: 0 },
      { n: 3_000_000, offset: 1000 },
    ];
    const workers = jobs.map((j) => startWorker({ mode: 'compute', ...j }));
    const mainResults = await Promise.all(
      jobs.map(async ({ n, offset }) => {
        const x = pattern(n, offset);
        return {
          sum: await sum(x),
          mean: await mean(x),
          variance: await variance(x),
          argmax: await argmax(x),
          colMeans: await mean({ data: x, rows: n / 1000, cols: 1000 }, { axis: 0 }),
        };
      }),
    );
    const replies = await Promise.all(workers.map((w) => w.message));
    await Promise.all(workers.map((w) => w.worker.terminate()));
    replies.forEach((reply, k) => {
      expect(reply.error).toBeUndefined();
      const { offset, n } = jobs[k];
      const main = mainResults[k];
      expect(reply.mean).toBe(main.mean);
      expect(reply.sum).toBe(main.sum);
      expect(reply.variance).toBe(main.variance);
      expect(reply.argmax).toBe(main.argmax);
      expect(reply.colMeans).toEqual(main.colMeans);
      // Closed forms: values (i % 1000) / 8 + offset are exact binary fractions.
      expect(reply.mean).toBe(999 / 16 + offset);
      expect(reply.sum).toBe((999 / 16 + offset) * n);
      expect(reply.argmax).toBe(999);
      expect(reply.colMeans[5]).toBe(5 / 8 + offset);
      expect(reply.variance).toBeCloseTo((1000 * 1000 - 1) / 12 / 64, 9); // discrete uniform on k/8
    });
  }, 60_000);

  it('setThreads in a worker caps that worker only', async () => {
    const before = getThreads();
    const { worker, message } = startWorker({ mode: 'capped', cap: 1, n: 8_000_000, offset: 0 });
    const reply = await message;
    await worker.terminate();
    expect(reply.error).toBeUndefined();
    expect(reply.mean).toBe(999 / 16);
    expect(reply.threads).toBe(1);
    expect(reply.leased).toBeLessThanOrEqual(1); // asked for 4, capped at 1
    expect(getThreads()).toBe(before); // the process budget is untouched
  }, 60_000);

  // Run in a child process, so that a crash fails these tests instead of killing the test runner.
  function runChild(mode: string): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [path.join(__dirname, 'fixtures', 'terminate-main.cjs'), mode], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk) => (stdout += chunk));
      child.stderr.on('data', (chunk) => (stderr += chunk));
      child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    });
  }

  for (const [mode, label, exitCode] of [
    ['terminate', 'worker.terminate()', 1],
    ['exit', 'process.exit() inside the worker', 3],
  ] as const) {
    it(`ending a worker with ${label} while its job runs does not crash the process`, async () => {
      const { code, signal, stdout, stderr } = await runChild(mode);
      expect({ code, signal, stderr }).toEqual({ code: 0, signal: null, stderr: '' });
      const report = JSON.parse(stdout);
      expect(report.first).toEqual({ started: true });
      expect(report.exitCode).toBe(exitCode);
      expect(report.mean).toBe(999 / 16); // the addon still works on the main thread
      expect(report.stats).toMatchObject({ queued: 0, running: 0, threadsInUse: 0 });
    }, 60_000);
  }
});
