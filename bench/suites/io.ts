// io: readCsv on a seeded ~1 GB numeric CSV (MB/s on 1 and all threads, from memory and from the file),
// against csv-parse, papaparse and NumPy's loadtxt on the same slice of it; the event loop while the
// file is read; loadIdx on Fashion-MNIST against the NumPy way of loading it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { getThreads, info, loadFashionMnist, loadIdx, readCsv } from '../../lib/index';
import { Rng } from '../data';
import {
  eventLoopGap,
  fmt,
  fmtRatio,
  fmtSpread,
  Table,
  timeInterleaved,
  timing,
  type Contender,
  type GapSample,
  type PeerInfo,
  type Suite,
  type SuiteOptions,
  type SuiteResult,
  type TargetCheck,
  type Timing,
} from '../harness';
import { jsCsvParsers, jsCsvVersion, type JsCsvPeer } from '../peers/js_csv';
import { pythonModuleVersion, runPythonPeer } from '../peers/python';

const SEED = 42;
const COLS = 20;
const MB = 1e6;
const fashionDir = '/usr/share/datasets/fashion-mnist';

interface NumpyIoRun {
  numpy: string;
  python: string;
  loadtxt?: { samples_ms: number[]; rows: number; cols: number; last: number };
  idx?: { samples_ms: number[]; rows: number; cols: number };
}

