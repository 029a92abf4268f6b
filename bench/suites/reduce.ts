// reduce: sum / mean / variance of 1e6 and 1e8 float64 and float32 values. Throughput, the fraction of
// the machine's measured memory-read bandwidth, speed ratios against the JS and NumPy peers, and the
// accuracy of each peer's mean against an exactly known mean.
import { getThreads, info, mean, sum, variance } from '../../lib/index';
import { addon } from '../../lib/native';
import type { FloatArray } from '../../lib/tensor';
import { knownMean, toShared, type DType } from '../data';
import {
  addContenderRows,
  fmt,
  fmtCount,
  fmtErr,
  fmtPct,
  fmtRatio,
  median,
  Table,
  timeInterleaved,
  timing,
  type Contender,
  type PeerInfo,
  type Suite,
  type SuiteOptions,
  type SuiteResult,
  type TargetCheck,
  type Timing,
} from '../harness';
import { jsReduce, reduceOps, type ReduceOp } from '../peers/js_reduce';
import { JsWorkerPool } from '../peers/js_workers';
import { describePools, NumpyReduce } from '../peers/numpy_reduce';
import { pythonModuleVersion } from '../peers/python';

type Impl = 'threadml' | 'threadml1' | 'stream' | 'stream1' | 'js' | 'workers' | 'numpy';

interface CaseResult {
  op: ReduceOp;
  dtype: DType;
  n: number;
  impl: Impl;
  threads: number;
  timing: Timing;
  gbps: number;
  fractionOfBandwidth: number;
  /** |computed - exact| / exact for sum and mean (streamSum: its sum); null for variance (no exact reference). */
  relErr: number | null;
  value: number;
}

const threadmlOps: Record<ReduceOp, (x: FloatArray, threads: number) => Promise<number>> = {
  sum: (x, threads) => sum(x, { threads }),
  mean: (x, threads) => mean(x, { threads }),
  var: (x, threads) => variance(x, { threads }),
};

const bytesOf = (dtype: DType): number => (dtype === 'float32' ? 4 : 8);
const caseKey = (dtype: DType, n: number): string => `${dtype}-${n}`;
const CENTER = 1000;

