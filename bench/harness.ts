// Shared benchmark machinery: timing, medians, tables, machine facts and the report files.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { info, type Info } from '../lib/index';
import { packageRoot } from '../lib/native';

// ---- statistics and timing ----------------------------------------------------------------

/** The q-quantile (0..1) with linear interpolation; NaN for no samples. */
export function quantile(samples: readonly number[], q: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export function median(samples: readonly number[]): number {
  return quantile(samples, 0.5);
}

export interface Timing {
  /** Every timed run, in milliseconds, in the order they ran. */
  samplesMs: number[];
  medianMs: number;
  minMs: number;
  maxMs: number;
}

/** The "min..max" cell of a timing, in milliseconds divided by `unit` (1000 for seconds). */
export function fmtSpread(t: Pick<Timing, 'minMs' | 'maxMs'>, unit = 1): string {
  return `${fmt(t.minMs / unit)}..${fmt(t.maxMs / unit)}`;
}

export function timing(samplesMs: number[]): Timing {
  return { samplesMs, medianMs: median(samplesMs), minMs: Math.min(...samplesMs), maxMs: Math.max(...samplesMs) };
}

export interface RepeatOptions {
  /** Untimed runs first (JIT, page faults, thread start). */
  warmup: number;
  /** Timed runs; the median of these is the figure. */
  repeats: number;
}

/** Something timed: a synchronous or asynchronous call, awaited before the clock stops. */
export interface Contender<K extends string = string> {
  key: K;
  run: () => unknown;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Wall time of one (awaited) call in ms. */
export async function timeOnce(run: () => unknown): Promise<number> {
  const start = performance.now();
  await run();
  return performance.now() - start;
}

/**
 * Times each contender `repeats` times, round-robin (A B C A B C ...), so slow drifts of a shared,
 * noisy machine hit every contender alike. Calls are awaited one at a time: nothing overlaps.
 */
export async function timeInterleaved<K extends string>(
  contenders: readonly Contender<K>[],
  { warmup, repeats }: RepeatOptions,
): Promise<Map<K, Timing>> {
  for (const c of contenders) for (let i = 0; i < warmup; i++) await c.run();
  const samples = new Map<K, number[]>(contenders.map((c) => [c.key, []]));
  for (let r = 0; r < repeats; r++)
    for (const c of contenders) (samples.get(c.key) as number[]).push(await timeOnce(c.run));
  return new Map([...samples].map(([key, s]) => [key, timing(s)]));
}

/** Per-call cost of a cheap call: each of `repeats` awaited calls timed on its own, in µs. */
export async function timeCallsUs(run: () => unknown, { warmup, repeats }: RepeatOptions): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await run();
  const samples = new Array<number>(repeats);
  for (let i = 0; i < repeats; i++) samples[i] = (await timeOnce(run)) * 1000;
  return samples;
}

export interface GapSample {
  /** Longest time between two ticks of a 1 ms setInterval while `run` was in flight. */
  gapMs: number;
  durationMs: number;
}

/**
 * Event-loop responsiveness during one call: a 1 ms setInterval ticker records the longest gap
 * between its ticks from the call's start until just after it ends (a synchronous call shows up as
 * one long gap). An idle loop shows about 1 ms.
 */
export async function eventLoopGap(run: () => unknown): Promise<GapSample> {
  let last = performance.now();
  let gapMs = 0;
  const ticker = setInterval(() => {
    const now = performance.now();
    gapMs = Math.max(gapMs, now - last);
    last = now;
  }, 1);
  try {
    await sleep(10);
    gapMs = 0;
    last = performance.now();
    const durationMs = await timeOnce(run);
    await sleep(5); // the first tick after a blocking call records its gap
    return { gapMs, durationMs };
  } finally {
    clearInterval(ticker);
  }
}

// ---- formatting ---------------------------------------------------------------------------

/** 3 significant digits, no exponent for everyday magnitudes. */
export function fmt(x: number, digits = 3): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const abs = Math.abs(x);
  if (abs >= 10 ** digits) return x.toFixed(0);
  if (abs < 1e-3) return x.toExponential(digits - 1);
  return x.toPrecision(digits);
}

