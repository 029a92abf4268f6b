// The saved form of tree arrays: each array as base64 of its little-endian bytes (bit-exact, about a
// third of the size of decimal JSON for a forest). Decoding checks types and lengths here; the native
// import then checks the structure (children, features, acyclicity, category sets) before any prediction.
// Categorical splits (gradient boosting) add categorySet and categoryBits; trees without them omit both.
import { rangeError, typeError } from '../errors';
import type { NativeTreeArrays, NativeTreeExport } from '../native';

export interface TreeArraysJSON {
  nodeCount: number;
  nOutputs: number;
  outputOffset: number;
  feature: string;
  threshold: string;
  left: string;
  right: string;
  missingLeft: string;
  value: string;
  impurity: string;
  nNodeSamples: string;
  weightedNNodeSamples: string;
  categorySet?: string;
  categoryBits?: string;
}

type Typed = Int32Array | Float64Array | Uint8Array | Uint32Array;
type ArrayKey = Exclude<keyof NativeTreeArrays & keyof TreeArraysJSON, 'nOutputs' | 'outputOffset' | 'categorySet' | 'categoryBits'>;

const arrays: readonly [ArrayKey, new (n: number) => Typed, 'node' | 'value'][] = [
  ['feature', Int32Array, 'node'],
  ['threshold', Float64Array, 'node'],
  ['left', Int32Array, 'node'],
  ['right', Int32Array, 'node'],
  ['missingLeft', Uint8Array, 'node'],
  ['value', Float64Array, 'value'],
  ['impurity', Float64Array, 'node'],
  ['nNodeSamples', Float64Array, 'node'],
  ['weightedNNodeSamples', Float64Array, 'node'],
];

/** Words per category set (256 bits). */
const CATEGORY_WORDS = 8;

function toBase64(a: Typed): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
}

function checkLittleEndian(): void {
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) throw new Error('threadml tree models are saved little-endian; this platform is big-endian');
}

export function encodeTrees(exported: NativeTreeExport): TreeArraysJSON[] {
  checkLittleEndian();
  return exported.trees.map((t) => {
    const out = { nodeCount: t.feature.length, nOutputs: t.nOutputs, outputOffset: t.outputOffset } as TreeArraysJSON;
    for (const [key] of arrays) out[key] = toBase64(t[key]);
    if (t.categoryBits.length > 0) {
      out.categorySet = toBase64(t.categorySet);
      out.categoryBits = toBase64(t.categoryBits);
    }
    return out;
  });
}

function count(value: unknown, name: string, lo: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < lo || value > 2 ** 31 - 1)
    throw rangeError(`an integer from ${lo} to ${2 ** 31 - 1}`, name, value);
  return value;
}

const base64 = /^[A-Za-z0-9+/]*={0,2}$/;

function decodeBytes(text: unknown, name: string): Buffer {
  if (typeof text !== 'string' || text.length % 4 !== 0 || !base64.test(text)) throw typeError('a base64 string', name, text);
  return Buffer.from(text, 'base64');
}

/** A base64 string holding exactly `length` little-endian elements of Type. */
function decodeArray<A extends Typed>(text: unknown, name: string, Type: new (n: number) => A, length: number): A {
  const bytes = decodeBytes(text, name);
  const element = (Type as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
  if (bytes.length !== length * element) throw rangeError(`${length} elements (${length * element} bytes)`, name, `${bytes.length} bytes`);
  const array = new Type(length);
  new Uint8Array(array.buffer).set(bytes);
  return array;
}

export function decodeTrees(value: unknown, name: string): NativeTreeArrays[] {
  checkLittleEndian();
  if (!Array.isArray(value) || value.length === 0) throw typeError('a non-empty array of trees', name, value);
  return value.map((t: unknown, i: number) => {
    const at = `${name}[${i}]`;
    if (t === null || typeof t !== 'object' || Array.isArray(t)) throw typeError('a tree object', at, t);
    const o = t as Record<string, unknown>;
    const nodeCount = count(o.nodeCount, `${at}.nodeCount`, 1);
    const nOutputs = count(o.nOutputs, `${at}.nOutputs`, 1);
    const out = { nOutputs, outputOffset: count(o.outputOffset, `${at}.outputOffset`, 0) } as NativeTreeArrays;
    for (const [key, Type, size] of arrays) {
      (out as unknown as Record<string, Typed>)[key] = decodeArray(o[key], `${at}.${key}`, Type, size === 'node' ? nodeCount : nodeCount * nOutputs);
    }
    if (o.categoryBits === undefined && o.categorySet === undefined) {
      out.categorySet = new Int32Array(nodeCount).fill(-1);
      out.categoryBits = new Uint32Array(0);
    } else {
      out.categorySet = decodeArray(o.categorySet, `${at}.categorySet`, Int32Array, nodeCount);
      const bits = decodeBytes(o.categoryBits, `${at}.categoryBits`);
      const setBytes = 4 * CATEGORY_WORDS;
      if (bits.length === 0 || bits.length % setBytes !== 0)
        throw rangeError(`a positive multiple of ${setBytes} bytes (${CATEGORY_WORDS} words per category set)`, `${at}.categoryBits`, `${bits.length} bytes`);
      out.categoryBits = new Uint32Array(bits.length / 4);
      new Uint8Array(out.categoryBits.buffer).set(bits);
    }
    return out;
  });
}
