// npm run bench [-- <suite>... ] [--quick] [--no-python] [--no-write]
// Runs the suites one after another, prints each report, and writes bench/results/<suite>.{json,md}.
// Run it under `flock /tmp/threadml-heavy.lock`: the machine has 2 cores and nothing else may run.
import { performance } from 'node:perf_hooks';
import { machineInfo, renderText, startCpuNoise, writeReport, type RunInfo, type Suite } from './harness';
import { suites } from './suites/index';

const usage = `usage: npm run bench -- [suite...] [--quick] [--no-python] [--no-write]
  suites: ${suites.map((s) => s.name).join(', ')} (default: all)
  --quick      small sizes, few repeats: a smoke test (implies --no-write)
  --no-python  skip the Python peers
  --no-write   print only; leave bench/results alone`;

interface Args {
  selected: Suite[];
  quick: boolean;
  python: boolean;
  write: boolean;
}

function parseArgs(argv: readonly string[]): Args {
  const flags = new Set(argv.filter((a) => a.startsWith('-')));
  for (const flag of flags)
    if (!['--quick', '--no-python', '--no-write', '--help', '-h'].includes(flag)) throw new Error(`unknown option ${flag}\n${usage}`);
  if (flags.has('--help') || flags.has('-h')) {
    console.log(usage);
    process.exit(0);
  }
  const names = argv.filter((a) => !a.startsWith('-'));
  const selected = names.length === 0 ? [...suites] : names.map((name) => {
    const suite = suites.find((s) => s.name === name);
    if (suite === undefined) throw new Error(`unknown suite "${name}"\n${usage}`);
    return suite;
  });
  const quick = flags.has('--quick');
  return { selected, quick, python: !flags.has('--no-python'), write: !quick && !flags.has('--no-write') };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const log = (line: string) => process.stderr.write(`${line}\n`);
  for (const suite of args.selected) {
    const machine = machineInfo();
    const date = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const noise = startCpuNoise();
    const start = performance.now();
    const result = await suite.run({ quick: args.quick, python: args.python, log });
    const run: RunInfo = { date, durationS: (performance.now() - start) / 1000, machine, noise: noise() };
    console.log(`${renderText(suite, result, run)}\n`);
    if (args.write) for (const file of writeReport(suite, result, run)) log(`wrote ${file}`);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
