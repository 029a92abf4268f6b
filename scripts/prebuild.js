#!/usr/bin/env node
// `npm run prebuild`: a self-contained binary for this platform in prebuilds/<platform>-<arch>/.
//
// prebuildify (--napi --strip --tag-libc) drives scripts/cmake-js-gyp.js in place of node-gyp; that
// adapter builds with cmake-js and -DTHREADML_STATIC=ON (OpenBLAS, libstdc++ and libgcc linked in) into
// build/prebuild/build/, so the developer's dynamic build in build/Release is left alone.
// Then this script checks the result: its dynamic dependencies (Linux), its size, and that
// node-gyp-build picks it and it loads when build/Release is out of the way (PREBUILDS_ONLY=1).
'use strict';

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const tag = `${process.platform}-${process.arch}`;
const stage = path.join(root, 'build', 'prebuild');
const adapter = path.join(__dirname, 'cmake-js-gyp.js');
const outDir = path.join(root, 'prebuilds', tag);

// Shared libraries the prebuild may still need: the C library family only.
const ALLOWED_NEEDED = [/^libc\.so/, /^libm\.so/, /^libpthread\.so/, /^libdl\.so/, /^librt\.so/, /^ld-linux/];

function say(message) {
  process.stdout.write(`prebuild: ${message}\n`);
}

function fail(message) {
  process.stderr.write(`prebuild: ${message}\n`);
  process.exit(1);
}

function run(file, args, options = {}) {
  return spawnSync(file, args, { encoding: 'utf8', ...options });
}

function buildPrebuild(callback) {
  const prebuildify = require(require.resolve('prebuildify', { paths: [root] }));
  fs.chmodSync(adapter, 0o755); // prebuildify spawns it directly (no shell), so it must be executable
  fs.rmSync(outDir, { recursive: true, force: true }); // no stale binaries with other tags
  fs.mkdirSync(stage, { recursive: true });
  prebuildify(
    {
      cwd: stage, // the adapter builds into <cwd>/build, prebuildify takes <cwd>/build/Release/*.node
      out: root, // and moves it to <root>/prebuilds/<platform>-<arch>/
      name: pkg.name,
      napi: true,
      strip: true,
      tagLibc: true,
      nodeGyp: adapter,
      // One N-API build serves every Node version; name the running one so nothing looks elsewhere.
      targets: [{ runtime: 'node', target: process.versions.node }],
    },
    callback,
  );
}

function neededLibraries(file) {
  const result = run('readelf', ['-d', file]);
  if (result.error || result.status !== 0) return null;
  return [...result.stdout.matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1]);
}

function maxGlibcVersion(file) {
  const result = run('objdump', ['-T', file]);
  if (result.error || result.status !== 0) return null;
  const versions = [...result.stdout.matchAll(/GLIBC_(\d+(?:\.\d+)*)/g)].map((m) => m[1]);
  const key = (v) => v.split('.').map((n) => n.padStart(4, '0')).join('.');
  return versions.sort((a, b) => (key(a) < key(b) ? -1 : 1)).pop() || null;
}

function check() {
  const files = fs.readdirSync(outDir).filter((f) => f.endsWith('.node'));
  if (files.length !== 1) fail(`expected one .node in ${outDir}, found: ${files.join(', ') || 'none'}`);
  const file = path.join(outDir, files[0]);
  say(`wrote ${path.relative(root, file)} (${(fs.statSync(file).size / 1048576).toFixed(1)} MiB)`);

  if (process.platform === 'linux') {
    const needed = neededLibraries(file);
    if (needed === null) {
      say('readelf not found: dynamic dependencies not checked');
    } else {
      say(`needs: ${needed.join(', ')}${maxGlibcVersion(file) ? ` (symbols up to GLIBC_${maxGlibcVersion(file)})` : ''}`);
      const unexpected = needed.filter((lib) => !ALLOWED_NEEDED.some((re) => re.test(lib)));
      if (unexpected.length) fail(`the prebuild still links dynamically against ${unexpected.join(', ')}`);
    }
    const ldd = run('ldd', [file]);
    if (!ldd.error) process.stdout.write(ldd.stdout.trimEnd().replace(/^\s*/gm, '  ldd: ') + '\n');
  }

  // node-gyp-build prefers build/Release over prebuilds/; PREBUILDS_ONLY=1 makes it use the prebuild,
  // as it will in an installed package (which ships no build/ directory).
  const nodeGypBuild = require.resolve('node-gyp-build', { paths: [root] });
  const probe = `
    const load = require(${JSON.stringify(nodeGypBuild)});
    const file = load.resolve(${JSON.stringify(root)});
    const info = require(file).info();
    console.log(JSON.stringify({ file, version: info.version, blas: info.blas && info.blas.name, simd: info.simd }));
  `;
  const loaded = run(process.execPath, ['-e', probe], { env: { ...process.env, PREBUILDS_ONLY: '1' } });
  if (loaded.status !== 0) fail(`the prebuild does not load:\n${loaded.stderr}`);
  const result = JSON.parse(loaded.stdout.trim().split('\n').pop());
  if (path.resolve(result.file) !== file) fail(`node-gyp-build picked ${result.file}, not ${file}`);
  say(`node-gyp-build loads it: ${loaded.stdout.trim()}`);
}

buildPrebuild((err) => {
  if (err) fail(err.message || String(err));
  check();
});
