#!/usr/bin/env node
// threadml's `install` script.
//
// 1. If a prebuilt binary for this platform (prebuilds/<platform>-<arch>/) or an earlier local build
//    (build/Release/threadml.node) loads through node-gyp-build, there is nothing to do.
// 2. Otherwise (or when `npm_config_build_from_source` asks for it) build from source with cmake-js,
//    which needs CMake, a C++20 compiler, and OpenBLAS. Node-API headers come from the
//    node-api-headers package: nothing is downloaded.
// 3. If that fails, say what to install and exit non-zero.
//
// Plain CommonJS with no dependencies of its own beyond node-gyp-build and cmake-js (both in
// `dependencies`), resolved from this package's directory so it works inside someone else's node_modules.
'use strict';

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const tag = `${process.platform}-${process.arch}`;

function say(message) {
  // stdout, like cmake-js's progress; the final error goes to stderr. npm prints a failed dependency
  // install's stdout first, then its stderr, so the error box stays last.
  process.stdout.write(`threadml: ${message}\n`);
}

/** `--build-from-source` (npm_config_build_from_source=true) or `--build-from-source=threadml,other`. */
function buildFromSourceRequested() {
  const value = (process.env.npm_config_build_from_source || '').trim();
  if (value === '' || /^(false|0|no)$/i.test(value)) return false;
  if (/^(true|1|yes)$/i.test(value)) return true;
  return value.split(',').map((name) => name.trim()).includes(pkg.name);
}

function resolveFrom(request) {
  try {
    return require.resolve(request, { paths: [root] });
  } catch {
    return null;
  }
}

/**
 * Loads the addon the way lib/native.ts does (node-gyp-build on the package root), in a child process
 * so that a broken binary cannot take the installer down with it. Returns { ok, file, error }.
 */
function tryLoad() {
  const nodeGypBuild = resolveFrom('node-gyp-build');
  if (!nodeGypBuild) return { ok: false, error: 'node-gyp-build is not installed' };
  const probe = `
    const load = require(${JSON.stringify(nodeGypBuild)});
    const file = load.resolve(${JSON.stringify(root)});
    const addon = require(file);
    if (!addon || typeof addon !== 'object') throw new Error(file + ' did not export an object');
    process.stdout.write(file);
  `;
  const result = spawnSync(process.execPath, ['-e', probe], { cwd: root, encoding: 'utf8' });
  if (result.status === 0) return { ok: true, file: result.stdout.trim() };
  const error = (result.stderr || '').trim().split('\n').filter(Boolean);
  // Keep the meaningful lines: the thrown message, not node's stack dump.
  const message = error.find((line) => /Error|cannot open|No native build/.test(line)) || error[0] || `exit ${result.status ?? result.signal}`;
  return { ok: false, error: message.trim() };
}

function which(command) {
  for (const dir of (process.env.PATH || '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, command);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

function missingTools() {
  const missing = [];
  if (!which('cmake')) missing.push('cmake');
  if (!['c++', 'g++', 'clang++'].some(which)) missing.push('a C++ compiler (g++ or clang++)');
  if (process.platform !== 'win32' && !['make', 'ninja'].some(which)) missing.push('make (or ninja)');
  return missing;
}

function howToInstall() {
  return [
    'Install the build tools and OpenBLAS, then run `npm rebuild threadml` (or `npm ci`) again:',
    '  Debian/Ubuntu:  apt-get install -y cmake g++ make libopenblas-dev',
    '  Fedora/RHEL:    dnf install -y cmake make gcc-c++ openblas-devel',
    '  Alpine:         apk add cmake make g++ openblas-dev',
    '  macOS:          brew install cmake openblas libomp',
  ].join('\n');
}

function buildFromSource() {
  const cmakeJsPackage = resolveFrom('cmake-js/package.json');
  if (!cmakeJsPackage) {
    return { ok: false, error: 'cmake-js is not installed (it is a dependency of threadml: reinstall it)' };
  }
  const cmakeJsDir = path.dirname(cmakeJsPackage);
  const bin = JSON.parse(fs.readFileSync(cmakeJsPackage, 'utf8')).bin;
  const cmakeJs = path.join(cmakeJsDir, typeof bin === 'string' ? bin : bin['cmake-js']);

  const env = { ...process.env };
  if (!env.CMAKE_BUILD_PARALLEL_LEVEL) {
    env.CMAKE_BUILD_PARALLEL_LEVEL = String(os.availableParallelism ? os.availableParallelism() : os.cpus().length);
  }
  const args = [cmakeJs, 'rebuild', '--directory', root, '--out', path.join(root, 'build')];
  say(`building from source: ${path.basename(process.execPath)} ${args.map((a) => path.relative(root, a) || a).join(' ')}`);
  const result = spawnSync(process.execPath, args, { cwd: root, env, stdio: 'inherit' });
  if (result.error) return { ok: false, error: result.error.message };
  if (result.status !== 0) return { ok: false, error: `cmake-js exited with ${result.status ?? result.signal}` };
  return { ok: true };
}

function main() {
  const forced = buildFromSourceRequested();
  let loadError = null;
  if (!forced) {
    const loaded = tryLoad();
    if (loaded.ok) {
      say(`using ${path.relative(root, loaded.file)}`);
      return 0;
    }
    const hasPrebuild = fs.existsSync(path.join(root, 'prebuilds', tag));
    if (hasPrebuild) loadError = loaded.error;
    say(
      hasPrebuild
        ? `the prebuilt binary for ${tag} did not load (${loaded.error}); building from source instead`
        : `no prebuilt binary for ${tag}; building from source`,
    );
  } else {
    say('npm_config_build_from_source is set; building from source');
  }

  const built = buildFromSource();
  if (built.ok) {
    const loaded = tryLoad();
    if (loaded.ok) {
      say(`built ${path.relative(root, loaded.file)}`);
      return 0;
    }
    built.ok = false;
    built.error = `the build finished but the addon does not load: ${loaded.error}`;
  }

  const missing = missingTools();
  const lines = [
    '',
    '----------------------------------------------------------------------------------------------',
    `threadml: could not build its native addon from source (${built.error}).`,
  ];
  if (loadError) {
    lines.push(`The prebuilt binary for ${tag} did not load: ${loadError}`);
    const glibc = /GLIBC_([\d.]+)'? not found/.exec(loadError);
    if (glibc) lines.push(`It needs glibc ${glibc[1]} or newer; on this system threadml has to be built from source.`);
  }
  lines.push('Building needs CMake >= 3.18, a C++20 compiler, and OpenBLAS (library and cblas.h).');
  if (missing.length) lines.push(`Not found on PATH: ${missing.join(', ')}.`);
  else lines.push('If CMake said "threadml needs OpenBLAS" above, only OpenBLAS is missing.');
  lines.push(howToInstall());
  lines.push('----------------------------------------------------------------------------------------------');
  process.stderr.write(lines.join('\n') + '\n');
  return 1;
}

process.exitCode = main();