export const fmtRatio = (x: number): string => (Number.isFinite(x) ? `${fmt(x)}x` : '-');
export const fmtPct = (x: number): string => (Number.isFinite(x) ? `${(100 * x).toFixed(0)}%` : '-');
/** A relative error; exactly zero prints as 0. */
export const fmtErr = (x: number): string => (x === 0 ? '0' : Number.isFinite(x) ? x.toExponential(1) : '-');
/** 1e8 rather than 100000000. */
export function fmtCount(n: number): string {
  const e = Math.log10(n);
  return Number.isInteger(e) && e >= 3 ? `1e${e}` : String(n);
}

export interface Column {
  key: string;
  title: string;
  /** Default: left for the first column, right for the others. */
  align?: 'left' | 'right';
}

export type Row = Record<string, string>;

/** A table rendered as aligned text for the terminal and as Markdown for the report. */
/**
 * One detail row per contender of a case, in the order given: the case label on the first row, the
 * median and min..max ms, how many times faster `ours` is than each other contender (column `ratio`),
 * and the suite's own cells.
 */
export function addContenderRows<R extends { timing: Timing }>(
  table: Table,
  label: string,
  contenders: readonly { name: string; result: R | undefined }[],
  ours: R,
  cells: (result: R) => Row,
): void {
  let first = true;
  for (const { name, result } of contenders) {
    if (result === undefined) continue;
    table.add({
      case: first ? label : '',
      impl: name,
      ms: fmt(result.timing.medianMs),
      spread: fmtSpread(result.timing),
      ratio: result === ours ? '' : fmtRatio(result.timing.medianMs / ours.timing.medianMs),
      ...cells(result),
    });
    first = false;
  }
}

export class Table {
  readonly rows: Row[] = [];

  constructor(
    readonly title: string,
    readonly columns: readonly Column[],
  ) {}

  add(row: Row): void {
    this.rows.push(row);
  }

  private cells(): string[][] {
    return this.rows.map((row) => this.columns.map((c) => row[c.key] ?? ''));
  }

  private alignOf(i: number): 'left' | 'right' {
    return this.columns[i].align ?? (i === 0 ? 'left' : 'right');
  }

