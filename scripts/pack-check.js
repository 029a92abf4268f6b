#!/usr/bin/env node
// `npm run pack-check`: prove that the packed tarball installs and works with no compiler and no
// OpenBLAS on the machine, through its prebuilt binary.
//
//   1. npm run prebuild (skip with --skip-prebuild to reuse prebuilds/)
//   2. npm pack (runs `prepare`, which compiles the TypeScript) and check what the tarball holds
//   3. npm install <tarball> into an empty folder, with cmake/cc/c++/g++/make/ninja on PATH replaced
//      by stubs that record any call, and (as root on Linux, where `unshare` works) with the OpenBLAS
//      directories hidden behind empty mounts in a private mount namespace
//   4. require() and import the package there and check mean([1,2,3]) === 2, that the binary loaded is
//      the prebuild and that no build/ directory appeared.
// Options: --skip-prebuild, --keep (leave the temp folder), --no-namespace.
'use strict';

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const tag = `${process.platform}-${process.arch}`;
const options = new Set(process.argv.slice(2));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function say(message) {
  process.stdout.write(`pack-check: ${message}\n`);
}

let tmp = null;
function fail(message) {
  process.stderr.write(`pack-check: FAILED: ${message}\n`);
  if (tmp) process.stderr.write(`pack-check: temp folder kept for inspection: ${tmp}\n`);
  process.exit(1);
}

function run(file, args, opts = {}) {
  const result = spawnSync(file, args, { encoding: 'utf8', ...opts });
  if (result.error) fail(`${file} ${args.join(' ')}: ${result.error.message}`);
  return result;
}

function mustRun(file, args, opts = {}) {
  const result = run(file, args, { stdio: 'inherit', ...opts });
  if (result.status !== 0) fail(`${file} ${args.join(' ')} exited with ${result.status ?? result.signal}`);
  return result;
}

// ---- 1. prebuild -----------------------------------------------------------------------------
if (!options.has('--skip-prebuild')) {
  mustRun(process.execPath, [path.join(__dirname, 'prebuild.js')], { cwd: root });
}
const prebuildDir = path.join(root, 'prebuilds', tag);
const prebuilds = fs.existsSync(prebuildDir) ? fs.readdirSync(prebuildDir).filter((f) => f.endsWith('.node')) : [];
if (prebuilds.length === 0) fail(`no prebuild in ${prebuildDir} (run npm run prebuild)`);

// ---- 2. pack ---------------------------------------------------------------------------------
tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'threadml-pack-'));
const packDir = path.join(tmp, 'pack');
fs.mkdirSync(packDir);
mustRun(npm, ['pack', '--pack-destination', packDir], { cwd: root });
const tarballs = fs.readdirSync(packDir).filter((f) => f.endsWith('.tgz'));
if (tarballs.length !== 1) fail(`expected one tarball in ${packDir}, found ${tarballs.join(', ') || 'none'}`);
const tarball = path.join(packDir, tarballs[0]);

const entries = run('tar', ['-tzf', tarball]).stdout.split('\n').filter(Boolean).map((e) => e.replace(/^package\//, ''));
const required = [
  'package.json',
  'CMakeLists.txt',
  'scripts/install.js',
  'dist/lib/index.js',
  'dist/lib/index.d.ts',
  'dist/lib/native.js',
  `prebuilds/${tag}/${prebuilds[0]}`,
];
for (const file of required) if (!entries.includes(file)) fail(`the tarball lacks ${file}`);
if (!entries.some((e) => /^native\/.+\.(cc|h)$/.test(e))) fail('the tarball lacks the native/ sources');
const forbidden = entries.filter((e) => /^(build|test|bench|node_modules|dist\/test|dist\/bench|\.ci|\.git)\//.test(e) || /\.tgz$/.test(e));
if (forbidden.length) fail(`the tarball holds files it must not: ${forbidden.slice(0, 10).join(', ')}`);
const size = fs.statSync(tarball).size;
say(`${tarballs[0]}: ${entries.length} files, ${(size / 1048576).toFixed(1)} MiB packed`);

// ---- 3. install into an empty folder without compilers (and without OpenBLAS) ----------------
const app = path.join(tmp, 'app');
const stubs = path.join(tmp, 'no-compilers');
const calls = path.join(tmp, 'compiler-calls.log');
fs.mkdirSync(app);
fs.mkdirSync(stubs);
fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'threadml-pack-check', version: '1.0.0', private: true }, null, 2));
for (const tool of ['cmake', 'cc', 'c++', 'gcc', 'g++', 'clang', 'clang++', 'make', 'gmake', 'ninja']) {
  const stub = path.join(stubs, tool);
  fs.writeFileSync(stub, `#!/bin/sh\necho "$0 $*" >> '${calls}'\necho "pack-check: ${tool} is not available here" >&2\nexit 127\n`);
  fs.chmodSync(stub, 0o755);
}

