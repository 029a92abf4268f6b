// The showcase: "the mean of 100 million numbers" computed four ways (a plain JS loop, the same loop on
// 2 worker_threads, threadml on 1 native thread, threadml on all of them), then a 2048 x 2048 matrix product,
// then LogisticRegression, RandomForest and MLP models trained on Fashion-MNIST when Debian's
// dataset-fashion-mnist is installed.
// For each: time, throughput, speed-up, the value and its error against the exact mean, and the longest
// stall of the event loop while it ran. Run with `npm run demo` (after `npm run build:ts`).
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import {
  getThreads,
  info,
  LogisticRegression,
  loadFashionMnist,
  matmul,
  mean,
  MLPClassifier,
  RandomForestClassifier,
  type Matrix,
} from '../lib/index';
// The bench's JS peers: the same plain loop on the main thread and, over a SharedArrayBuffer, in workers.
import { sumRange } from './peers/js_reduce';
import { JsWorkerPool } from './peers/js_workers';

const N = 100_000_000;
/** x[i] = 0.1 * (1 + i % PERIOD): 0.1, 0.2, ..., 0.8 repeated. Closed-form mean 0.45. */
const PERIOD = 8;
const CLOSED_FORM_MEAN = 0.45;
const RUNS = 3;
const GEMM_N = 2048;
const JS_WORKERS = 2;

// ---------------------------------------------------------------------------------------------------------
// Terminal output: a status line that rewrites itself on a TTY, plain lines elsewhere.

const tty = process.stdout.isTTY === true;

function println(line = ''): void {
  process.stdout.write(`${line}\n`);
}

let lastDraw = 0;

/**
 * Shows `text` on the status line (TTY only); the next status or println replaces it. A throttled update
 * (a progress bar) redraws at most every 100 ms, so sub-second runs pay nothing for it.
 */
function status(text: string, throttled = false): void {
  if (!tty) return;
  const now = performance.now();
  if (throttled && now - lastDraw < 100) return;
  lastDraw = now;
  process.stdout.write(`\r\x1b[2K${text}`);
}

function clearStatus(): void {
  if (tty) process.stdout.write('\r\x1b[2K');
}

function bar(fraction: number, width = 24): string {
  const f = Math.min(1, Math.max(0, fraction));
  const full = Math.round(f * width);
  return `[${'#'.repeat(full)}${'.'.repeat(width - full)}] ${(f * 100).toFixed(0).padStart(3)}%`;
}

type Align = 'left' | 'right';