/** Writes `file` with write(fd) unless it exists; a temporary name first, so a killed run leaves no half file. */
function cached(file: string, log: (line: string) => void, write: (fd: number) => void): string {
  if (fs.existsSync(file)) {
    log(`io: reusing ${file}`);
    return file;
  }
  log(`io: writing ${file} (once; later runs reuse it)`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = fs.openSync(tmp, 'w');
  try {
    write(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  return file;
}

/** A header f0..f19, then rows of seeded N(0, 1) values with 6 decimals ("-0.123457": ~10 bytes a field). */
function numericCsv(rows: number, log: (line: string) => void): string {
  const file = path.join(os.tmpdir(), 'threadml-bench', `numeric-${rows}x${COLS}-seed${SEED}.csv`);
  return cached(file, log, (fd) => {
    const rng = new Rng(SEED);
    fs.writeSync(fd, `${Array.from({ length: COLS }, (_, j) => `f${j}`).join(',')}\n`);
    const fields = new Array<string>(COLS);
    const batch = 10_000;
    for (let start = 0; start < rows; start += batch) {
      const lines: string[] = [];
      for (let i = start; i < Math.min(rows, start + batch); i++) {
        for (let j = 0; j < COLS; j++) fields[j] = rng.normal().toFixed(6);
        lines.push(fields.join(','));
      }
      fs.writeSync(fd, `${lines.join('\n')}\n`);
      if ((start / batch) % 50 === 0) log(`io: ${((100 * start) / rows).toFixed(0)}% written`);
    }
  });
}

/** The first ~`bytes` of the CSV, cut after a line end, as its own file (for NumPy) and as bytes. */
function sliceOf(file: string, whole: Buffer, bytes: number, log: (line: string) => void): { file: string; data: Buffer } {
  const data = whole.subarray(0, whole.lastIndexOf(0x0a, bytes - 1) + 1);
  const sliceFile = cached(`${file.slice(0, -4)}-first${Math.round(bytes / MB)}MB.csv`, log, (fd) => fs.writeSync(fd, data));
  return { file: sliceFile, data };
}

/** Time the hypervisor gave to other guests, summed over this VM's vCPUs, in ms (undefined off Linux). */
function stealMs(): number | undefined {
  try {
    // The "cpu" line of /proc/stat: user nice system idle iowait irq softirq steal, in 10 ms ticks.
    const fields = (/^cpu\s+(.+)$/m.exec(fs.readFileSync('/proc/stat', 'utf8')) as RegExpExecArray)[1].split(/\s+/);
    return Number(fields[7]) * 10;
  } catch {
    return undefined;
  }
}

function findFashionFile(base: string): string | undefined {
  return [`${base}.gz`, base].map((name) => path.join(fashionDir, name)).find((file) => fs.existsSync(file));
}

type CsvImpl = 'mem' | 'mem1' | 'file' | 'file1' | 'f32';
type SliceImpl = 'slice' | 'slice1' | JsCsvPeer | 'numpy';
type IdxImpl = 'idx' | 'idxRaw' | 'gunzip' | 'fashion' | 'numpy';

export const ioSuite: Suite = {
  name: 'io',
  title: 'readCsv on a ~1 GB numeric CSV vs csv-parse, papaparse, NumPy; loadIdx on Fashion-MNIST',
  async run({ quick, python, log }: SuiteOptions): Promise<SuiteResult> {
    const threads = getThreads();
    const rows = quick ? 200_000 : 5_000_000;
    const sliceBytes = (quick ? 8 : 64) * MB;
    const repeats = quick ? 2 : 5;
    const sliceRepeats = quick ? 2 : 3;
    const idxRepeats = quick ? 2 : 7;

    const csvFile = numericCsv(rows, log);
    const size = fs.statSync(csvFile).size;
    log(`io: reading ${fmt(size / MB)} MB into memory`);
    const whole = fs.readFileSync(csvFile);
    const slice = sliceOf(csvFile, whole, sliceBytes, log);
    const sliceText = slice.data.toString('latin1');

    // ---- the whole file ----------------------------------------------------------------------
    const csvLabels: Record<CsvImpl, string> = {
      mem: `readCsv(Buffer), float64, ${threads} threads`,
      mem1: 'readCsv(Buffer), float64, 1 thread',
      file: `readCsv(path): read + parse, float64, ${threads} threads`,
      file1: 'readCsv(path): read + parse, float64, 1 thread',
      f32: `readCsv(Buffer), float32, ${threads} threads`,
    };
    const csvContenders: Contender<CsvImpl>[] = [
      { key: 'mem', run: () => readCsv(whole, { header: true, threads }) },
      { key: 'mem1', run: () => readCsv(whole, { header: true, threads: 1 }) },
      { key: 'file', run: () => readCsv(csvFile, { header: true, threads }) },
      { key: 'file1', run: () => readCsv(csvFile, { header: true, threads: 1 }) },
      { key: 'f32', run: () => readCsv(whole, { header: true, threads, dtype: 'float32' }) },
    ];
    log(`io: readCsv on ${fmt(size / MB)} MB, ${repeats} repeats per contender`);
    const csvTimings = await timeInterleaved(csvContenders, { warmup: 1, repeats });
    const parsed = await readCsv(whole, { header: true });
    const mbps = (bytes: number, t: Timing) => bytes / MB / (t.medianMs / 1000);

    log('io: event-loop gap while readCsv reads the whole file');
    const gaps: (GapSample & { stealMs: number | undefined })[] = [];
    for (let i = 0; i < 5; i++) {
      const before = stealMs();
      const gap = await eventLoopGap(() => readCsv(csvFile, { header: true }));
      const after = stealMs();
      gaps.push({ ...gap, stealMs: before === undefined || after === undefined ? undefined : after - before });
    }
    // A vCPU the hypervisor takes away (steal) stops the JS thread whatever runs on it.
    const unstolen = gaps.filter((g) => g.stealMs === 0);
    const maxGap = Math.max(...(unstolen.length > 0 ? unstolen : gaps).map((g) => g.gapMs));

    // ---- the slice, for the peers ------------------------------------------------------------
    const sliceContenders: Contender<SliceImpl>[] = [
      { key: 'slice', run: () => readCsv(slice.data, { header: true, threads }) },
      { key: 'slice1', run: () => readCsv(slice.data, { header: true, threads: 1 }) },
      { key: 'csv-parse', run: () => jsCsvParsers['csv-parse'](sliceText) },
      { key: 'papaparse', run: () => jsCsvParsers.papaparse(sliceText) },
    ];
    log(`io: ${fmt(slice.data.length / MB)} MB slice: threadml, csv-parse, papaparse, ${sliceRepeats} repeats`);
    const sliceTimings = await timeInterleaved(sliceContenders, { warmup: 1, repeats: sliceRepeats });
    // Every contender must see the same table: row count and last value.
    const sliceParsed = await readCsv(slice.data, { header: true });
    const lastValue = sliceParsed.data[sliceParsed.data.length - 1];
    for (const peer of ['csv-parse', 'papaparse'] as const) {
      const table = jsCsvParsers[peer](sliceText);
      const last = table[table.length - 1];
      if (table.length !== sliceParsed.rows || last[COLS - 1] !== lastValue)
        throw new Error(`${peer} disagrees: ${table.length} rows, last value ${last[COLS - 1]} (threadml: ${sliceParsed.rows}, ${lastValue})`);
    }

    // ---- IDX ---------------------------------------------------------------------------------
    const trainImages = findFashionFile('train-images-idx3-ubyte');
    const idxTimings = new Map<IdxImpl, Timing>();
    if (trainImages !== undefined) {
      const gz = fs.readFileSync(trainImages);
      const gunzip = promisify(zlib.gunzip);
      const idxContenders: Contender<IdxImpl>[] = [
        { key: 'idx', run: () => loadIdx(trainImages, { dtype: 'float32', scale: 1 / 255 }) },
        { key: 'idxRaw', run: () => loadIdx(trainImages) },
        { key: 'gunzip', run: () => gunzip(gz, { chunkSize: 1 << 20 }) },
        { key: 'fashion', run: () => loadFashionMnist() },
      ];
      log(`io: loadIdx on ${trainImages}, ${idxRepeats} repeats`);
      for (const [key, t] of await timeInterleaved(idxContenders, { warmup: 1, repeats: idxRepeats })) idxTimings.set(key, t);
    } else {
      log(`skipped: Fashion-MNIST not installed in ${fashionDir} (apt-get install dataset-fashion-mnist)`);
    }

    // ---- NumPy -------------------------------------------------------------------------------
    const numpyVersion = python ? pythonModuleVersion('numpy', log) : undefined;
    if (!python) log('skipped: NumPy (--no-python)');
    let numpy: NumpyIoRun | undefined;
    if (numpyVersion !== undefined) {
      log('io: NumPy loadtxt on the slice and the IDX images');
      numpy = runPythonPeer<NumpyIoRun>('numpy_io.py', { csv: slice.file, idx: trainImages ?? null, warmup: 1, repeats: sliceRepeats }, 1);
      if (numpy.loadtxt !== undefined) {
        if (numpy.loadtxt.rows !== sliceParsed.rows || numpy.loadtxt.last !== lastValue)
          throw new Error(`np.loadtxt disagrees: ${numpy.loadtxt.rows} rows, last value ${numpy.loadtxt.last}`);
        sliceTimings.set('numpy', timing(numpy.loadtxt.samples_ms));
      }
      if (numpy.idx !== undefined) idxTimings.set('numpy', timing(numpy.idx.samples_ms));
    }

    // ---- tables ------------------------------------------------------------------------------
    const csvTable = new Table(
      `readCsv on the whole ${fmt(size / MB)} MB file (${parsed.rows.toLocaleString('en-US')} rows x ${parsed.cols} columns)`,
      [
        { key: 'impl', title: 'contender' },
        { key: 's', title: 'median s' },
        { key: 'spread', title: 'min..max s' },
        { key: 'mbps', title: 'MB/s' },
        { key: 'one', title: 'vs 1 thread' },
      ],
    );
    const one: Record<CsvImpl, CsvImpl> = { mem: 'mem1', mem1: 'mem1', file: 'file1', file1: 'file1', f32: 'mem1' };
    for (const c of csvContenders) {
      const t = csvTimings.get(c.key) as Timing;
      const base = csvTimings.get(one[c.key]) as Timing;
      csvTable.add({
        impl: csvLabels[c.key],
        s: fmt(t.medianMs / 1000),
        spread: fmtSpread(t, 1000),
        mbps: fmt(mbps(size, t)),
        one: c.key === one[c.key] ? '' : fmtRatio(base.medianMs / t.medianMs),
      });
    }

    const sliceLabels: Record<SliceImpl, string> = {
      slice: `threadml readCsv, ${threads} threads`,
      slice1: 'threadml readCsv, 1 thread',
      'csv-parse': `csv-parse ${jsCsvVersion('csv-parse')} (sync, cast: true)`,
      papaparse: `papaparse ${jsCsvVersion('papaparse')} (dynamicTyping: true)`,
      numpy: `NumPy ${numpy?.numpy ?? ''} np.loadtxt`,
    };
    const ours = sliceTimings.get('slice') as Timing;
    const sliceTable = new Table(
      `The first ${fmt(slice.data.length / MB)} MB (${sliceParsed.rows.toLocaleString('en-US')} rows): threadml against the JS and Python parsers`,
      [
        { key: 'impl', title: 'contender' },
        { key: 'ms', title: 'median ms' },
        { key: 'mbps', title: 'MB/s' },
        { key: 'faster', title: `threadml (${threads} threads) is` },
      ],
    );
    for (const [key, t] of sliceTimings)
      sliceTable.add({
        impl: sliceLabels[key],
        ms: fmt(t.medianMs),
        mbps: fmt(mbps(slice.data.length, t)),
        faster: key === 'slice' ? '' : `${fmtRatio(t.medianMs / ours.medianMs)} faster`,
      });

    const gapTable = new Table(`The event loop while readCsv(path) reads the whole file on ${threads} threads`, [
      { key: 'run', title: 'run' },
      { key: 's', title: 'call s' },
      { key: 'gap', title: 'longest gap ms' },
      { key: 'steal', title: 'hypervisor steal ms (all vCPUs)' },
    ]);
    gaps.forEach((g, i) =>
      gapTable.add({ run: String(i + 1), s: fmt(g.durationMs / 1000), gap: fmt(g.gapMs), steal: g.stealMs === undefined ? '-' : fmt(g.stealMs) }),
    );
    const tables = [csvTable, sliceTable, gapTable];
    const idxLabels: Record<IdxImpl, string> = {
      idx: "loadIdx(path, {dtype: 'float32', scale: 1/255})",
      idxRaw: 'loadIdx(path): Uint8Array',
      gunzip: 'of which: zlib.gunzip alone (thread pool, 1 MiB chunks, as loadIdx)',
      fashion: 'loadFashionMnist(): all four files, float32 + Int32Array labels',
      numpy: 'NumPy: gzip.open + np.frombuffer + astype(float32) / 255',
    };
    if (idxTimings.size > 0) {
      const idxTable = new Table(`Fashion-MNIST train images (${trainImages}, 60000 x 784)`, [
        { key: 'impl', title: 'contender' },
        { key: 'ms', title: 'median ms' },
        { key: 'spread', title: 'min..max ms' },
      ]);
      for (const [key, t] of idxTimings) idxTable.add({ impl: idxLabels[key], ms: fmt(t.medianMs), spread: fmtSpread(t) });
      tables.push(idxTable);
    }

    const fileMbps = mbps(size, csvTimings.get('file') as Timing);
    const slowestJs = Math.min(...(['csv-parse', 'papaparse'] as const).map((k) => (sliceTimings.get(k) as Timing).medianMs / ours.medianMs));
    const targets: TargetCheck[] = [
      {
        target: `readCsv of the ${fmt(size / MB)} MB file from its path (read + parse) at hundreds of MB/s (>= 300 MB/s)`,
        measured: `${fmt(fileMbps)} MB/s on ${threads} threads`,
        met: fileMbps >= 300,
      },
      {
        target: 'readCsv far faster than the JS CSV parsers (>= 10x csv-parse and papaparse on the same slice)',
        measured: `${fmtRatio(slowestJs)} the faster of them`,
        met: slowestJs >= 10,
      },
      {
        target: `event loop never stalls: max gap < 20 ms while readCsv reads the ${fmt(size / MB)} MB file`,
        measured:
          unstolen.length > 0
            ? `${fmt(maxGap)} ms, worst of the ${unstolen.length} of ${gaps.length} runs without hypervisor steal`
            : `${fmt(maxGap)} ms, worst of ${gaps.length} (steal in every run or not measured)`,
        met: maxGap < 20,
      },
    ];

    const peers: PeerInfo[] = [
      { name: 'csv-parse', version: jsCsvVersion('csv-parse'), threads: 1, note: 'csv-parse/sync parse(text, {cast: true}): rows of numbers' },
      { name: 'papaparse', version: jsCsvVersion('papaparse'), threads: 1, note: 'Papa.parse(text, {dynamicTyping: true})' },
      numpy === undefined
        ? { name: 'NumPy', version: 'skipped', threads: '-', note: python ? 'numpy not found' : '--no-python' }
        : { name: 'NumPy', version: numpy.numpy, threads: 1, note: `np.loadtxt(delimiter=",", skiprows=1), Python ${numpy.python}` },
    ];
    const notes = [
      `Data: ${rows.toLocaleString('en-US')} rows x ${COLS} columns of seeded (${SEED}) N(0, 1) values with 6 decimals plus a header line, ` +
        `${fmt(size / MB)} MB, written once to ${csvFile} and reused by later runs. MB/s is input bytes / median time (1 MB = 10^6 bytes).`,
      `readCsv(Buffer) parses a Buffer already in memory; readCsv(path) includes reading the file (from the page cache after the first run) on the native threads. ` +
        `${repeats} timed runs per contender after 1 warm-up, round-robin; each run allocates a new ${fmt((parsed.rows * parsed.cols * 8) / MB)} MB Float64Array.`,
      `The peers parse the first ${fmt(slice.data.length / MB)} MB (cut at a line end; threadml is timed on the same bytes): a 1 GB file cannot be one JS string ` +
        '(V8 caps strings at ~512 MB), and the JS parsers build an array per row. MB/s is comparable across sizes. The JS parsers get a string ' +
        '(decoding not timed); all contenders agree on the row count and the last value.',
      `Event-loop gap: the longest pause of a 1 ms setInterval while readCsv(path) runs on ${threads} threads (the JS thread only opens the file and ` +
        'builds the result object). Steal is the time /proc/stat says the hypervisor ran other guests instead of this VM\'s vCPUs during the run: ' +
        'a stolen vCPU stops the JS thread too, so the target is judged on the runs without steal; every run is listed.',
      trainImages === undefined
        ? 'Fashion-MNIST not installed: the IDX rows are skipped (apt-get install dataset-fashion-mnist).'
        : `IDX: ${idxRepeats} timed runs; loadIdx reads the file with fs.promises, gunzips with node:zlib on the thread pool and converts on ${threads} native threads; ` +
          'NumPy times the same work (single-threaded).',
    ];
    return {
      peers,
      tables,
      targets,
      notes,
      data: {
        threadml: info().version,
        csv: { file: csvFile, bytes: size, rows: parsed.rows, cols: parsed.cols, timings: Object.fromEntries(csvTimings) },
        slice: { bytes: slice.data.length, rows: sliceParsed.rows, timings: Object.fromEntries(sliceTimings) },
        eventLoopGapsMs: gaps,
        idx: Object.fromEntries(idxTimings),
      },
    };
  },
};
