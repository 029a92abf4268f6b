// Results are bit-identical for any thread count; the thread budget, info() and the job counters.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { argmax, argmin, getThreads, info, jobStats, max, mean, min, norm, setThreads, std, sum, variance } from 'threadml';
import { fsum, mulberry32, uniform } from './helpers';

type Out = number | Float64Array | Float32Array | Int32Array;

/** Every reduction variant, as a function of (input, extra options). */
const variants: [string, (x: any, o: any) => Promise<Out>][] = [
  ['sum', (x, o) => sum(x, o)],
  ['nansum', (x, o) => sum(x, { ...o, skipNaN: true })],
  ['mean', (x, o) => mean(x, o)],
  ['nanmean', (x, o) => mean(x, { ...o, skipNaN: true })],
  ['variance', (x, o) => variance(x, o)],
  ['variance ddof 1', (x, o) => variance(x, { ...o, ddof: 1 })],
  ['nanvar', (x, o) => variance(x, { ...o, skipNaN: true })],
  ['std', (x, o) => std(x, o)],
  ['min', (x, o) => min(x, o)],
  ['max', (x, o) => max(x, o)],
  ['argmin', (x, o) => argmin(x, o)],
  ['argmax', (x, o) => argmax(x, o)],
  ['nanargmax', (x, o) => argmax(x, { ...o, skipNaN: true })],
  ['norm 1', (x, o) => norm(x, { ...o, ord: 1 })],
  ['norm 2', (x, o) => norm(x, { ...o, ord: 2 })],
  ['norm inf', (x, o) => norm(x, { ...o, ord: Infinity })],
];

/** Exact identity: Object.is for numbers, byte equality for typed arrays. */
function expectIdentical(actual: Out, expected: Out, label: string): void {
  if (typeof expected === 'number') {
    expect(Object.is(actual, expected), `${label}: ${actual} vs ${expected}`).toBe(true);
    return;
  }
  expect(actual, label).toBeInstanceOf(expected.constructor);
  const a = actual as Exclude<Out, number>;
  expect(a.length, label).toBe(expected.length);
  const same = Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(
    Buffer.from(expected.buffer, expected.byteOffset, expected.byteLength),
  );
  expect(same, `${label}: results differ between thread counts`).toBe(true);
}

const defaultBudget = getThreads();

beforeAll(() => {
  // Let a single call really use 3 or 4 threads (the default budget is the machine's CPU count).
  setThreads(4);
});
afterAll(() => {
  setThreads(defaultBudget);
});

/** Polls jobStats() on every turn of the event loop until `promise` settles. */
async function watch<T>(promise: Promise<T>): Promise<{ value: T; maxThreadsInUse: number; maxActive: number; polls: number }> {
  let settled = false;
  let maxThreadsInUse = 0;
  let maxActive = 0;
  let polls = 0;
  const poll = () => {
    const s = jobStats();
    maxThreadsInUse = Math.max(maxThreadsInUse, s.threadsInUse);
    maxActive = Math.max(maxActive, s.queued + s.running);
    polls++;
    if (!settled) setImmediate(poll);
  };
  poll();
  try {
    const value = await promise;
    return { value, maxThreadsInUse, maxActive, polls };
  } finally {
    settled = true;
  }
}

