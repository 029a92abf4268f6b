// preprocess: StandardScaler and MinMaxScaler (fit, transform, fitTransform) on 1e6 x 100 float64,
// against scikit-learn on the same values. Seconds, throughput against the machine's measured
// memory-read bandwidth, and how closely the fitted statistics and outputs agree with scikit-learn's.
import { getThreads, MinMaxScaler, StandardScaler } from '../../lib/index';
import { addon } from '../../lib/native';
import type { Matrix } from '../../lib/tensor';
import { normal } from '../data';
import {
  fmt,
  fmtCount,
  fmtErr,
  fmtPct,
  fmtRatio,
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
import { pythonModuleVersion } from '../peers/python';
import { SklearnPreprocess, type SklearnOp, type SklearnPreprocessResult, type SklearnScaler } from '../peers/sklearn_preprocess';

type ScalerName = 'StandardScaler' | 'MinMaxScaler';
type Op = 'fit' | 'transform' | 'fitTransform';
type Impl = 'threadml' | 'threadml1' | 'sklearn';

const scalers: readonly ScalerName[] = ['StandardScaler', 'MinMaxScaler'];
const ops: readonly Op[] = ['fit', 'transform', 'fitTransform'];
const sklearnName: Record<ScalerName, SklearnScaler> = { StandardScaler: 'standard', MinMaxScaler: 'minmax' };
const sklearnOp: Record<Op, SklearnOp> = { fit: 'fit', transform: 'transform', fitTransform: 'fit_transform' };
const COLS = 100;

interface CaseResult {
  scaler: ScalerName;
  op: Op;
  impl: Impl;
  threads: number;
  timing: Timing;
  gbps: number;
  fractionOfBandwidth: number;
}

/** Columns with different centres and spreads (column j: normal with mean 3j - 50 and std j + 1). */
function scalerData(rows: number): Matrix<Float64Array> {
  const data = normal(rows * COLS, { seed: 42 });
  for (let i = 0; i < rows; i++) for (let j = 0; j < COLS; j++) data[i * COLS + j] = data[i * COLS + j] * (j + 1) + 3 * j - 50;
  return { data, rows, cols: COLS };
}

function makeScaler(name: ScalerName): StandardScaler | MinMaxScaler {
  return name === 'StandardScaler' ? new StandardScaler() : new MinMaxScaler();
}

/** Largest |a - b| / max(|b|, 1e-300) over two equally long lists. */
function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / Math.max(Math.abs(b[i]), 1e-300));
  return worst;
}

/** Float64 column sums and the first row of a transformed matrix, as the Python peer reports them. */
function checksum(m: Matrix): { sums: Float64Array; first: Float64Array } {
  const sums = new Float64Array(m.cols);
  for (let i = 0; i < m.rows; i++) for (let j = 0; j < m.cols; j++) sums[j] += m.data[i * m.cols + j];
  return { sums, first: Float64Array.from(m.data.subarray(0, m.cols)) };
}