/** Prints rows as aligned columns, with a rule under the header. */
function printTable(header: string[], align: Align[], rows: string[][]): void {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells: string[]) =>
    '  ' + cells.map((cell, c) => (align[c] === 'left' ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('   ');
  println(line(header));
  println('  ' + widths.map((w) => '-'.repeat(w)).join('   '));
  for (const row of rows) println(line(row));
}

function ms(t: number): string {
  return t >= 100 ? `${t.toFixed(0)} ms` : t >= 10 ? `${t.toFixed(1)} ms` : `${t.toFixed(2)} ms`;
}

function relError(value: number, exact: number): string {
  const e = Math.abs(value - exact) / Math.abs(exact);
  return e === 0 ? '0 (exact)' : e.toExponential(1);
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function cpuModel(): string {
  try {
    const match = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (match) return match[1].trim();
  } catch {
    // not Linux
  }
  return 'unknown';
}

// ---------------------------------------------------------------------------------------------------------
// Event-loop stall monitor: a 1 ms interval timer; the longest gap between two of its ticks is the longest
// time the JS thread could not run a callback (a synchronous loop shows up as its whole runtime).

class LoopMonitor {
  private timer: NodeJS.Timeout | undefined;
  private last = 0;
  private longest = 0;

  start(): void {
    this.longest = 0;
    this.last = performance.now();
    this.timer = setInterval(() => {
      const now = performance.now();
      this.longest = Math.max(this.longest, now - this.last);
      this.last = now;
    }, 1);
  }

  /** Lets the ticker fire once more (so a gap still open is counted), stops it and returns the longest gap. */
  async stop(): Promise<number> {
    await new Promise((resolve) => setTimeout(resolve, 3));
    clearInterval(this.timer);
    return this.longest;
  }
}

interface Measured<T> {
  /** Median wall time of the runs, ms. */
  time: number;
  /** Longest event-loop gap over all runs, ms. */
  gap: number;
  /** Result of the last run. */
  value: T;
}

/** Runs `fn` `runs` times under the loop monitor. */
async function measure<T>(label: string, fn: (run: number) => T | Promise<T>, runs = RUNS): Promise<Measured<T>> {
  const monitor = new LoopMonitor();
  const times: number[] = [];
  let gap = 0;
  let value: T | undefined;
  for (let run = 1; run <= runs; run++) {
    status(`  ${label}: run ${run}/${runs}`);
    monitor.start();
    const t0 = performance.now();
    value = await fn(run);
    times.push(performance.now() - t0);
    gap = Math.max(gap, await monitor.stop());
  }
  clearStatus();
  return { time: median(times), gap, value: value as T };
}

/** An onProgress callback that draws a bar on the status line. */
function progressFor(label: string, run: number): (fraction: number) => void {
  return (fraction) => status(`  ${label}: run ${run}/${RUNS} ${bar(fraction)}`, true);
}

// ---------------------------------------------------------------------------------------------------------
// Data: the pattern, its exact mean, and the 100-million-element arrays.

/**
 * Exact mean of float64 values, correctly rounded: every finite double is m * 2^e with integer m, so the
 * sum is an exact BigInt in units of the smallest 2^e; one division and one rounding give the mean.
 */
function exactMean(values: Float64Array): number {
  const view = new DataView(new ArrayBuffer(8));
  const parts: { m: bigint; e: number }[] = [];
  let minExp = Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) throw new RangeError(`exactMean needs finite values, got ${v}`);
    view.setFloat64(0, v);
    const bits = view.getBigUint64(0);
    const biased = Number((bits >> 52n) & 0x7ffn);
    const fraction = bits & ((1n << 52n) - 1n);
    const mantissa = biased === 0 ? fraction : fraction | (1n << 52n);
    const e = Math.max(biased, 1) - 1075;
    parts.push({ m: bits >> 63n ? -mantissa : mantissa, e });
    minExp = Math.min(minExp, e);
  }
  let total = 0n;
  for (const { m, e } of parts) total += m << BigInt(e - minExp);
  // total / n in units of 2^minExp, with 64 guard bits so Number() does the one rounding that matters.
  const quotient = (total << 64n) / BigInt(values.length);
  return Number(quotient) * 2 ** (minExp - 64);
}

/** Fills every array with x[i] = pattern[i % PERIOD], copying the period block by block with a progress bar. */
function fill(targets: Float64Array[], pattern: Float64Array): number {
  const t0 = performance.now();
  const chunk = 5_000_000; // a multiple of PERIOD
  let nextMilestone = 0.25;
  if (!tty) process.stdout.write('  filling x ...');
  for (let start = 0; start < N; start += chunk) {
    const end = Math.min(N, start + chunk);
    for (const x of targets) {
      // Double the filled prefix of the chunk: log2(chunk / PERIOD) memcpy-speed copies.
      x.set(pattern, start);
      for (let filled = PERIOD; filled < end - start; filled *= 2)
        x.copyWithin(start + filled, start, start + Math.min(filled, end - start - filled));
    }
    const done = end / N;
    if (tty) status(`  filling x (${(targets.length * N * 8) / 1e9} GB): ${bar(done)}`, done < 1);
    else if (done >= nextMilestone) {
      process.stdout.write(` ${(done * 100).toFixed(0)}%`);
      nextMilestone += 0.25;
    }
  }
  const elapsed = performance.now() - t0;
  clearStatus();
  if (!tty) println('');
  return elapsed;
}

// ---------------------------------------------------------------------------------------------------------