describe('bit-identical results for threads 1, 2, 3, 4 and the default', () => {
  const n = 10_000_019; // 1e7 and not a multiple of 16 or 4096
  const big = uniform(n, 2024);
  const bigNaN = big.slice();
  const rand = mulberry32(5);
  for (let k = 0; k < 50; k++) bigNaN[Math.floor(rand() * n)] = NaN;
  const inputs: [string, Float64Array | Float32Array][] = [
    ['float64 n=1e7+19', big],
    ['float32 n=1e7+19', Float32Array.from(big)],
    ['float64 n=1e7+19 with NaNs', bigNaN],
    ['float64 n=300001', big.subarray(0, 300001)],
    ['float64 n=64*4096+1', big.subarray(1, 1 + 64 * 4096 + 1)],
  ];

  it('the 1e7 sum is also right (against a correctly rounded sum)', async () => {
    const exact = fsum(big);
    for (const threads of [1, 4]) expect(Math.abs((await sum(big, { threads })) - exact)).toBeLessThanOrEqual(Math.abs(exact) * 1e-15);
  });

  for (const [label, x] of inputs) {
    it(`every op on ${label}`, async () => {
      for (const [name, f] of variants) {
        const reference = await f(x, { threads: 1 });
        for (const threads of [2, 3, 4]) expectIdentical(await f(x, { threads }), reference, `${name} threads ${threads}`);
        expectIdentical(await f(x, {}), reference, `${name} default threads`);
      }
    });
  }

  it('dot on 1e7 elements, float64 and float32', async () => {
    const { dot } = await import('threadml');
    const y = uniform(n, 99);
    for (const [a, b] of [
      [big, y],
      [Float32Array.from(big), Float32Array.from(y)],
    ] as const) {
      const reference = await dot(a, b, { threads: 1 });
      for (const threads of [2, 3, 4]) expectIdentical(await dot(a, b, { threads }), reference, `dot threads ${threads}`);
    }
  });

  for (const [rows, cols] of [
    [2000, 5000],
    [100000, 7],
    [7, 100000],
  ] as const) {
    for (const axis of [0, 1] as const) {
      it(`axis ${axis} reductions of a ${rows}x${cols} matrix (float64 and float32)`, async () => {
        const data = bigNaN.subarray(0, rows * cols);
        for (const m of [
          { data, rows, cols },
          { data: Float32Array.from(data), rows, cols },
        ]) {
          for (const [name, f] of variants) {
            if (name === 'nanargmax') continue; // covered below without all-NaN risk
            const reference = await f(m, { axis, threads: 1 });
            for (const threads of [2, 3, 4]) expectIdentical(await f(m, { axis, threads }), reference, `${name} axis ${axis} threads ${threads}`);
          }
          const ref = await argmax(m, { axis, skipNaN: true, threads: 1 });
          expectIdentical(await argmax(m, { axis, skipNaN: true, threads: 4 }), ref, 'nanargmax');
        }
      });
    }
  }
});

describe('thread budget', () => {
  it('defaults to the CPUs this process may use (os.availableParallelism())', () => {
    expect(defaultBudget).toBe(os.availableParallelism());
  });

  it('setThreads / getThreads round trip, reflected in info().threads', () => {
    for (const t of [1, 3, 2, 4]) {
      setThreads(t);
      expect(getThreads()).toBe(t);
      expect(info().threads).toBe(t);
    }
  });

  it('setThreads validates synchronously and keeps the old budget on error', () => {
    setThreads(3);
    expect(() => setThreads(0)).toThrow(RangeError);
    expect(() => setThreads(0)).toThrow(/^Expected an integer from 1 to 4096 for threads but received 0$/);
    expect(() => setThreads(4097)).toThrow(RangeError);
    expect(() => setThreads(1.5)).toThrow(TypeError);
    expect(() => setThreads(1.5)).toThrow(/^Expected an integer for threads but received 1\.5$/);
    expect(() => setThreads('2' as any)).toThrow(TypeError);
    expect(() => setThreads(NaN)).toThrow(TypeError);
    expect(getThreads()).toBe(3);
    setThreads(4);
  });

  it('a call uses the threads it asks for, capped by the budget', async () => {
    const m = { data: uniform(2000 * 5000, 8), rows: 2000, cols: 5000 };
    setThreads(4);
    const three = await watch(variance(m, { axis: 0, threads: 3 }));
    expect(three.polls).toBeGreaterThan(1);
    expect(three.maxThreadsInUse).toBe(3);
    const one = await watch(variance(m, { axis: 0, threads: 1 }));
    expect(one.maxThreadsInUse).toBe(1);
    setThreads(2);
    const capped = await watch(variance(m, { axis: 0, threads: 4 }));
    expect(capped.maxThreadsInUse).toBe(2);
    setThreads(4);
    expect(jobStats().threadsInUse).toBe(0);
  });
});