// A clean environment: no npm lifecycle variables from the outer `npm run`, no build-from-source.
const env = {};
for (const [key, value] of Object.entries(process.env)) {
  if (/^npm_/i.test(key) || key === 'INIT_CWD') continue;
  env[key] = value;
}
env.PATH = `${stubs}${path.delimiter}${process.env.PATH}`;

// Directories that hold OpenBLAS (library and headers), hidden in a private mount namespace.
function openblasDirs() {
  const dirs = [];
  const multiarch = { x64: 'x86_64-linux-gnu', arm64: 'aarch64-linux-gnu' }[process.arch];
  for (const base of ['/usr/lib', '/usr/include', ...(multiarch ? [`/usr/lib/${multiarch}`, `/usr/include/${multiarch}`] : [])]) {
    let names = [];
    try {
      names = fs.readdirSync(base);
    } catch {
      continue;
    }
    for (const name of names) if (/^openblas/.test(name)) dirs.push(path.join(base, name));
  }
  return dirs.filter((d) => fs.statSync(d).isDirectory());
}

let isolate = (file, args) => [file, args];
const hidden = openblasDirs();
if (
  !options.has('--no-namespace') &&
  process.platform === 'linux' &&
  process.getuid && process.getuid() === 0 &&
  hidden.length > 0 &&
  spawnSync('unshare', ['-m', 'true']).status === 0
) {
  const mounts = hidden.map((d) => `mount -t tmpfs none '${d}'`).join(' && ');
  isolate = (file, args) => ['unshare', ['-m', 'sh', '-c', `${mounts} && exec "$@"`, 'sh', file, ...args]];
  say(`OpenBLAS hidden during install and use: ${hidden.join(', ')}`);
} else {
  say('OpenBLAS stays visible (needs root on Linux with unshare; or --no-namespace was given)');
}

function inApp(file, args, extra = {}) {
  const [f, a] = isolate(file, args);
  return run(f, a, { cwd: app, env, ...extra });
}

const install = inApp(npm, ['install', '--no-audit', '--no-fund', '--foreground-scripts', tarball], { stdio: 'inherit' });
if (install.status !== 0) fail(`npm install ${tarball} exited with ${install.status}`);
if (fs.existsSync(calls)) fail(`the install tried to compile:\n${fs.readFileSync(calls, 'utf8')}`);
const installed = path.join(app, 'node_modules', 'threadml');
if (fs.existsSync(path.join(installed, 'build'))) fail(`the install created ${path.join(installed, 'build')}`);

// ---- 4. use it -------------------------------------------------------------------------------
const checks = [
  ['require', ['-e', "require('threadml').mean(new Float64Array([1,2,3])).then(console.log)"]],
  ['import', ['--input-type=module', '-e', "import { mean } from 'threadml'; console.log(await mean(new Float64Array([1,2,3])))"]],
  ['import default', ['--input-type=module', '-e', "import t from 'threadml'; console.log(await t.mean(new Float64Array([1,2,3])))"]],
];
for (const [name, args] of checks) {
  const result = inApp(process.execPath, args);
  if (result.status !== 0 || result.stdout.trim() !== '2') {
    fail(`${name}: expected "2", got status ${result.status}, stdout ${JSON.stringify(result.stdout)}, stderr:\n${result.stderr}`);
  }
  say(`${name}: mean([1,2,3]) = ${result.stdout.trim()}`);
}

const which = inApp(process.execPath, [
  '-e',
  "const p = require.resolve('threadml/package.json'); const t = require('threadml'); " +
    "console.log(JSON.stringify({ binary: require('node-gyp-build').resolve(require('path').dirname(p)), info: t.info() }))",
]);
if (which.status !== 0) fail(`could not ask which binary loaded:\n${which.stderr}`);
const loaded = JSON.parse(which.stdout.trim().split('\n').pop());
if (!loaded.binary.startsWith(path.join(installed, 'prebuilds', tag) + path.sep)) fail(`loaded ${loaded.binary}, not the prebuild`);
say(`loaded ${path.relative(app, loaded.binary)}; info: ${JSON.stringify(loaded.info)}`);

if (process.platform === 'linux') {
  const ldd = inApp('ldd', [loaded.binary]);
  if (/not found/.test(ldd.stdout)) fail(`missing shared libraries:\n${ldd.stdout}`);
  say(`ldd (as installed):\n${ldd.stdout.trimEnd().replace(/^\s*/gm, '    ')}`);
}

if (options.has('--keep')) {
  say(`temp folder kept: ${tmp}`);
} else {
  fs.rmSync(tmp, { recursive: true, force: true });
}
say('OK');