export const reduceSuite: Suite = {
  name: 'reduce',
  title: 'sum / mean / variance of 1e6 and 1e8 float64 and float32 values',
  async run({ quick, python, log }: SuiteOptions): Promise<SuiteResult> {
    const threads = getThreads();
    const sizes = quick ? [1e5, 1e6] : [1e6, 1e8];
    const largest = sizes[sizes.length - 1];
    const repeatsFor = (n: number) => (quick ? 3 : n >= 1e7 ? 11 : 25);
    const warmupFor = (n: number) => (n >= 1e7 ? 1 : 5);
    const labels: Record<Impl, string> = {
      threadml: `threadml (${threads} threads)`,
      threadml1: 'threadml (1 thread)',
      stream: `streamSum (native plain sum, ${threads} threads: the limit)`,
      stream1: 'streamSum (1 thread)',
      js: 'JS loop (main thread)',
      workers: `JS loop on ${threads} worker_threads`,
      numpy: 'NumPy',
    };
    const implThreads: Record<Impl, number> = { threadml: threads, threadml1: 1, stream: threads, stream1: 1, js: 1, workers: threads, numpy: 1 };

    const numpyVersion = python ? pythonModuleVersion('numpy', log) : undefined;
    if (!python) log('skipped: NumPy (--no-python)');
    const numpy = numpyVersion === undefined ? undefined : new NumpyReduce();
    const pool = await JsWorkerPool.start(threads);
    const results: CaseResult[] = [];
    let numpyPeer: PeerInfo | undefined;
    const cases = new Map<string, { n: number; dtype: DType }>();
    const record = (op: ReduceOp, dtype: DType, n: number, impl: Impl, t: Timing, value: number) => {
      // streamSum always returns the plain sum; variance has no exact reference.
      const exact = op === 'sum' || impl === 'stream' || impl === 'stream1' ? n * CENTER : op === 'mean' ? CENTER : NaN;
      results.push({
        op,
        dtype,
        n,
        impl,
        threads: implThreads[impl],
        timing: t,
        gbps: (n * bytesOf(dtype)) / (t.medianMs * 1e6),
        fractionOfBandwidth: NaN,
        relErr: Number.isNaN(exact) ? null : Math.abs(value - exact) / exact,
        value,
      });
    };

    try {
      for (const n of sizes) {
        for (const dtype of ['float64', 'float32'] as const) {
          log(`reduce: generating ${fmtCount(n)} ${dtype} (exact mean ${CENTER})`);
          let x: FloatArray | undefined = knownMean(n, { dtype, center: CENTER, seed: 42 }).data;
          // threadml does not accept SharedArrayBuffer-backed arrays yet: the workers read their own copy.
          let shared: FloatArray | undefined = toShared(x);
          cases.set(caseKey(dtype, n), { n, dtype });
          const repeats = repeatsFor(n);
          const warmup = warmupFor(n);
          numpy?.add({ key: caseKey(dtype, n), x, ops: reduceOps, warmup, repeats });
          for (const op of reduceOps) {
            log(`reduce: ${op} ${fmtCount(n)} ${dtype}, ${repeats} repeats`);
            const data = x;
            const sharedData = shared;
            const contenders: Contender<Impl>[] = [
              { key: 'threadml', run: () => threadmlOps[op](data, threads) },
              { key: 'threadml1', run: () => threadmlOps[op](data, 1) },
              { key: 'js', run: () => jsReduce(op, data) },
              { key: 'workers', run: () => pool.reduce(op, sharedData) },
            ];
            if (data instanceof Float64Array)
              contenders.push(
                { key: 'stream', run: () => addon.streamSum(data, { threads }) },
                { key: 'stream1', run: () => addon.streamSum(data, { threads: 1 }) },
              );
            const timings = await timeInterleaved(contenders, { warmup, repeats });
            for (const c of contenders) {
              const value = Number(await c.run());
              record(op, dtype, n, c.key, timings.get(c.key) as Timing, value);
            }
          }
          x = undefined;
          shared = undefined;
        }
      }
      if (numpy !== undefined) {
        log('reduce: NumPy peer');
        const run = numpy.run(threads);
        numpyPeer = { name: 'NumPy', version: run.numpy, threads: 1, note: `reductions are single-threaded; BLAS pools: ${describePools(run)}` };
        for (const r of run.results) {
          const { n, dtype } = cases.get(r.key) as { n: number; dtype: DType };
          record(r.op, dtype, n, 'numpy', timing(r.samples_ms), r.value);
        }
      }
    } finally {
      await pool.close();
      numpy?.dispose();
    }

    // The physical limit: the plain native sum over the largest float64 array, all its samples.
    const streamSamples = results
      .filter((r) => r.impl === 'stream' && r.n === largest)
      .flatMap((r) => r.timing.samplesMs);
    const bandwidth = (largest * 8) / (median(streamSamples) * 1e6);
    for (const r of results) r.fractionOfBandwidth = r.gbps / bandwidth;

    const find = (op: ReduceOp, dtype: DType, n: number, impl: Impl) =>
      results.find((r) => r.op === op && r.dtype === dtype && r.n === n && r.impl === impl);
    const speedup = (r: CaseResult, impl: Impl): number => {
      const peer = find(r.op, r.dtype, r.n, impl);
      return peer === undefined ? NaN : peer.timing.medianMs / r.timing.medianMs;
    };

    const headline = new Table(`threadml (${threads} threads) against its peers: median GB/s and how many times faster threadml is`, [
      { key: 'case', title: 'case' },
      { key: 'ms', title: 'median ms' },
      { key: 'gbps', title: 'GB/s' },
      { key: 'bw', title: 'of bandwidth' },
      { key: 'one', title: 'vs 1 thread' },
      { key: 'js', title: 'vs JS loop' },
      { key: 'workers', title: `vs ${threads} JS workers` },
      { key: 'numpy', title: 'vs NumPy' },
    ]);
    const detail = new Table('Every contender: median time, throughput, and the mean\'s relative error against the exact mean', [
      { key: 'case', title: 'case' },
      { key: 'impl', title: 'contender', align: 'left' },
      { key: 'ms', title: 'median ms' },
      { key: 'spread', title: 'min..max ms' },
      { key: 'gbps', title: 'GB/s' },
      { key: 'bw', title: 'of bandwidth' },
      { key: 'ratio', title: 'threadml is' },
      { key: 'err', title: 'mean rel. error' },
    ]);
    const implOrder: Impl[] = ['threadml', 'threadml1', 'stream', 'stream1', 'js', 'workers', 'numpy'];
    for (const n of sizes)
      for (const dtype of ['float64', 'float32'] as const)
        for (const op of reduceOps) {
          const label = `${op} ${fmtCount(n)} ${dtype}`;
          const ours = find(op, dtype, n, 'threadml') as CaseResult;
          headline.add({
            case: label,
            ms: fmt(ours.timing.medianMs),
            gbps: fmt(ours.gbps),
            bw: fmtPct(ours.fractionOfBandwidth),
            one: fmtRatio(speedup(ours, 'threadml1')),
            js: fmtRatio(speedup(ours, 'js')),
            workers: fmtRatio(speedup(ours, 'workers')),
            numpy: fmtRatio(speedup(ours, 'numpy')),
          });
          addContenderRows(
            detail,
            label,
            implOrder.map((impl) => ({ name: labels[impl], result: find(op, dtype, n, impl) })),
            ours,
            (r) => ({ gbps: fmt(r.gbps), bw: fmtPct(r.fractionOfBandwidth), err: op === 'mean' ? fmtErr(r.relErr as number) : '' }),
          );
        }

    const mean64 = find('mean', 'float64', largest, 'threadml') as CaseResult;
    const targets: TargetCheck[] = [
      {
        target: `mean of ${fmtCount(largest)} float64 at >= 85% of the measured memory-read bandwidth`,
        measured: `${fmt(mean64.gbps)} GB/s = ${fmtPct(mean64.fractionOfBandwidth)} of ${fmt(bandwidth)} GB/s`,
        met: mean64.fractionOfBandwidth >= 0.85,
      },
      {
        target: `mean of ${fmtCount(largest)} float64 >= 2.5x a plain JS loop`,
        measured: fmtRatio(speedup(mean64, 'js')),
        met: speedup(mean64, 'js') >= 2.5,
      },
    ];

    const peers: PeerInfo[] = [
      { name: 'streamSum (threadml addon)', version: info().version, threads, note: 'plain uncompensated native sum: the measured memory-read bandwidth' },
      { name: 'JS loop', version: `Node ${process.version}`, threads: 1, note: 'one accumulator; variance in two passes' },
      { name: 'JS worker_threads', version: `Node ${process.version}`, threads, note: 'the same loop over slices of a SharedArrayBuffer; workers started once, outside the timing' },
      numpyPeer ?? { name: 'NumPy', version: 'skipped', threads: '-', note: python ? 'numpy not found' : '--no-python' },
    ];

    const notes = [
      `Data: seeded (42) values uniform over (0, ${2 * CENTER}) in shuffled pairs ${CENTER} ± d, so the exact mean is ${CENTER} and the exact sum n x ${CENTER}; float32 data is generated separately on float32's grid.`,
      `Memory-read bandwidth (the limit): median of ${streamSamples.length} runs of the native plain sum on ${fmtCount(largest)} float64 (${fmt((largest * 8) / 1e9)} GB), all threads: ${fmt(bandwidth)} GB/s. Each case's GB/s is input bytes / median time, counting one pass even when a peer reads the data twice (JS variance) or more (NumPy variance builds a temporary array).`,
      'streamSum (1 thread) shows what one core can read; when threadml (1 thread) is well below it on data that is already in cache as well as on data from DRAM, the compensated kernel, not memory, sets the pace.',
      `Repeats: ${repeatsFor(largest)} per contender for ${fmtCount(largest)}, ${repeatsFor(sizes[0])} for ${fmtCount(sizes[0])}, run round-robin (every contender once, then again) after ${warmupFor(largest)}/${warmupFor(sizes[0])} warm-up runs; NumPy times itself with time.perf_counter in a child process on the same values read from a temporary file.`,
      `${fmtCount(sizes[0])} values (${fmt((sizes[0] * 8) / 1e6)} MB) stay in cache, so "of bandwidth" can exceed 100% there; the threadml and worker times include the per-call cost (job dispatch or messages).`,
      'threadml rejects typed arrays on a SharedArrayBuffer ("Invalid argument" from N-API on Node 20), so the workers peer reads its own SharedArrayBuffer copy of the same values.',
    ];
    const one = find('mean', 'float64', largest, 'threadml1');
    const oneStream = find('mean', 'float64', largest, 'stream1');
    if (one !== undefined && oneStream !== undefined && one.gbps < 0.8 * oneStream.gbps)
      notes.push(
        `On one thread threadml's mean of ${fmtCount(largest)} float64 reads ${fmt(one.gbps)} GB/s where the plain native sum reads ${fmt(oneStream.gbps)} GB/s: ` +
          'the kernel, not memory, limits threadml, so its fraction of bandwidth falls on a machine (or a moment) with faster memory.',
      );
    return { peers, tables: [headline, detail], targets, notes, data: { bandwidthGBps: bandwidth, streamSamplesMs: streamSamples, cases: results } };
  },
};
