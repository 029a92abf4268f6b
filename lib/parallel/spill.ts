// joblib's auto-memmap for the 'processes' backend: large typed arrays in the items (and any backed
// by a SharedArrayBuffer, which cannot cross a process boundary) are written once to a temporary file
// and replaced by a reference; each child reads a file once and reuses the array for every item.
import fs from 'node:fs';
import path from 'node:path';

/** Arrays at least this large go through a file rather than the IPC channel. */
export const SPILL_BYTES = 1 << 20;

const SPILLED = '__threadmlSpilledArray';

interface Spilled {
  [SPILLED]: string;
  type: string;
  length: number;
}

type TypedArray = Exclude<ArrayBufferView, DataView>;

function isPlainContainer(value: unknown): value is Record<string, unknown> | unknown[] {
  if (Array.isArray(value)) return true;
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function mapContainer(value: Record<string, unknown> | unknown[], map: (v: unknown) => unknown): unknown {
  if (Array.isArray(value)) return value.map(map);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) out[key] = map(value[key]);
  return out;
}

/** Replaces large arrays in `value` (arrays and plain objects are walked) by file references. */
export function spillArrays(value: unknown, dir: string, files: Map<TypedArray, string>): unknown {
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    const array = value as TypedArray;
    if (array.byteLength < SPILL_BYTES && !(array.buffer instanceof SharedArrayBuffer)) return array;
    let file = files.get(array);
    if (file === undefined) {
      file = path.join(dir, `${files.size}.bin`);
      fs.writeFileSync(file, new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
      files.set(array, file);
    }
    const ref: Spilled = { [SPILLED]: file, type: array.constructor.name, length: (array as unknown as { length: number }).length };
    return ref;
  }
  return isPlainContainer(value) ? mapContainer(value, (v) => spillArrays(v, dir, files)) : value;
}

type TypedArrayConstructor = new (buffer: ArrayBufferLike, byteOffset?: number, length?: number) => TypedArray;

/** The child's side: file references become typed arrays, each file read once per process. */
export function restoreArrays(value: unknown, cache: Map<string, TypedArray>): unknown {
  if (value !== null && typeof value === 'object' && SPILLED in value) {
    const ref = value as Spilled;
    let array = cache.get(ref[SPILLED]);
    if (array === undefined) {
      const Ctor = (globalThis as unknown as Record<string, TypedArrayConstructor>)[ref.type];
      const bytes = fs.readFileSync(ref[SPILLED]);
      const element = (Ctor as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
      // A small read may land at an unaligned offset of Node's buffer pool: then copy.
      array =
        bytes.byteOffset % element === 0
          ? new Ctor(bytes.buffer, bytes.byteOffset, ref.length)
          : new Ctor(new Uint8Array(bytes).buffer, 0, ref.length);
      cache.set(ref[SPILLED], array);
    }
    return array;
  }
  return isPlainContainer(value) ? mapContainer(value, (v) => restoreArrays(v, cache)) : value;
}
