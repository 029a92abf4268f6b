// What the loaders accept as input, and how their errors name it.
import { fileURLToPath } from 'node:url';
import { typeError } from '../errors';

/** A file path (string or file: URL), or the file's bytes. */
export type Source = string | URL | Uint8Array;

/** The path of a path-like source, or undefined for bytes. */
export function sourcePath(source: unknown, name: string): string | undefined {
  if (source instanceof Uint8Array) return undefined;
  if (source instanceof URL) return fileURLToPath(source);
  if (typeof source !== 'string' || source === '') throw typeError('a path (string or URL), Buffer or Uint8Array', name, source);
  // CSV or binary text passed where a path belongs would otherwise surface as a baffling ENOENT.
  if (/[\n\0]/.test(source)) throw typeError('a path (pass file contents as a Buffer, e.g. Buffer.from(text))', name, source);
  return source;
}

/** How error messages name the input: `CSV file "data.csv"` or `the CSV buffer`. */
export function sourceName(kind: string, path: string | undefined): string {
  return path === undefined ? `the ${kind} buffer` : `${kind} file ${JSON.stringify(path)}`;
}
