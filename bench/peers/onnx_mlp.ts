// onnxruntime-node peer for MLP inference: the trained network written as a small ONNX model (Gemm,
// Relu, Gemm, Softmax) by a minimal protobuf encoder here, then run by an InferenceSession on the same
// rows. Optional: a missing package is reported as skipped with the reason.
import type { FloatArray, Matrix } from '../../lib/tensor';
import { packageVersion } from './js_linalg';

type Ort = typeof import('onnxruntime-node');

// ---- protobuf wire format: varints and length-delimited fields, as byte chunks ----------------

type Bytes = Uint8Array;
const cat = (...parts: Bytes[]): Bytes => Buffer.concat(parts);

function varint(value: number): Bytes {
  const out: number[] = [];
  let v = BigInt(value);
  do {
    const byte = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v > 0n ? byte | 0x80 : byte);
  } while (v > 0n);
  return Uint8Array.from(out);
}

const intField = (field: number, value: number): Bytes => cat(varint(field << 3), varint(value));
const bytesField = (field: number, bytes: Bytes): Bytes => cat(varint((field << 3) | 2), varint(bytes.length), bytes);
const stringField = (field: number, s: string): Bytes => bytesField(field, Buffer.from(s, 'utf8'));

const FLOAT = 1; // TensorProto.DataType.FLOAT

/** ValueInfoProto of a float tensor whose first dimension is symbolic ('rows'). */
function valueInfo(name: string, cols: number): Bytes {
  const dims = cat(bytesField(1, stringField(2, 'rows')), bytesField(1, intField(1, cols)));
  const tensorType = cat(intField(1, FLOAT), bytesField(2, dims));
  return cat(stringField(1, name), bytesField(2, bytesField(1, tensorType)));
}

function initializer(name: string, dims: number[], values: FloatArray): Bytes {
  const raw = Float32Array.from(values);
  return cat(...dims.map((d) => intField(1, d)), intField(2, FLOAT), stringField(8, name), bytesField(9, new Uint8Array(raw.buffer)));
}

function node(op: string, inputs: string[], output: string): Bytes {
  return cat(...inputs.map((i) => stringField(1, i)), stringField(2, output), stringField(3, `${op}_${output}`), stringField(4, op));
}

/** An ONNX model (opset 13) of a relu MLP with softmax output: Gemm (+ Relu) per layer. */
export function mlpOnnx(coefs: readonly Matrix[], intercepts: readonly FloatArray[]): Uint8Array {
  const graph: Bytes[] = [];
  let input = 'X';
  coefs.forEach((w, l) => {
    const last = l + 1 === coefs.length;
    const z = last ? 'logits' : `z${l}`;
    graph.push(bytesField(1, node('Gemm', [input, `W${l}`, `b${l}`], z)));
    if (!last) graph.push(bytesField(1, node('Relu', [z], `a${l}`)));
    input = last ? z : `a${l}`;
    graph.push(bytesField(5, initializer(`W${l}`, [w.rows, w.cols], w.data)), bytesField(5, initializer(`b${l}`, [w.cols], intercepts[l])));
  });
  graph.push(bytesField(1, node('Softmax', ['logits'], 'proba')));
  graph.push(stringField(2, 'mlp'), bytesField(11, valueInfo('X', coefs[0].rows)), bytesField(12, valueInfo('proba', coefs[coefs.length - 1].cols)));
  const opset = cat(stringField(1, ''), intField(2, 13));
  return cat(intField(1, 8), stringField(2, 'threadml-bench'), bytesField(7, cat(...graph)), bytesField(8, opset));
}

export interface OnnxPeer {
  version: string;
  /** Probabilities for X (float32), rows x classes. */
  run(X: Matrix<Float32Array>): Promise<Float32Array>;
  release(): Promise<void>;
}

/** An InferenceSession of the network on `threads` intra-op threads, or the reason it cannot load. */
export async function loadOnnxMlp(coefs: readonly Matrix[], intercepts: readonly FloatArray[], threads: number): Promise<OnnxPeer | string> {
  let ort: Ort;
  try {
    ort = require('onnxruntime-node') as Ort;
  } catch (error) {
    return (error instanceof Error ? error.message : String(error)).split('\n')[0];
  }
  const session = await ort.InferenceSession.create(mlpOnnx(coefs, intercepts), { intraOpNumThreads: threads, interOpNumThreads: 1, executionProviders: ['cpu'] });
  return {
    version: packageVersion('onnxruntime-node'),
    async run(X) {
      const out = await session.run({ X: new ort.Tensor('float32', X.data, [X.rows, X.cols]) });
      return out.proba.data as Float32Array;
    },
    release: () => session.release(),
  };
}
