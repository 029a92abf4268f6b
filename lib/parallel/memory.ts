// Memory(location): joblib's disk cache. `memory.cache(fn)` stores each result under a key made of
// the function's source and its arguments (typed arrays hashed natively, off the JS thread), so a
// changed function or argument recomputes. Results keep typed arrays as raw bytes after a JSON header.
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { threadId } from 'node:worker_threads';
import { typeError } from '../errors';
import { addon } from '../native';

type TypedArray = Exclude<ArrayBufferView, DataView>;

/** Options of a cached function. */
export interface MemoryOptions {
  /** Names the function's folder in the cache (default: the function's name, or 'anonymous'). */
  name?: string;
}

export type CachedFunction<A extends unknown[], R> = ((...args: A) => Promise<Awaited<R>>) & {
  /** Removes this function's stored results. */
  clear(): Promise<void>;
};

/** The 16-hex-digit seeded 64-bit hash of a typed array's bytes, the same for any thread count. */
export function hashArray(view: ArrayBufferView, seed = 0): Promise<string> {
  if (!ArrayBuffer.isView(view)) return Promise.reject(typeError('a typed array or DataView', 'view', view));
  if (!Number.isSafeInteger(seed) || seed < 0) return Promise.reject(typeError('a non-negative integer', 'seed', seed));
  return addon.hashBytes(view, seed, {});
}

const ARRAY = '__threadmlArray';

function isTypedArray(value: unknown): value is TypedArray {
  return ArrayBuffer.isView(value) && !(value instanceof DataView);
}

/** Every typed array inside value, walking arrays and objects (in a fixed order). */
function collectArrays(value: unknown, out: TypedArray[], seen = new Set<object>()): TypedArray[] {
  if (isTypedArray(value)) out.push(value);
  else if (value !== null && typeof value === 'object' && !seen.has(value)) {
    seen.add(value);
    for (const v of Object.values(value)) collectArrays(v, out, seen);
  }
  return out;
}

async function argumentsKey(args: unknown[]): Promise<string> {
  const arrays = collectArrays(args, []);
  const hashes = new Map<unknown, string>();
  await Promise.all(arrays.map(async (a) => hashes.set(a, await addon.hashBytes(a, 0, {}))));
  const text = JSON.stringify(args, (_key, v) => {
    if (isTypedArray(v)) return { [ARRAY]: v.constructor.name, length: v.byteLength, hash: hashes.get(v) };
    return typeof v === 'bigint' ? { bigint: `${v}` } : v;
  });
  return createHash('sha256').update(text ?? 'undefined').digest('hex').slice(0, 32);
}

// ---- the entry file: "TMLCACHE", u32 header length, u32 0, JSON header, raw arrays (8-aligned) ----

const MAGIC = Buffer.from('TMLCACHE');
const PREFIX = 16;

interface Header {
  version: 1;
  value: unknown;
  arrays: { type: string; offset: number; byteLength: number }[];
  payloadBytes: number;
  payloadHash: string;
}

const align8 = (n: number) => Math.ceil(n / 8) * 8;

async function writeEntry(file: string, value: unknown): Promise<void> {
  const arrays: TypedArray[] = [];
  const json = JSON.stringify(value, (_key, v) => {
    if (!isTypedArray(v)) return v;
    arrays.push(v);
    return { [ARRAY]: arrays.length - 1 };
  });
  let offset = 0;
  const layout = arrays.map((a) => {
    const entry = { type: a.constructor.name, offset, byteLength: a.byteLength };
    offset = align8(offset + a.byteLength);
    return entry;
  });
  const payload = Buffer.alloc(offset);
  arrays.forEach((a, i) => payload.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), layout[i].offset));
  const header: Header = {
    version: 1,
    value: json === undefined ? null : JSON.parse(json),
    arrays: layout,
    payloadBytes: payload.length,
    payloadHash: await addon.hashBytes(payload, 0, {}),
  };
  const headerText = JSON.stringify(header);
  const headerBytes = Buffer.alloc(align8(PREFIX + Buffer.byteLength(headerText)) - PREFIX, ' ');
  headerBytes.write(headerText);
  const prefix = Buffer.alloc(PREFIX);
  MAGIC.copy(prefix);
  prefix.writeUInt32LE(headerBytes.length, 8);
  // Write to a private name, then rename: readers and concurrent writers see a whole entry or none.
  const temp = `${file}.${process.pid}.${threadId}.${randomBytes(4).toString('hex')}.tmp`;
  await fs.writeFile(temp, Buffer.concat([prefix, headerBytes, payload]));
  await fs.rename(temp, file);
}