describe('info()', () => {
  const pkg = JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', 'package.json'), 'utf8'));

  it('reports version, BLAS, SIMD level, thread budget and pool threads', async () => {
    const i = info();
    expect(i.version).toBe(pkg.version);
    expect(createRequire(__filename)('threadml/package.json').version).toBe(i.version);
    expect(i.blas.name).toBe('OpenBLAS');
    expect(i.blas.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(i.blas.config).toContain(i.blas.version);
    expect(typeof i.blas.core).toBe('string');
    expect(i.blas.core.length).toBeGreaterThan(0);
    expect(Number.isInteger(i.blas.threads) && i.blas.threads >= 1).toBe(true);
    expect(['baseline', 'avx2', 'avx512']).toContain(i.simd);
    expect(i.threads).toBe(getThreads());
    expect(i.hardwareThreads).toBeGreaterThanOrEqual(1);
    // A two-thread reduction runs on the calling thread plus one helper.
    await mean(new Float64Array(1 << 22).fill(1), { threads: 2 });
    expect(info().poolThreads).toBeGreaterThanOrEqual(getThreads() >= 2 ? 1 : 0);
  });

  it('THREADML_HELPER_SPIN_US sets how long idle helpers spin; a value it cannot use keeps 2000 us, with a warning', () => {
    const { THREADML_HELPER_SPIN_US: _, ...inherited } = process.env;
    const run = (value?: string) => {
      const env = value === undefined ? inherited : { ...inherited, THREADML_HELPER_SPIN_US: value };
      const child = spawnSync(process.execPath, [path.join(__dirname, 'fixtures', 'helper-spin.cjs')], { env, encoding: 'utf8' });
      expect(child.status, child.stderr).toBe(0);
      return { ...(JSON.parse(child.stdout) as { mean: number; spinUs: number }), warned: child.stderr.includes('THREADML_HELPER_SPIN_US: expected') };
    };
    expect(run()).toEqual({ mean: 1, spinUs: 2000, warned: false });
    for (const value of ['0', '50000', '1000000']) expect(run(value)).toEqual({ mean: 1, spinUs: Number(value), warned: false });
    for (const value of ['-1', '1000001', '12ms', ' 5', '1e3', '00000001'])
      expect(run(value), value).toEqual({ mean: 1, spinUs: 2000, warned: true });
  });

  it.runIf(process.platform === 'linux' && process.arch === 'x64')('the SIMD level is one this CPU supports', () => {
    const flags = new Set(
      (fs.readFileSync('/proc/cpuinfo', 'utf8').match(/^flags\s*:(.*)$/m)?.[1] ?? '').trim().split(/\s+/),
    );
    const simd = info().simd;
    if (simd === 'avx2' || simd === 'avx512') expect(flags.has('avx2')).toBe(true);
    if (simd === 'avx512') expect(flags.has('avx512f')).toBe(true);
    if (!flags.has('avx2')) expect(simd).toBe('baseline');
  });
});

describe('jobStats()', () => {
  it('is idle between calls and counts every completed native job', async () => {
    const idle = jobStats();
    expect(idle.queued).toBe(0);
    expect(idle.running).toBe(0);
    expect(idle.threadsInUse).toBe(0);
    const before = idle.completed;
    await sum([1, 2, 3]); // small: runs inline
    await mean(uniform(100000, 1)); // large: runs on the thread pool
    await argmin({ data: uniform(50000, 2), rows: 500, cols: 100 }, { axis: 1 });
    expect(jobStats().completed - before).toBe(3);
    // Rejected before reaching native code: not a job.
    await sum([1], { threads: 0 }).catch(() => undefined);
    expect(jobStats().completed - before).toBe(3);
  });

  it('shows a running job while it runs', async () => {
    const m = { data: uniform(2000 * 5000, 9), rows: 2000, cols: 5000 };
    const watched = await watch(std(m, { axis: 0, threads: 1 }));
    expect(watched.maxActive).toBeGreaterThanOrEqual(1);
    const after = jobStats();
    expect(after.queued + after.running).toBe(0);
  });
});