/** Returns the big arrays so the caller can keep them alive (see main). */
async function meanDemo(): Promise<Float64Array[]> {
  const threads = getThreads();
  const pattern = new Float64Array(PERIOD);
  for (let k = 0; k < PERIOD; k++) pattern[k] = 0.1 * (1 + k);
  // The mean of x equals the mean of one period because N is a multiple of PERIOD.
  const exact = exactMean(pattern);

  // One SharedArrayBuffer serves every variant if the addon accepts it; otherwise threadml and the main-thread
  // loop get an ordinary ArrayBuffer and the workers a shared copy.
  const sharedOk = await mean(new Float64Array(new SharedArrayBuffer(64))).then(
    () => true,
    () => false,
  );
  const shared = new Float64Array(new SharedArrayBuffer(N * 8));
  const x = sharedOk ? shared : new Float64Array(N);

  println(`The mean of ${N.toLocaleString('en-US')} float64 numbers (${(N * 8) / 1e9} GB)`);
  println(`  x[i] = 0.1 * (1 + i % ${PERIOD})  ->  0.1, 0.2, ..., 0.8 repeated; closed-form mean ${CLOSED_FORM_MEAN}`);
  println(
    `  exact mean of the stored float64 values (BigInt rational arithmetic, rounded once): ${exact.toPrecision(17)}`,
  );
  if (!sharedOk) println('  note: threadml rejected a SharedArrayBuffer-backed array here, so the workers read a shared copy');
  const fillTime = fill(sharedOk ? [x] : [x, shared], pattern);
  println(`  filled in ${(fillTime / 1000).toFixed(2)} s`);

  status(`  starting ${JS_WORKERS} worker_threads ...`);
  const pool = await JsWorkerPool.start(JS_WORKERS);
  await pool.reduce('mean', shared.subarray(0, PERIOD * 1000)); // warm-up, untimed
  clearStatus();
  println();

  const bytes = N * 8;
  const rows: { method: string; threads: number; m: Measured<number> }[] = [];

  const js = await measure('plain JS loop', () => {
    status('  plain JS loop: running... (the event loop is blocked until it ends)');
    return sumRange(x, 0, N) / N;
  });
  rows.push({ method: 'plain JS loop, main thread', threads: 1, m: js });

  const workers = await measure(`JS loop on ${JS_WORKERS} worker_threads`, () => pool.reduce('mean', shared));
  rows.push({ method: `JS loop, ${JS_WORKERS} worker_threads + SAB`, threads: JS_WORKERS, m: workers });
  await pool.close();

  const one = await measure('threadml mean, 1 thread', (run) =>
    mean(x, { threads: 1, onProgress: progressFor('threadml mean, 1 thread', run) }),
  );
  rows.push({ method: 'threadml mean(x, {threads: 1})', threads: 1, m: one });

  const all = await measure(`threadml mean, ${threads} threads`, (run) =>
    mean(x, { onProgress: progressFor(`threadml mean, ${threads} threads`, run) }),
  );
  rows.push({ method: 'threadml mean(x)', threads, m: all });

  printTable(
    ['method', 'threads', 'time', 'GB/s', 'speed-up', 'mean', 'rel. error', 'event-loop gap'],
    ['left', 'right', 'right', 'right', 'right', 'left', 'right', 'right'],
    rows.map(({ method, threads: t, m }) => [
      method,
      String(t),
      ms(m.time),
      (bytes / (m.time / 1000) / 1e9).toFixed(2),
      `${(js.time / m.time).toFixed(2)}x`,
      m.value.toPrecision(17),
      relError(m.value, exact),
      ms(m.gap),
    ]),
  );
  return [x, shared];
}

/** Deterministic values in [-1, 1) from a 32-bit LCG. */
function randomMatrix(n: number, seed: number): Float64Array {
  const out = new Float64Array(n * n);
  let state = seed >>> 0;
  for (let i = 0; i < out.length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = state / 2147483648 - 1;
  }
  return out;
}

/** Largest error of a few entries of C = A B against float64 dot products, scaled by sum |a_ik b_kj|. */
function checkProduct(A: Matrix, B: Matrix, C: Matrix): number {
  const n = A.cols;
  let worst = 0;
  for (let s = 0; s < 16; s++) {
    const i = (s * 977) % A.rows;
    const j = (s * 613 + 5) % B.cols;
    let ref = 0;
    let scale = 0;
    for (let k = 0; k < n; k++) {
      const p = A.data[i * n + k] * B.data[k * B.cols + j];
      ref += p;
      scale += Math.abs(p);
    }
    worst = Math.max(worst, Math.abs(C.data[i * C.cols + j] - ref) / scale);
  }
  return worst;
}

