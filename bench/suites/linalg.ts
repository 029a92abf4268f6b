// linalg: square GEMM n = 64…4096 and GEMV in float64 and float32. GFLOP/s, the fraction of the
// CPU's FMA peak, and speed against OpenBLAS called from C++ with its own threads, NumPy, ml-matrix
// and TensorFlow.js (cpu and wasm backends); the cost of a tiny call; the 1-vs-2-thread crossover.
import { axpy, gemv, getThreads, info, matmul, matmulBatched, matrix, matrixBatch, transpose } from '../../lib/index';
import { uniform, type DType } from '../data';
import {
  addContenderRows,
  fmt,
  fmtPct,
  fmtRatio,
  median,
  quantile,
  Table,
  timeCallsUs,
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
import { loadMlMatrix, TfPeer, toMlMatrix } from '../peers/js_linalg';
import { describePools } from '../peers/numpy_reduce';
import { OpenblasPeer } from '../peers/openblas_peer';
import { pythonModuleVersion, runPythonPeer } from '../peers/python';

type Impl = 'threadml' | 'threadml1' | 'openblas' | 'numpy' | 'mlmatrix' | 'tfcpu' | 'tfwasm';
const implOrder: Impl[] = ['threadml', 'threadml1', 'openblas', 'numpy', 'mlmatrix', 'tfcpu', 'tfwasm'];

interface CaseResult {
  op: 'gemm' | 'gemv' | 'gemvT';
  dtype: DType;
  n: number;
  impl: Impl;
  timing: Timing;
  gflops: number;
}

interface NumpyLinalgRun {
  numpy: string;
  threadpools: { internal_api: string; version: string; num_threads: number; architecture?: string }[] | null;
  results: { key: string; samples_ms: number[] }[];
}

const dtypes: DType[] = ['float64', 'float32'];
const flopsOf = (op: CaseResult['op'], n: number) => (op === 'gemm' ? 2 * n ** 3 : 2 * n * n);
const bytesOf = (dtype: DType) => (dtype === 'float32' ? 4 : 8);
const ML_MATRIX_MAX = 512;
const TF_CPU_MAX = 512;
const TF_WASM_MAX = 2048;

export const linalgSuite: Suite = {
  name: 'linalg',
  title: 'GEMM n = 64…4096 and GEMV, float64 and float32: GFLOP/s against OpenBLAS from C++, NumPy, ml-matrix, tfjs',
  async run({ quick, python, log }: SuiteOptions): Promise<SuiteResult> {
    const threads = getThreads();
    const sizes = quick ? [64, 256] : [64, 128, 256, 512, 1024, 2048, 4096];
    const gemvSizes = quick ? [512] : [1024, 4096];
    const repeatsFor = (n: number) => (quick ? 3 : n <= 256 ? 31 : n <= 512 ? 15 : n <= 1024 ? 9 : n <= 2048 ? 5 : 3);
    // About 50 ms of warm-up runs (threads, buffers and the clock start cold), at least one.
    const warmupFor = (n: number) => Math.max(1, Math.min(1000, Math.round(5e9 / flopsOf('gemm', n))));
    const mlRepeats = quick ? 1 : 3;

    const openblas = OpenblasPeer.build(log);
    const numpyVersion = python ? pythonModuleVersion('numpy', log) : undefined;
    if (!python) log('skipped: NumPy (--no-python)');
    const ml = loadMlMatrix();
    const tfCpu = await TfPeer.load('cpu');
    const tfWasm = await TfPeer.load('wasm');
    for (const [name, p] of [['ml-matrix', ml], ['tfjs cpu', tfCpu], ['tfjs wasm', tfWasm]] as const)
      if (p.skipped) log(`skipped: ${name} (${p.skipped})`);

    // Every case runs in `rounds` rounds (threadml, then the other processes); each contender keeps its
    // best round's median, so a burst of load from outside hits no contender alone. Three: slow phases
    // of the shared host (2-thread GEMM at 1024 running 1.5x slower for a second at a time) outlast a
    // round, and with two rounds one contender's both rounds fell into them.
    const rounds = quick ? 1 : 3;
    const results: CaseResult[] = [];
    const record = (op: CaseResult['op'], dtype: DType, n: number, impl: Impl, t: Timing) => {
      const i = results.findIndex((r) => r.op === op && r.dtype === dtype && r.n === n && r.impl === impl);
      if (i >= 0 && results[i].timing.medianMs <= t.medianMs) return;
      const r = { op, dtype, n, impl, timing: t, gflops: flopsOf(op, n) / (t.medianMs * 1e6) };
      if (i >= 0) results[i] = r;
      else results.push(r);
    };
    let blasCore = '';
    let numpyPools = '';
    const numpyCase = (op: 'gemm' | 'gemv', n: number, dtype: DType, trans: boolean, warmup: number, repeats: number): Timing | undefined => {
      if (numpyVersion === undefined) return undefined;
      const run = runPythonPeer<NumpyLinalgRun>('numpy_linalg.py', { threads, cases: [{ key: 'case', op, n, dtype, trans, warmup, repeats }] }, threads);
      numpyPools = describePools({ ...run, python: '', results: [] });
      return timing(run.results[0].samples_ms);
    };

    try {
      // ---- the machine's limit: measured clock under load on every core
      const ghzRuns = openblas === undefined ? [] : [0, 1, 2].map(() => openblas.clock(threads, 300));
      const ghz = Math.max(...ghzRuns.map((r) => r.reduce((s, x) => s + x, 0) / r.length));
      const lanes64 = info().simd === 'avx512' ? 8 : info().simd === 'avx2' ? 4 : 2;
      const fmaUnits = 2;
      const peak64 = threads * fmaUnits * lanes64 * 2 * ghz;
      const peakOf = (dtype: DType) => (dtype === 'float32' ? 2 * peak64 : peak64);

      // ---- GEMM
      for (const dtype of dtypes)
        for (const n of sizes) {
          const repeats = repeatsFor(n);
          const warmup = warmupFor(n);
          const a = matrix(uniform(n * n, { dtype, seed: 1, low: -1, high: 1 }), n, n);
          const b = matrix(uniform(n * n, { dtype, seed: 2, low: -1, high: 1 }), n, n);
          for (let round = 0; round < rounds; round++) {
            log(`linalg: gemm ${n} ${dtype}, ${repeats} repeats, round ${round + 1}/${rounds}`);
            const contenders: Contender<Impl>[] = [
              { key: 'threadml', run: () => matmul(a, b, { threads }) },
              { key: 'threadml1', run: () => matmul(a, b, { threads: 1 }) },
            ];
            for (const [key, t] of await timeInterleaved(contenders, { warmup, repeats })) record('gemm', dtype, n, key, t);
            if (round === 0 && ml.peer !== undefined && dtype === 'float64' && n <= ML_MATRIX_MAX) {
              const [ma, mb] = [toMlMatrix(ml.peer, a.data, n), toMlMatrix(ml.peer, b.data, n)];
              const mlRun = await timeInterleaved([{ key: 'mlmatrix' as const, run: () => ma.mmul(mb) }], { warmup: 1, repeats: mlRepeats });
              record('gemm', dtype, n, 'mlmatrix', mlRun.get('mlmatrix') as Timing);
            }
            for (const [key, tf, max] of [['tfcpu', tfCpu.peer, TF_CPU_MAX], ['tfwasm', tfWasm.peer, TF_WASM_MAX]] as const) {
              if (tf === undefined || !(a.data instanceof Float32Array) || n > max || (key === 'tfcpu' && round > 0)) continue;
              await tf.activate();
              const product = tf.matmul(a.data, b.data as Float32Array, n);
              const tfRepeats = key === 'tfcpu' ? Math.min(repeats, 5) : repeats;
              const t = await timeInterleaved([{ key, run: product.run }], { warmup: 1, repeats: tfRepeats });
              product.dispose();
              record('gemm', dtype, n, key, t.get(key) as Timing);
            }
            if (openblas !== undefined) {
              const run = openblas.gemm(n, dtype, threads, warmup, repeats);
              blasCore = `${run.config.split(' ').slice(0, 2).join(' ')}, ${run.core} kernels`;
              record('gemm', dtype, n, 'openblas', timing(run.samples_ms));
            }
            const np = numpyCase('gemm', n, dtype, false, warmup, repeats);
            if (np !== undefined) record('gemm', dtype, n, 'numpy', np);
          }
        }

      // ---- GEMV, plain and transposed
      for (const dtype of dtypes)
        for (const n of gemvSizes)
          for (const trans of [false, true]) {
            const op = trans ? 'gemvT' : 'gemv';
            const repeats = quick ? 3 : 31;
            const a = matrix(uniform(n * n, { dtype, seed: 3 }), n, n);
            const x = uniform(n, { dtype, seed: 4 });
            for (let round = 0; round < rounds; round++) {
              log(`linalg: ${op} ${n} ${dtype}, ${repeats} repeats, round ${round + 1}/${rounds}`);
              const contenders: Contender<Impl>[] = [
                { key: 'threadml', run: () => gemv(a, x, { trans, threads }) },
                { key: 'threadml1', run: () => gemv(a, x, { trans, threads: 1 }) },
              ];
              for (const [key, t] of await timeInterleaved(contenders, { warmup: 20, repeats })) record(op, dtype, n, key, t);
              if (openblas !== undefined) record(op, dtype, n, 'openblas', timing(openblas.gemv(n, dtype, trans, threads, 20, repeats).samples_ms));
              const np = numpyCase('gemv', n, dtype, trans, 20, repeats);
              if (np !== undefined) record(op, dtype, n, 'numpy', np);
            }
          }

      // ---- one tiny call, and where a second thread starts to pay
      log('linalg: tiny calls');
      const calls = { warmup: quick ? 50 : 500, repeats: quick ? 200 : 5000 };
      const m4 = matrix(uniform(16, { seed: 5 }), 4, 4);
      const m16 = matrix(uniform(256, { seed: 6 }), 16, 16);
      const v16 = uniform(16, { seed: 7 });
      const batch8 = matrixBatch(uniform(8 * 16, { seed: 8 }), 8, 4, 4);
      const tiny: [string, () => Promise<unknown>][] = [
        ['matmul 4 x 4', () => matmul(m4, m4)],
        ['matmul 16 x 16', () => matmul(m16, m16)],
        ['matmulBatched 8 x (4 x 4)', () => matmulBatched(batch8, m4)],
        ['gemv 16 x 16', () => gemv(m16, v16)],
        ['axpy 16', () => axpy(2, v16, v16)],
        ['transpose 4 x 4', () => transpose(m4)],
      ];
      const tinyResults = [];
      for (const [name, call] of tiny) {
        const samples = await timeCallsUs(call, calls);
        tinyResults.push({ name, medianUs: median(samples), p90Us: quantile(samples, 0.9), p99Us: quantile(samples, 0.99) });
      }
      const crossSizes = quick ? [32, 128] : [32, 48, 64, 96, 128, 192, 256];
      const crossover: { dtype: DType; n: number; one: Timing; all: Timing }[] = [];
      for (const dtype of dtypes)
        for (const n of crossSizes) {
          log(`linalg: crossover ${n} ${dtype}`);
          const a = matrix(uniform(n * n, { dtype, seed: 9 }), n, n);
          const t = await timeInterleaved(
            [
              { key: 'one', run: () => matmul(a, a, { threads: 1 }) },
              { key: 'all', run: () => matmul(a, a, { threads }) },
            ],
            { warmup: 20, repeats: quick ? 20 : Math.max(51, Math.min(1001, Math.round(2e9 / n ** 3))) },
          );
          crossover.push({ dtype, n, one: t.get('one') as Timing, all: t.get('all') as Timing });
        }

      // ---- tables
      const find = (op: CaseResult['op'], dtype: DType, n: number, impl: Impl) =>
        results.find((r) => r.op === op && r.dtype === dtype && r.n === n && r.impl === impl);
      const speedup = (r: CaseResult, impl: Impl) => {
        const peer = find(r.op, r.dtype, r.n, impl);
        return peer === undefined ? NaN : peer.timing.medianMs / r.timing.medianMs;
      };
      const labels: Record<Impl, string> = {
        threadml: `threadml (${threads} threads)`,
        threadml1: 'threadml (1 thread)',
        openblas: `OpenBLAS from C++ (${threads} threads)`,
        numpy: `NumPy (${threads} BLAS threads)`,
        mlmatrix: 'ml-matrix mmul',
        tfcpu: 'tfjs cpu',
        tfwasm: 'tfjs wasm',
      };

      const gemmTable = new Table(
        `GEMM C = A B, n x n: threadml (${threads} threads) GFLOP/s, its share of the FMA peak and of OpenBLAS-from-C++'s speed, and how many times faster it is than the others`,
        [
          { key: 'case', title: 'case' },
          { key: 'ms', title: 'median ms' },
          { key: 'gflops', title: 'GFLOP/s' },
          { key: 'peak', title: 'of peak' },
          { key: 'openblas', title: 'of OpenBLAS C++' },
          { key: 'numpy', title: 'vs NumPy' },
          { key: 'mlmatrix', title: 'vs ml-matrix' },
          { key: 'tfcpu', title: 'vs tfjs cpu' },
          { key: 'tfwasm', title: 'vs tfjs wasm' },
          { key: 'one', title: 'vs 1 thread' },
        ],
      );
      const detail = new Table('Every contender: median ms (min..max) and GFLOP/s', [
        { key: 'case', title: 'case' },
        { key: 'impl', title: 'contender', align: 'left' },
        { key: 'ms', title: 'median ms' },
        { key: 'spread', title: 'min..max ms' },
        { key: 'gflops', title: 'GFLOP/s' },
        { key: 'ratio', title: 'threadml is' },
      ]);
      const gemvTable = new Table(`GEMV y = op(A) x, n x n: GFLOP/s, GB/s read, and speed against the peers`, [
        { key: 'case', title: 'case' },
        { key: 'ms', title: 'median ms' },
        { key: 'gflops', title: 'GFLOP/s' },
        { key: 'gbps', title: 'GB/s' },
        { key: 'openblas', title: 'of OpenBLAS C++' },
        { key: 'numpy', title: 'vs NumPy' },
        { key: 'one', title: 'vs 1 thread' },
      ]);
      for (const op of ['gemm', 'gemv', 'gemvT'] as const)
        for (const dtype of dtypes)
          for (const n of op === 'gemm' ? sizes : gemvSizes) {
            const ours = find(op, dtype, n, 'threadml');
            if (ours === undefined) continue;
            const label = `${op === 'gemvT' ? 'gemv A^T' : op} ${n} ${dtype}`;
            if (op === 'gemm')
              gemmTable.add({
                case: label,
                ms: fmt(ours.timing.medianMs),
                gflops: fmt(ours.gflops),
                peak: fmtPct(ours.gflops / peakOf(dtype)),
                openblas: fmtPct(speedup(ours, 'openblas')),
                numpy: fmtRatio(speedup(ours, 'numpy')),
                mlmatrix: fmtRatio(speedup(ours, 'mlmatrix')),
                tfcpu: fmtRatio(speedup(ours, 'tfcpu')),
                tfwasm: fmtRatio(speedup(ours, 'tfwasm')),
                one: fmtRatio(speedup(ours, 'threadml1')),
              });
            else
              gemvTable.add({
                case: label,
                ms: fmt(ours.timing.medianMs),
                gflops: fmt(ours.gflops),
                gbps: fmt((n * n * bytesOf(dtype)) / (ours.timing.medianMs * 1e6)),
                openblas: fmtPct(speedup(ours, 'openblas')),
                numpy: fmtRatio(speedup(ours, 'numpy')),
                one: fmtRatio(speedup(ours, 'threadml1')),
              });
            addContenderRows(
              detail,
              label,
              implOrder.map((impl) => ({ name: labels[impl], result: find(op, dtype, n, impl) })),
              ours,
              (r) => ({ gflops: fmt(r.gflops) }),
            );
          }
      const tinyTable = new Table(`µs per tiny call (${calls.repeats} calls awaited one after another)`, [
        { key: 'op', title: 'call' },
        { key: 'median', title: 'median µs' },
        { key: 'p90', title: 'p90 µs' },
        { key: 'p99', title: 'p99 µs' },
      ]);
      for (const r of tinyResults) tinyTable.add({ op: r.name, median: fmt(r.medianUs), p90: fmt(r.p90Us), p99: fmt(r.p99Us) });
      const crossTable = new Table(`Square matmul on 1 thread and on ${threads}: median µs per awaited call (interleaved)`, [
        { key: 'case', title: 'case' },
        { key: 'flops', title: 'MFLOP' },
        { key: 'one', title: '1 thread µs' },
        { key: 'all', title: `${threads} threads µs` },
        { key: 'gain', title: 'gain' },
      ]);
      for (const c of crossover)
        crossTable.add({
          case: `${c.n} ${c.dtype}`,
          flops: fmt(flopsOf('gemm', c.n) / 1e6),
          one: fmt(c.one.medianMs * 1000),
          all: fmt(c.all.medianMs * 1000),
          gain: fmtRatio(c.one.medianMs / c.all.medianMs),
        });

      // ---- targets
      const big = results.filter((r) => r.op === 'gemm' && r.impl === 'threadml' && r.n >= 256 && find('gemm', r.dtype, r.n, 'openblas'));
      const worst = big.reduce<CaseResult | undefined>((w, r) => (w === undefined || speedup(r, 'openblas') < speedup(w, 'openblas') ? r : w), undefined);
      const vsMl = find('gemm', 'float64', 512, 'threadml');
      const slowestTiny = tinyResults.reduce((a, b) => (b.medianUs > a.medianUs ? b : a));
      const targets: TargetCheck[] = [
        {
          target: 'GEMM >= 95% of OpenBLAS-from-C++ speed for every n >= 256 (float64 and float32)',
          measured:
            worst === undefined
              ? 'OpenBLAS peer skipped'
              : `worst: ${worst.n} ${worst.dtype} at ${fmtPct(speedup(worst, 'openblas'))}; ` +
                big.map((r) => `${r.n} ${r.dtype === 'float64' ? 'f64' : 'f32'} ${fmtPct(speedup(r, 'openblas'))}`).join(', '),
          met: worst !== undefined && big.every((r) => speedup(r, 'openblas') >= 0.95),
        },
        {
          target: 'GEMM > 50x ml-matrix at n = 512 (float64)',
          measured: vsMl === undefined ? 'not run' : fmtRatio(speedup(vsMl, 'mlmatrix')),
          met: vsMl !== undefined && speedup(vsMl, 'mlmatrix') > 50,
        },
        {
          target: 'tiny linalg calls (4 x 4 … 16 x 16) < 20 µs per call (median)',
          measured: `slowest: ${slowestTiny.name} ${fmt(slowestTiny.medianUs)} µs`,
          met: slowestTiny.medianUs < 20,
        },
      ];

      const peers: PeerInfo[] = [
        openblas === undefined
          ? { name: 'OpenBLAS from C++', version: 'skipped', threads: '-', note: 'g++ or OpenBLAS headers missing' }
          : { name: 'OpenBLAS from C++', version: blasCore, threads, note: 'bench/peers/openblas_peer.cc built at bench time (g++ -O2); times the cblas call alone, output preallocated' },
        numpyVersion === undefined
          ? { name: 'NumPy', version: 'skipped', threads: '-', note: python ? 'numpy not found' : '--no-python' }
          : { name: 'NumPy', version: numpyVersion, threads, note: `A @ B, timed in Python; BLAS pools: ${numpyPools}` },
        { name: 'ml-matrix', version: ml.version, threads: 1, note: ml.skipped ?? `Matrix#mmul, pure JS, float64; run for n <= ${ML_MATRIX_MAX} only (about 1 GFLOP/s: larger n take minutes)` },
        { name: 'tfjs cpu', version: tfCpu.peer?.version ?? 'skipped', threads: 1, note: tfCpu.skipped ?? `tf.matMul + data(), float32 only, n <= ${TF_CPU_MAX}; ${tfCpu.peer?.note}` },
        { name: 'tfjs wasm', version: tfWasm.peer?.version ?? 'skipped', threads: 1, note: tfWasm.skipped ?? `tf.matMul + data(), float32 only, n <= ${TF_WASM_MAX}; ${tfWasm.peer?.note}` },
        { name: 'tfjs-node', version: 'not installable', threads: '-', note: 'its install script downloads a prebuilt libtensorflow, which this machine cannot fetch' },
      ];
      const blasEnv = ['OPENBLAS_CORETYPE', 'OPENBLAS_L2_SIZE'].map((k) => `${k}=${process.env[k] ?? '(unset)'}`).join(', ');
      const notes = [
        `FMA peak: ${threads} cores x ${fmaUnits} FMA units x ${lanes64} float64 lanes (${info().simd}) x 2 flops x ${fmt(ghz)} GHz = ${fmt(peak64)} GFLOP/s float64, ${fmt(2 * peak64)} float32. ` +
          `The clock is measured, not read: the best of 3 runs of a chain of dependent integer adds on all ${threads} cores at once (${ghzRuns.map((r) => r.map((g) => fmt(g)).join('/')).join(', ')} GHz); /proc/cpuinfo shows the nominal clock only. Two FMA units per core is an assumption (AMD Zen 4/5, Intel server cores).`,
        `Every BLAS here is the same OpenBLAS 0.3.21 library with the kernels the environment selects (${blasEnv}): the AVX2 kernels reach at most half of the AVX-512 peak above.`,
        `Each case runs in ${rounds} rounds (threadml's contenders, then ml-matrix and tfjs cpu in the first round only, tfjs wasm, OpenBLAS from C++, NumPy); every contender keeps the median of its best round, so a burst of load from elsewhere on this shared machine does not hit one contender alone.`,
        `threadml times run from the call to the resolved Promise (argument checks, job dispatch to the libuv pool, the result's allocation); OpenBLAS from C++ and NumPy time the BLAS call alone in their own process, run right after threadml's runs of the same case.`,
        `Repeats: ${sizes.map((n) => `${repeatsFor(n)} for n = ${n}`).join(', ')}, after ${sizes.map((n) => warmupFor(n)).join('/')} warm-up runs (OpenBLAS from C++ and NumPy: as many and at least 200 ms); threadml's two contenders round-robin; ml-matrix ${mlRepeats} and tfjs cpu at most 5 repeats after one warm-up run.`,
        info().simd === 'avx512'
          ? "threadml's GEMM runs its own AVX-512 kernel here (12 x 2-vector register tiles, B packed per task in 256-deep panels; column strips when A fits in 512 KB, else blocks of rows and columns, about 4 tasks per thread); every element sums over k in one order, so results are identical for any thread count. Results of 64 KB and more reuse memory of results the GC has freed (fresh pages fault in at about 10 µs per 4 KB on this VM)."
          : 'threadml splits C into tiles of about 1024 x 1024 (an even count per side, at least 2 tiles) and runs one single-threaded OpenBLAS call per tile; tile boundaries depend on the shape only, so results are identical for any thread count.',
      ];
      return {
        peers,
        tables: [gemmTable, gemvTable, tinyTable, crossTable, detail],
        targets,
        notes,
        data: { ghz: ghzRuns, peakFloat64: peak64, cases: results, tiny: tinyResults, crossover, versions: { mlMatrix: ml.version, tfjs: tfCpu.version, wasm: tfWasm.peer?.version } },
      };
    } finally {
      openblas?.dispose();
    }
  },
};
