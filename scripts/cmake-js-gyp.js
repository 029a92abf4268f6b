#!/usr/bin/env node
// A node-gyp stand-in for prebuildify: prebuildify runs
//   <node-gyp> rebuild --target=<version> --devdir=<dir> --arch=<arch> --release|--debug
// in its working directory and then takes the first .node file from ./build/Release (or Debug).
// This adapter does the same with cmake-js and the static-link option of CMakeLists.txt:
//   cmake-js rebuild --directory <package root> --out ./build -DTHREADML_STATIC=ON
// so the binary carries OpenBLAS and the C++ runtime inside it.
//
// --target and --devdir are ignored on purpose: the addon uses Node-API only, its headers come from
// the node-api-headers package, and nothing must be downloaded.
// THREADML_STATIC=OFF in the environment gives a dynamic build instead (for experiments).
'use strict';

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');

function fail(message) {
  process.stderr.write(`cmake-js-gyp: ${message}\n`);
  process.exit(1);
}

const argv = process.argv.slice(2);
const command = argv.find((a) => !a.startsWith('-')) || 'build';
const flag = (name) => {
  const hit = argv.find((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (!hit) return undefined;
  return hit.includes('=') ? hit.slice(hit.indexOf('=') + 1) : true;
};

const commands = { rebuild: 'rebuild', build: 'build', configure: 'configure', clean: 'clean' };
if (!commands[command]) fail(`unsupported command "${command}" (expected one of ${Object.keys(commands).join(', ')})`);

const arch = flag('arch');
if (typeof arch === 'string' && arch !== os.arch()) {
  fail(`cross-compiling is not supported (asked for --arch=${arch} on ${os.arch()})`);
}
const debug = flag('debug') === true;
const staticLink = !/^(off|0|false|no)$/i.test(process.env.THREADML_STATIC || 'ON');

const cmakeJsPackage = require.resolve('cmake-js/package.json', { paths: [root] });
const bin = JSON.parse(fs.readFileSync(cmakeJsPackage, 'utf8')).bin;
const cmakeJs = path.join(path.dirname(cmakeJsPackage), typeof bin === 'string' ? bin : bin['cmake-js']);

const out = path.resolve(process.cwd(), 'build');
if (path.resolve(out) === path.resolve(root, 'build')) {
  // Building here would overwrite (and prebuildify would then move away) the developer's build/Release.
  fail(`run this from a staging directory, not the package root (out dir would be ${out})`);
}
const args = [cmakeJs, commands[command], '--directory', root, '--out', out, `--CDTHREADML_STATIC=${staticLink ? 'ON' : 'OFF'}`];
if (debug) args.push('--debug');

const env = { ...process.env };
if (!env.CMAKE_BUILD_PARALLEL_LEVEL) {
  env.CMAKE_BUILD_PARALLEL_LEVEL = String(os.availableParallelism ? os.availableParallelism() : os.cpus().length);
}
process.stderr.write(`cmake-js-gyp: ${command} (static=${staticLink}) -> ${out}\n`);
const result = spawnSync(process.execPath, args, { stdio: 'inherit', env });
if (result.error) fail(result.error.message);
process.exit(result.status ?? 1);
