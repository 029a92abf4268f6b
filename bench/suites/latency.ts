// latency: what one async call costs on tiny input, and whether the event loop keeps ticking while a
// big call runs (threadml) or stalls (the plain JS loop on the main thread).
import * as threadml from '../../lib/index';
import type { FloatArray } from '../../lib/tensor';
import { knownMean, toShared, uniform } from '../data';
import {
  eventLoopGap,
  fmt,
  fmtCount,
  median,
  quantile,
  sleep,
  Table,
  timeCallsUs,
  type GapSample,
  type PeerInfo,
  type Suite,
  type SuiteOptions,
  type SuiteResult,
  type TargetCheck,
} from '../harness';
import { jsReduce, reduceOps } from '../peers/js_reduce';
import { JsWorkerPool } from '../peers/js_workers';
import { NumpyReduce } from '../peers/numpy_reduce';
import { pythonModuleVersion } from '../peers/python';

const TINY = 16;

/** Every async op of the public API, called on the tiny input. */
function tinyCalls(x: Float64Array, y: Float64Array): [string, () => Promise<unknown>][] {
  const m = threadml.matrix(x, 4, TINY / 4);
  return [
    ['sum', () => threadml.sum(x)],
    ['mean', () => threadml.mean(x)],
    ['variance', () => threadml.variance(x)],
    ['std', () => threadml.std(x)],
    ['min', () => threadml.min(x)],
    ['max', () => threadml.max(x)],
    ['argmin', () => threadml.argmin(x)],
    ['argmax', () => threadml.argmax(x)],
    ['norm', () => threadml.norm(x)],
    ['dot', () => threadml.dot(x, y)],
    ['sum axis 0 (4 x 4)', () => threadml.sum(m, { axis: 0 })],
    ['mean axis 1 (4 x 4)', () => threadml.mean(m, { axis: 1 })],
  ];
}

interface CallResult {
  name: string;
  contender: string;
  calls: number;
  minUs: number;
  medianUs: number;
  p90Us: number;
  p99Us: number;
}

interface GapResult {
  contender: string;
  samples: GapSample[];
  medianGapMs: number;
  maxGapMs: number;
  medianDurationMs: number;
}