  toText(): string {
    const body = this.cells();
    const head = this.columns.map((c) => c.title);
    const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
    const line = (cells: string[]) =>
      cells.map((cell, i) => (this.alignOf(i) === 'left' ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
    return [this.title, line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
  }

  toMarkdown(): string {
    const escape = (cell: string) => cell.replace(/\|/g, '\\|');
    const head = `| ${this.columns.map((c) => escape(c.title)).join(' | ')} |`;
    const rule = `|${this.columns.map((_, i) => (this.alignOf(i) === 'left' ? ' --- ' : ' ---: ')).join('|')}|`;
    const body = this.cells().map((r) => `| ${r.map(escape).join(' | ')} |`);
    return [`### ${this.title}`, '', head, rule, ...body].join('\n');
  }

  toJSON(): { title: string; columns: readonly Column[]; rows: Row[] } {
    return { title: this.title, columns: this.columns, rows: this.rows };
  }
}

// ---- machine and report -------------------------------------------------------------------

export interface MachineInfo {
  cpu: string;
  cores: number;
  memoryGB: number;
  os: string;
  node: string;
  v8: string;
  /** 1, 5 and 15 minute load averages when the run started: a busy shared machine shows here. */
  loadAverage: number[];
  threadml: Info;
}

export function machineInfo(): MachineInfo {
  let cpu = os.cpus()[0]?.model ?? 'unknown';
  try {
    const match = /^model name\s*:\s*(.+)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'));
    if (match) cpu = match[1].trim();
  } catch {
    // not Linux: os.cpus() it is
  }
  return {
    cpu,
    cores: os.availableParallelism(),
    memoryGB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    v8: process.versions.v8,
    loadAverage: os.loadavg().map((x) => Number(x.toFixed(2))),
    threadml: info(),
  };
}

/** CPU time the rest of the machine took while a suite ran: the noise on a shared machine. */
export interface CpuNoise {
  /** Share of all cores' time spent by other processes (this process and its children excluded). */
  otherPct: number;
  /** Share of all cores' time the hypervisor gave to other guests. */
  stealPct: number;
}

interface CpuTicks {
  total: number;
  busy: number;
  steal: number;
  ours: number;
}

function readCpuTicks(): CpuTicks | undefined {
  try {
    // /proc/stat "cpu" line: user nice system idle iowait irq softirq steal ... (USER_HZ ticks).
    const all = (/^cpu\s+(.+)$/m.exec(fs.readFileSync('/proc/stat', 'utf8')) as RegExpExecArray)[1].split(/\s+/).map(Number);
    const [user, nice, system, idle, iowait, irq, softirq, steal] = all;
    // /proc/self/stat after the command name: utime, stime, cutime, cstime are fields 14..17.
    const self = fs.readFileSync('/proc/self/stat', 'utf8');
    const fields = self.slice(self.lastIndexOf(')') + 2).split(' ').map(Number);
    const ours = fields[11] + fields[12] + fields[13] + fields[14];
    const busy = user + nice + system + irq + softirq;
    return { total: busy + idle + iowait + steal, busy, steal, ours };
  } catch {
    return undefined; // not Linux
  }
}

/** Starts counting CPU ticks; the returned function gives the noise since the start (undefined off Linux). */
export function startCpuNoise(): () => CpuNoise | undefined {
  const start = readCpuTicks();
  return () => {
    const end = readCpuTicks();
    if (start === undefined || end === undefined || end.total === start.total) return undefined;
    const total = end.total - start.total;
    const other = Math.max(0, end.busy - start.busy - (end.ours - start.ours));
    return { otherPct: (100 * other) / total, stealPct: (100 * (end.steal - start.steal)) / total };
  };
}

/** A peer as the report names it: what it is, which version, on how many threads. */
export interface PeerInfo {
  name: string;
  version: string;
  threads: number | string;
  note?: string;
}

/** One of the project's targets, checked against this run. */
export interface TargetCheck {
  target: string;
  measured: string;
  met: boolean;
}

export interface SuiteOptions {
  /** Small sizes and few repeats: a smoke test; nothing is written to bench/results. */
  quick: boolean;
  /** Run the Python peers (they are also skipped when NumPy is missing). */
  python: boolean;
  /** Progress lines (stderr). */
  log: (line: string) => void;
}

export interface SuiteResult {
  peers: PeerInfo[];
  tables: Table[];
  targets: TargetCheck[];
  notes: string[];
  /** Machine-readable results: every figure behind the tables, with raw samples. */
  data: unknown;
}

export interface Suite {
  name: string;
  title: string;
  run(options: SuiteOptions): Promise<SuiteResult>;
}

/** When and where a suite ran. */
export interface RunInfo {
  date: string;
  durationS: number;
  machine: MachineInfo;
  noise: CpuNoise | undefined;
}

export interface Report extends Omit<SuiteResult, 'tables'>, RunInfo {
  suite: string;
  title: string;
  tables: ReturnType<Table['toJSON']>[];
}

export const resultsDir = path.join(packageRoot, 'bench', 'results');

function runLines({ machine: m, noise }: RunInfo): string[] {
  const t = m.threadml;
  const busy =
    noise === undefined
      ? 'not measured'
      : `${noise.otherPct.toFixed(1)}% of all CPU time went to other processes, steal ${noise.stealPct.toFixed(1)}%`;
  return [
    `CPU: ${m.cpu}, ${m.cores} cores available, ${m.memoryGB} GB RAM, ${m.os}`,
    `Node ${m.node} (V8 ${m.v8}); load average at start ${m.loadAverage.join(' / ')}`,
    `threadml ${t.version}: ${t.threads} threads, SIMD ${t.simd}, ` +
      `${t.blas.name} ${t.blas.version} (${t.blas.core})`,
    `Noise while the suite ran: ${busy}`,
  ];
}

function targetsTable(targets: readonly TargetCheck[]): Table {
  const table = new Table('Targets', [
    { key: 'target', title: 'target' },
    { key: 'measured', title: 'measured' },
    { key: 'met', title: 'met?' },
  ]);
  for (const t of targets) table.add({ target: t.target, measured: t.measured, met: t.met ? 'yes' : 'NO' });
  return table;
}

function peersTable(peers: readonly PeerInfo[]): Table {
  const table = new Table('Peers', [
    { key: 'name', title: 'peer' },
    { key: 'version', title: 'version', align: 'left' },
    { key: 'threads', title: 'threads' },
    { key: 'note', title: 'note', align: 'left' },
  ]);
  for (const p of peers) table.add({ name: p.name, version: p.version, threads: String(p.threads), note: p.note ?? '' });
  return table;
}

/** The human-readable report: machine, peers, tables, targets, notes. */
export function renderText(suite: Suite, result: SuiteResult, run: RunInfo): string {
  const parts = [
    `== ${suite.name}: ${suite.title} (${run.date}, ${run.durationS.toFixed(0)} s) ==`,
    runLines(run).join('\n'),
    peersTable(result.peers).toText(),
    ...result.tables.map((t) => t.toText()),
  ];
  if (result.targets.length > 0) parts.push(targetsTable(result.targets).toText());
  if (result.notes.length > 0) parts.push(result.notes.map((n) => `* ${n}`).join('\n'));
  return parts.join('\n\n');
}

function renderMarkdown(report: Report, tables: readonly Table[]): string {
  const parts = [
    `# Benchmark: ${report.suite} (${report.title})`,
    `Run ${report.date}, ${report.durationS.toFixed(0)} s. Regenerate with ` +
      `\`flock /tmp/threadml-heavy.lock npm run bench -- ${report.suite}\`. Every figure is the median of the repeats ` +
      `given in the notes; raw samples are in \`${report.suite}.json\`.`,
    runLines(report)
      .map((l) => `- ${l}`)
      .join('\n'),
    peersTable(report.peers).toMarkdown(),
    ...tables.map((t) => t.toMarkdown()),
  ];
  if (report.targets.length > 0) parts.push(targetsTable(report.targets).toMarkdown());
  if (report.notes.length > 0) parts.push(['### Notes', '', ...report.notes.map((n) => `- ${n}`)].join('\n'));
  return `${parts.join('\n\n')}\n`;
}

/** Writes bench/results/<suite>.json and .md, then rebuilds bench/results/README.md from every report there. */
export function writeReport(suite: Suite, result: SuiteResult, run: RunInfo): string[] {
  const report: Report = {
    suite: suite.name,
    title: suite.title,
    ...run,
    peers: result.peers,
    tables: result.tables.map((t) => t.toJSON()),
    targets: result.targets,
    notes: result.notes,
    data: result.data,
  };
  fs.mkdirSync(resultsDir, { recursive: true });
  const json = path.join(resultsDir, `${suite.name}.json`);
  const md = path.join(resultsDir, `${suite.name}.md`);
  fs.writeFileSync(json, `${JSON.stringify(report, null, 1)}\n`);
  fs.writeFileSync(md, renderMarkdown(report, result.tables));
  const readme = path.join(resultsDir, 'README.md');
  fs.writeFileSync(readme, renderIndex());
  return [json, md, readme];
}

/** bench/results/README.md: one line per suite and every target, from the reports on disk. */
function renderIndex(): string {
  const reports = fs
    .readdirSync(resultsDir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(fs.readFileSync(path.join(resultsDir, f), 'utf8')) as Report);
  const suites = new Table('Suites', [
    { key: 'suite', title: 'suite' },
    { key: 'title', title: 'what', align: 'left' },
    { key: 'date', title: 'run', align: 'left' },
    { key: 'targets', title: 'targets met' },
  ]);
  const targets = new Table('Targets', [
    { key: 'suite', title: 'suite' },
    { key: 'target', title: 'target', align: 'left' },
    { key: 'measured', title: 'measured', align: 'left' },
    { key: 'met', title: 'met?' },
  ]);
  for (const r of reports) {
    const met = r.targets.filter((t) => t.met).length;
    suites.add({ suite: `[${r.suite}](${r.suite}.md)`, title: r.title, date: r.date, targets: `${met} / ${r.targets.length}` });
    for (const t of r.targets) targets.add({ suite: r.suite, target: t.target, measured: t.measured, met: t.met ? 'yes' : 'NO' });
  }
  const machine = reports.length > 0 ? runLines(reports[reports.length - 1]).slice(0, 3).map((l) => `- ${l}`) : [];
  return [
    '# threadml benchmark results',
    'The latest report of each suite (`npm run bench` runs all, `npm run bench -- <suite>` one; ' +
      'run them under `flock /tmp/threadml-heavy.lock` and never two at once). Each report names its peers, ' +
      'their versions and threads, and how its figures were measured.',
    machine.join('\n'),
    suites.toMarkdown(),
    targets.toMarkdown(),
    '',
  ].join('\n\n');
}