/** The stored value, or undefined when the entry is missing, truncated or corrupted. */
async function readEntry(file: string): Promise<{ value: unknown } | undefined> {
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(file);
  } catch {
    return undefined;
  }
  try {
    if (bytes.length < PREFIX || !bytes.subarray(0, 8).equals(MAGIC)) return undefined;
    const headerLength = bytes.readUInt32LE(8);
    const header = JSON.parse(bytes.toString('utf8', PREFIX, PREFIX + headerLength)) as Header;
    const start = PREFIX + headerLength;
    if (header.version !== 1 || bytes.length !== start + header.payloadBytes) return undefined;
    // A payload that does not start 8-aligned in memory is copied so that Float64Array views fit.
    const payload = (bytes.byteOffset + start) % 8 === 0 ? bytes.subarray(start) : Buffer.from(bytes.subarray(start));
    if ((await addon.hashBytes(payload, 0, {})) !== header.payloadHash) return undefined;
    const arrays = header.arrays.map(({ type, offset, byteLength }) => {
      const Ctor = (globalThis as unknown as Record<string, { new (b: ArrayBufferLike, o: number, n: number): TypedArray; BYTES_PER_ELEMENT: number }>)[type];
      if (!/Array$/.test(type) || Ctor?.BYTES_PER_ELEMENT === undefined || offset + byteLength > payload.length) throw new Error('bad array');
      return new Ctor(payload.buffer, payload.byteOffset + offset, byteLength / Ctor.BYTES_PER_ELEMENT);
    });
    const revive = (v: unknown): unknown => {
      if (v === null || typeof v !== 'object') return v;
      if (ARRAY in v) return arrays[(v as Record<string, number>)[ARRAY]];
      if (Array.isArray(v)) return v.map(revive);
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, revive(x)]));
    };
    return { value: revive(header.value) };
  } catch {
    return undefined;
  }
}

export class Memory {
  readonly location: string;

  constructor(location: string) {
    if (typeof location !== 'string' || location.length === 0) throw typeError('a directory path', 'location', location);
    this.location = path.resolve(location);
  }

  /**
   * Wraps `fn` (sync or async): a call with arguments seen before returns the stored result without
   * calling `fn`. Arguments and results: JSON values, typed arrays, and arrays/objects of them.
   */
  cache<A extends unknown[], R>(fn: (...args: A) => R, options: MemoryOptions = {}): CachedFunction<A, R> {
    if (typeof fn !== 'function') throw typeError('a function', 'fn', fn);
    const name = options.name ?? (fn.name || 'anonymous');
    if (typeof name !== 'string' || !/^[\w.-]+$/.test(name)) throw typeError('a name of letters, digits, _ . -', 'options.name', name);
    // The source is part of the folder name: an edited function never reads its old results.
    const dir = path.join(this.location, `${name}-${createHash('sha256').update(fn.toString()).digest('hex').slice(0, 16)}`);
    const cached = async (...args: A): Promise<Awaited<R>> => {
      const file = path.join(dir, `${await argumentsKey(args)}.tmlc`);
      const hit = await readEntry(file);
      if (hit !== undefined) return hit.value as Awaited<R>;
      const value = await fn(...args);
      await fs.mkdir(dir, { recursive: true });
      await writeEntry(file, value);
      return value;
    };
    return Object.assign(cached, { clear: () => fs.rm(dir, { recursive: true, force: true }) });
  }

  /** Removes every stored result. */
  clear(): Promise<void> {
    return fs.rm(this.location, { recursive: true, force: true });
  }
}