export const latencySuite: Suite = {
  name: 'latency',
  title: `µs per async call on ${TINY} values; event-loop gap while a 1e8 mean runs`,
  async run({ quick, python, log }: SuiteOptions): Promise<SuiteResult> {
    const threads = threadml.getThreads();
    const calls = { warmup: quick ? 50 : 500, repeats: quick ? 200 : 5000 };
    const big = quick ? 1e6 : 1e8;
    const gapRepeats = quick ? 3 : 7;

    const numpyVersion = python ? pythonModuleVersion('numpy', log) : undefined;
    if (!python) log('skipped: NumPy (--no-python)');
    const pool = await JsWorkerPool.start(threads);
    const callResults: CallResult[] = [];
    const gapResults: GapResult[] = [];
    const addCall = (name: string, contender: string, samplesUs: number[]) =>
      callResults.push({
        name,
        contender,
        calls: samplesUs.length,
        minUs: Math.min(...samplesUs),
        medianUs: median(samplesUs),
        p90Us: quantile(samplesUs, 0.9),
        p99Us: quantile(samplesUs, 0.99),
      });
    let numpyPeer: PeerInfo = { name: 'NumPy', version: 'skipped', threads: '-', note: python ? 'numpy not found' : '--no-python' };

    try {
      // ---- per-call cost on tiny input
      const x = uniform(TINY, { seed: 1 });
      const y = uniform(TINY, { seed: 2 });
      const sharedX = toShared(x);
      for (const [name, call] of tinyCalls(x, y)) {
        log(`latency: ${name} x ${calls.repeats}`);
        addCall(name, 'threadml', await timeCallsUs(call, calls));
      }
      log('latency: peers on tiny input');
      addCall('mean', 'JS loop (synchronous)', await timeCallsUs(() => jsReduce('mean', x), calls));
      addCall('mean', `JS loop on ${threads} worker_threads (messages)`, await timeCallsUs(() => pool.reduce('mean', sharedX), calls));

      // ---- event-loop gap while a big mean runs
      log(`latency: generating ${fmtCount(big)} float64`);
      let data: FloatArray | undefined = knownMean(big, { seed: 42 }).data;
      let shared: FloatArray | undefined = toShared(data);
      const bigData = data;
      const bigShared = shared;
      const contenders: [string, () => unknown][] = [
        ['idle (20 ms timer)', () => sleep(20)],
        [`threadml mean (${threads} threads)`, () => threadml.mean(bigData)],
        ['JS loop mean (main thread)', () => jsReduce('mean', bigData)],
        [`JS loop mean on ${threads} worker_threads`, () => pool.reduce('mean', bigShared)],
      ];
      const samples = new Map<string, GapSample[]>(contenders.map(([name]) => [name, []]));
      for (const [, run] of contenders) await run(); // warm-up
      for (let r = 0; r < gapRepeats; r++)
        for (const [name, run] of contenders) {
          log(`latency: event-loop gap, ${name}, run ${r + 1}/${gapRepeats}`);
          (samples.get(name) as GapSample[]).push(await eventLoopGap(run));
        }
      for (const [contender, s] of samples)
        gapResults.push({
          contender,
          samples: s,
          medianGapMs: median(s.map((g) => g.gapMs)),
          maxGapMs: Math.max(...s.map((g) => g.gapMs)),
          medianDurationMs: median(s.map((g) => g.durationMs)),
        });
      data = undefined;
      shared = undefined;

      if (numpyVersion !== undefined) {
        log('latency: NumPy on tiny input');
        const numpy = new NumpyReduce();
        numpy.add({ key: 'tiny', x, ops: reduceOps, ...calls });
        const run = numpy.run(threads);
        numpyPeer = { name: 'NumPy', version: run.numpy, threads: 1, note: 'np.sum / np.mean / np.var, timed in Python' };
        for (const r of run.results) addCall(r.op === 'var' ? 'variance' : r.op, 'NumPy (synchronous, in Python)', r.samples_ms.map((ms) => ms * 1000));
      }
    } finally {
      await pool.close();
    }

    const callTable = new Table(`µs per call on ${TINY} float64 values, ${calls.repeats} calls awaited one after another`, [
      { key: 'op', title: 'op' },
      { key: 'contender', title: 'contender', align: 'left' },
      { key: 'median', title: 'median µs' },
      { key: 'p90', title: 'p90 µs' },
      { key: 'p99', title: 'p99 µs' },
    ]);
    for (const r of callResults)
      callTable.add({ op: r.name, contender: r.contender, median: fmt(r.medianUs), p90: fmt(r.p90Us), p99: fmt(r.p99Us) });

    const gapTable = new Table(`Event-loop gap while a mean of ${fmtCount(big)} float64 runs (${gapRepeats} runs each, 1 ms ticker)`, [
      { key: 'contender', title: 'contender' },
      { key: 'duration', title: 'median call ms' },
      { key: 'median', title: 'median max gap ms' },
      { key: 'max', title: 'worst gap ms' },
    ]);
    for (const g of gapResults)
      gapTable.add({ contender: g.contender, duration: fmt(g.medianDurationMs), median: fmt(g.medianGapMs), max: fmt(g.maxGapMs) });

    const ours = callResults.filter((r) => r.contender === 'threadml');
    const slowest = ours.reduce((a, b) => (b.medianUs > a.medianUs ? b : a));
    const gap = gapResults.find((g) => g.contender.startsWith('threadml')) as GapResult;
    const targets: TargetCheck[] = [
      {
        target: `every async op on ${TINY} values < 20 µs per call (median)`,
        measured: `slowest: ${slowest.name} ${fmt(slowest.medianUs)} µs; fastest: ${fmt(Math.min(...ours.map((r) => r.medianUs)))} µs`,
        met: slowest.medianUs < 20,
      },
      {
        target: `event loop never stalls: max gap < 20 ms while a ${fmtCount(big)} mean runs`,
        measured: `worst of ${gapRepeats}: ${fmt(gap.maxGapMs)} ms`,
        met: gap.maxGapMs < 20,
      },
    ];
    const peers: PeerInfo[] = [
      { name: 'JS loop', version: `Node ${process.version}`, threads: 1, note: 'synchronous: blocks the event loop' },
      { name: 'JS worker_threads', version: `Node ${process.version}`, threads, note: 'the same loop over a SharedArrayBuffer; a call is one message round trip per worker' },
      numpyPeer,
    ];
    const notes = [
      `A call's time runs from the call to the resolution of its awaited Promise (threadml: argument checks, job dispatch to the libuv pool, native threads, completion callback).`,
      'The gap ticker is a 1 ms setInterval measured with performance.now(); its own floor is about 1 ms (the idle row).',
    ];
    return { peers, tables: [callTable, gapTable], targets, notes, data: { calls: callResults, gaps: gapResults } };
  },
};
