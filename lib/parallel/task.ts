// Runs inside a worker (thread or child process): loads the task module once and calls its export.
import { pathToFileURL } from 'node:url';
import path from 'node:path';

/** Where the task lives: a module path or URL (loaded in each worker) and the name of its export. */
export interface TaskSpec {
  module: string | URL;
  export?: string;
}

/** The resolved form sent to workers: an absolute URL (or a bare package name) and an export name. */
export interface ResolvedTask {
  url: string;
  exportName: string;
}

export type TaskFunction = (item: unknown, index: number) => unknown;

// tsc (module: commonjs) rewrites `import()` into require(), which cannot load .mjs files; a real
// dynamic import loads both ES modules and CommonJS (whose module.exports becomes `default`).
const importModule = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<Record<string, unknown>>;

/** Relative and absolute paths resolve against the caller's working directory, on the caller's side. */
export function resolveTask(url: string | URL): string {
  if (url instanceof URL) return url.href;
  if (/^[a-z][a-z0-9+.-]+:/i.test(url)) return url;
  if (path.isAbsolute(url) || url.startsWith('.')) return pathToFileURL(path.resolve(url)).href;
  return url;
}

const loaded = new Map<string, Promise<TaskFunction>>();

export function loadTask(task: ResolvedTask): Promise<TaskFunction> {
  const key = `${task.url}#${task.exportName}`;
  let fn = loaded.get(key);
  if (fn === undefined) {
    fn = importModule(task.url).then((mod) => {
      // A CommonJS module's named exports may only be reachable through module.exports (= default).
      const found = mod[task.exportName] ?? (mod.default as Record<string, unknown> | undefined)?.[task.exportName];
      if (typeof found !== 'function')
        throw new TypeError(`Expected a function for export ${JSON.stringify(task.exportName)} of ${task.url} but received ${typeof found}`);
      return found as TaskFunction;
    });
    loaded.set(key, fn);
  }
  return fn;
}