async function gemmDemo(): Promise<void> {
  const n = GEMM_N;
  const threads = getThreads();
  const flops = 2 * n * n * n;
  println(`Matrix product C = A B, ${n} x ${n} (${(flops / 1e9).toFixed(1)} GFLOP per product)`);
  const a64 = randomMatrix(n, 1);
  const b64 = randomMatrix(n, 2);
  const inputs = {
    float32: { A: { data: Float32Array.from(a64), rows: n, cols: n }, B: { data: Float32Array.from(b64), rows: n, cols: n } },
    float64: { A: { data: a64, rows: n, cols: n }, B: { data: b64, rows: n, cols: n } },
  };
  const rows: string[][] = [];
  for (const dtype of ['float32', 'float64'] as const) {
    const { A, B } = inputs[dtype];
    for (const t of [1, threads]) {
      const label = `matmul ${dtype}, ${t} thread${t === 1 ? '' : 's'}`;
      const m = await measure(label, (run) => matmul(A, B, { threads: t, onProgress: progressFor(label, run) }));
      rows.push([
        `threadml matmul(A, B), ${dtype}`,
        String(t),
        ms(m.time),
        (flops / (m.time / 1000) / 1e9).toFixed(1),
        checkProduct(A, B, m.value).toExponential(1),
        ms(m.gap),
      ]);
    }
  }
  println();
  printTable(
    ['method', 'threads', 'time', 'GFLOP/s', 'check', 'event-loop gap'],
    ['left', 'right', 'right', 'right', 'right', 'right'],
    rows,
  );
  println('  check: largest |C_ij - ref| / sum_k |A_ik B_kj| over 16 entries, ref computed in float64 in JS');
}

// ---------------------------------------------------------------------------------------------------------
// Models: one fit each on Fashion-MNIST, with test accuracy.

const FOREST_TREES = 30;

interface Classifier {
  fit(X: Matrix, y: Int32Array, options: { onProgress: (fraction: number) => void }): Promise<Classifier>;
  score(X: Matrix, y: Int32Array): Promise<number>;
}

async function modelsDemo(): Promise<void> {
  let data;
  try {
    data = await loadFashionMnist();
  } catch {
    println('Models: skipped (Fashion-MNIST not found; `apt-get install dataset-fashion-mnist` adds it)');
    return;
  }
  const { XTrain, yTrain, XTest, yTest } = data;
  println(`Models on Fashion-MNIST (${XTrain.rows} x ${XTrain.cols} float32 train, ${XTest.rows} test rows), one fit each`);
  const models: { name: string; make: () => Classifier }[] = [
    { name: 'LogisticRegression({ maxIter: 100 })', make: () => new LogisticRegression({ maxIter: 100 }) },
    {
      name: `RandomForestClassifier({ nEstimators: ${FOREST_TREES} })`,
      make: () => new RandomForestClassifier({ nEstimators: FOREST_TREES, randomState: 0 }),
    },
    {
      name: 'MLPClassifier({ hiddenLayerSizes: [256], maxIter: 10 })',
      make: () => new MLPClassifier({ hiddenLayerSizes: [256], maxIter: 10, randomState: 0 }),
    },
  ];
  // 100 L-BFGS iterations (and 10 MLP epochs) stop short of convergence, as in scikit-learn; the warning would
  // split the table.
  const warnings = process.listeners('warning');
  process.removeAllListeners('warning');
  process.on('warning', (warning) => {
    if (warning.name !== 'ConvergenceWarning') for (const listener of warnings) listener(warning);
  });
  const rows: string[][] = [];
  for (const { name, make } of models) {
    const m = await measure(name, (run) => make().fit(XTrain, yTrain, { onProgress: progressFor(name, run) }), 1);
    rows.push([name, ms(m.time), (await m.value.score(XTest, yTest)).toFixed(4), ms(m.gap)]);
  }
  println();
  printTable(['model', 'fit time', 'test accuracy', 'event-loop gap'], ['left', 'right', 'right', 'right'], rows);
}

async function main(): Promise<void> {
  const started = performance.now();
  const i = info();
  println(`threadml ${i.version} demo`);
  println(`  CPU      ${cpuModel()}, ${i.hardwareThreads} hardware threads`);
  println(`  BLAS     ${i.blas.name} ${i.blas.version} (core ${i.blas.core})`);
  println(`  SIMD     ${i.simd}    thread budget ${i.threads}`);
  println(`  Node     ${process.version}`);
  println(`  Times are the median of ${RUNS} runs; the event-loop gap is the longest pause of a 1 ms timer over all runs.`);
  println();
  // Freeing 1.6 GB of touched pages stalls the JS thread for ~100 ms on some machines; keep the arrays until
  // the end so that cost does not land inside the GEMM's event-loop measurement.
  const keep = await meanDemo();
  println();
  await gemmDemo();
  println();
  keep.length = 0;
  await modelsDemo();
  println();
  println(`Done in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
}

main().catch((error) => {
  clearStatus();
  console.error(error);
  process.exitCode = 1;
});