export const preprocessSuite: Suite = {
  name: 'preprocess',
  title: 'StandardScaler and MinMaxScaler on 1e6 x 100 float64, against scikit-learn',
  async run({ quick, python, log }: SuiteOptions): Promise<SuiteResult> {
    const threads = getThreads();
    const rows = quick ? 1e5 : 1e6;
    const repeats = quick ? 3 : 7;
    const sklearnRepeats = quick ? 2 : 5;
    const warmup = 1;
    const bytes = rows * COLS * 8;
    log(`preprocess: generating ${fmtCount(rows)} x ${COLS} float64`);
    const X = scalerData(rows);

    const results: CaseResult[] = [];
    const record = (scaler: ScalerName, op: Op, impl: Impl, t: Timing) =>
      results.push({ scaler, op, impl, threads: impl === 'threadml' ? threads : 1, timing: t, gbps: bytes / (t.medianMs * 1e6), fractionOfBandwidth: NaN });

    // The physical limit: the native plain sum over the same values, all threads.
    const stream = await timeInterleaved([{ key: 'stream', run: () => addon.streamSum(X.data, { threads }) }], { warmup: 2, repeats: 11 });
    const bandwidth = bytes / ((stream.get('stream') as Timing).medianMs * 1e6);

    const ours = new Map<ScalerName, { statistics: Record<string, Float64Array>; sums: Float64Array; first: Float64Array }>();
    for (const name of scalers) {
      log(`preprocess: ${name} fit / transform / fitTransform, ${repeats} repeats on ${threads} and 1 thread`);
      const fitted = { threadml: await makeScaler(name).fit(X), threadml1: await makeScaler(name).fit(X) };
      const contenders: Contender<`${Op} ${'threadml' | 'threadml1'}`>[] = [];
      for (const impl of ['threadml', 'threadml1'] as const) {
        const t = impl === 'threadml' ? threads : 1;
        contenders.push(
          { key: `fit ${impl}`, run: () => makeScaler(name).fit(X, { threads: t }) },
          { key: `transform ${impl}`, run: () => fitted[impl].transform(X, { threads: t }) },
          { key: `fitTransform ${impl}`, run: () => makeScaler(name).fitTransform(X, { threads: t }) },
        );
      }
      const timings = await timeInterleaved(contenders, { warmup, repeats });
      for (const op of ops) for (const impl of ['threadml', 'threadml1'] as const) record(name, op, impl, timings.get(`${op} ${impl}`) as Timing);
      const scaler = fitted.threadml;
      const out = await scaler.transform(X);
      const statistics: Record<string, Float64Array> =
        scaler instanceof StandardScaler
          ? { mean: scaler.mean, scale: scaler.scale as Float64Array }
          : { data_min: scaler.dataMin, data_max: scaler.dataMax };
      ours.set(name, { statistics, ...checksum(out) });
    }

    let sklearnPeer: PeerInfo | undefined;
    const sklearnResults: SklearnPreprocessResult[] = [];
    const sklearnVersion = python ? pythonModuleVersion('sklearn', log) : undefined;
    if (!python) log('skipped: scikit-learn (--no-python)');
    if (sklearnVersion !== undefined) {
      log(`preprocess: scikit-learn ${sklearnVersion}, ${sklearnRepeats} repeats`);
      const peer = new SklearnPreprocess();
      try {
        peer.add('X', X, scalers.map((s) => sklearnName[s]), warmup, sklearnRepeats);
        const run = peer.run(threads);
        const pools = run.threadpools === null ? 'threadpoolctl not installed' : run.threadpools.map((p) => `${p.internal_api} ${p.version} x${p.num_threads}`).join(', ');
        sklearnPeer = { name: 'scikit-learn', version: `${run.sklearn} (NumPy ${run.numpy})`, threads: 1, note: `NumPy ufuncs and reductions run on one thread; BLAS pools: ${pools}` };
        sklearnResults.push(...run.results);
        for (const name of scalers)
          for (const op of ops) {
            const r = run.results.find((x) => x.scaler === sklearnName[name] && x.op === sklearnOp[op]) as SklearnPreprocessResult;
            record(name, op, 'sklearn', timing(r.samples_ms));
          }
      } finally {
        peer.dispose();
      }
    }
    for (const r of results) r.fractionOfBandwidth = r.gbps / bandwidth;

    const find = (scaler: ScalerName, op: Op, impl: Impl) => results.find((r) => r.scaler === scaler && r.op === op && r.impl === impl);
    const ratio = (r: CaseResult, impl: Impl) => {
      const peer = find(r.scaler, r.op, impl);
      return peer === undefined ? NaN : peer.timing.medianMs / r.timing.medianMs;
    };
    const headline = new Table(`${fmtCount(rows)} x ${COLS} float64: median seconds, input GB/s, and how many times faster threadml (${threads} threads) is`, [
      { key: 'case', title: 'case' },
      { key: 's', title: 'threadml s' },
      { key: 'gbps', title: 'GB/s' },
      { key: 'bw', title: 'of bandwidth' },
      { key: 'one', title: '1 thread s' },
      { key: 'vsOne', title: 'vs 1 thread' },
      { key: 'sk', title: 'scikit-learn s' },
      { key: 'vsSk', title: 'vs scikit-learn' },
    ]);
    for (const name of scalers)
      for (const op of ops) {
        const r = find(name, op, 'threadml') as CaseResult;
        const one = find(name, op, 'threadml1') as CaseResult;
        const sk = find(name, op, 'sklearn');
        headline.add({
          case: `${name}.${op}`,
          s: fmt(r.timing.medianMs / 1000),
          gbps: fmt(r.gbps),
          bw: fmtPct(r.fractionOfBandwidth),
          one: fmt(one.timing.medianMs / 1000),
          vsOne: fmtRatio(ratio(r, 'threadml1')),
          sk: sk === undefined ? '-' : fmt(sk.timing.medianMs / 1000),
          vsSk: fmtRatio(ratio(r, 'sklearn')),
        });
      }

    const agreement = new Table('Agreement with scikit-learn: largest relative difference', [
      { key: 'scaler', title: 'scaler' },
      { key: 'stats', title: 'fitted statistics' },
      { key: 'sums', title: 'output column sums' },
      { key: 'first', title: 'output first row' },
    ]);
    const agreementData: Record<string, { statistics: number; columnSums: number; firstRow: number }> = {};
    for (const name of scalers) {
      const sk = sklearnResults.find((r) => r.scaler === sklearnName[name] && r.op === 'fit_transform');
      if (sk === undefined) continue;
      const mine = ours.get(name) as { statistics: Record<string, Float64Array>; sums: Float64Array; first: Float64Array };
      const stats = Math.max(...Object.entries(mine.statistics).map(([key, v]) => maxRelDiff(v, sk.statistics[key])));
      // Column sums of standardized data are ~0: compare them on the scale of the column's n values.
      const sums = maxRelDiff(mine.sums.map((s) => s / rows + 1), sk.column_sums.map((s) => s / rows + 1));
      const first = maxRelDiff(mine.first, sk.first_row);
      agreementData[name] = { statistics: stats, columnSums: sums, firstRow: first };
      agreement.add({ scaler: name, stats: fmtErr(stats), sums: fmtErr(sums), first: fmtErr(first) });
    }

    const targets: TargetCheck[] = [];
    for (const name of scalers) {
      const r = find(name, 'fitTransform', 'threadml') as CaseResult;
      const vs = ratio(r, 'sklearn');
      targets.push({
        target: `${name}.fitTransform on ${fmtCount(rows)} x ${COLS} float64 faster than scikit-learn's`,
        measured: Number.isNaN(vs) ? 'scikit-learn not run' : `${fmt(r.timing.medianMs / 1000)} s vs ${fmt((find(name, 'fitTransform', 'sklearn') as CaseResult).timing.medianMs / 1000)} s: ${fmtRatio(vs)}`,
        met: vs > 1,
      });
    }

    const peers: PeerInfo[] = [
      { name: 'streamSum (threadml addon)', version: 'native', threads, note: 'plain native sum over the same matrix: the measured memory-read bandwidth' },
      sklearnPeer ?? { name: 'scikit-learn', version: 'skipped', threads: '-', note: python ? 'sklearn not found' : '--no-python' },
    ];
    const notes = [
      `Data: ${fmtCount(rows)} x ${COLS} float64 (${fmt(bytes / 1e9)} GB), seeded (42) normal values; column j has mean 3j - 50 and standard deviation j + 1. scikit-learn reads the same values from a temporary file.`,
      `GB/s is the input's bytes over the median time. A fit reads the matrix twice (StandardScaler: mean, then squared deviations, compensated; MinMaxScaler: min, then max), transform reads it once and writes a new matrix, fitTransform does both; the memory-read bandwidth (native plain sum, ${threads} threads) is ${fmt(bandwidth)} GB/s.`,
      `Repeats: threadml ${repeats} per contender after ${warmup} warm-up, round-robin over fit / transform / fitTransform on ${threads} and on 1 thread; scikit-learn ${sklearnRepeats} (round-robin over its three calls, timed with time.perf_counter in a child process). Every call allocates its output, as scikit-learn's copy=True does.`,
      'Agreement: relative differences of the fitted statistics (StandardScaler mean and scale, MinMaxScaler data_min and data_max), of the output column sums divided by n (offset by 1, as standardized columns sum to ~0), and of the first output row. threadml sums with compensation, so differences are scikit-learn\'s rounding as much as ours.',
    ];
    return {
      peers,
      tables: [headline, agreement],
      targets,
      notes,
      data: { rows, cols: COLS, bandwidthGBps: bandwidth, cases: results, agreement: agreementData },
    };
  },
};
