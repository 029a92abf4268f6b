// Common handling for every native call: option checks, AbortSignal wiring, progress, and the
// caller's stack on native errors (the error is created on another tick, so V8's stack would be empty).
import { AbortError, rangeError, typeError } from './errors';
import type { NativeJobOptions } from './native';

/** Options every long-running call accepts. */
export interface JobOptions {
  /** Cancels the call; the Promise rejects with an AbortError promptly. */
  signal?: AbortSignal;
  /** Native threads for this call (default: the process-wide budget, see setThreads). */
  threads?: number;
  /** Called on the JS thread with the fraction done (0..1), at most every 1%. */
  onProgress?: (fraction: number) => void;
}

export function checkThreads(threads: unknown, name: string): number {
  if (typeof threads !== 'number' || !Number.isInteger(threads)) throw typeError('an integer', name, threads);
  if (threads < 1 || threads > 4096) throw rangeError('an integer from 1 to 4096', name, threads);
  return threads;
}

function abortErrorFor(signal: AbortSignal): AbortError {
  return new AbortError('The operation was aborted', { cause: signal.reason });
}

/** Runs `start` with native job options built from the user's options. */
export function runJob<T>(options: JobOptions | undefined, start: (native: NativeJobOptions) => Promise<T>): Promise<T> {
  const native: NativeJobOptions = {};
  let signal: AbortSignal | undefined;
  if (options !== undefined) {
    if (options === null || typeof options !== 'object') return Promise.reject(typeError('an options object', 'options', options));
    if (options.threads !== undefined) native.threads = checkThreads(options.threads, 'options.threads');
    if (options.onProgress !== undefined) {
      const onProgress = options.onProgress;
      if (typeof onProgress !== 'function')
        return Promise.reject(typeError('a function', 'options.onProgress', onProgress));
      native.onProgress = (fraction) => {
        try {
          onProgress(fraction);
        } catch (error) {
          // A throwing progress callback must not unwind into native code; report it like an event handler would.
          queueMicrotask(() => {
            throw error;
          });
        }
      };
    }
    signal = options.signal;
    if (signal !== undefined) {
      if (!(signal instanceof AbortSignal)) return Promise.reject(typeError('an AbortSignal', 'options.signal', signal));
      if (signal.aborted) return Promise.reject(abortErrorFor(signal));
      native.abort = new Int32Array(1);
    }
  }
  const caller: { stack?: string } = {};
  Error.captureStackTrace(caller, runJob);
  let promise: Promise<T>;
  try {
    promise = start(native);
  } catch (error) {
    return Promise.reject(error);
  }
  if (signal === undefined) return promise.catch((error) => Promise.reject(withCallerStack(error, caller.stack)));
  const flag = native.abort as Int32Array;
  const onAbort = () => Atomics.store(flag, 0, 1);
  signal.addEventListener('abort', onAbort, { once: true });
  const activeSignal = signal;
  return promise.then(
    (value) => {
      activeSignal.removeEventListener('abort', onAbort);
      return value;
    },
    (error) => {
      activeSignal.removeEventListener('abort', onAbort);
      if (error?.code === 'ABORT_ERR') return Promise.reject(withCallerStack(abortErrorFor(activeSignal), caller.stack));
      return Promise.reject(withCallerStack(error, caller.stack));
    },
  );
}

function withCallerStack(error: unknown, callerStack: string | undefined): unknown {
  if (error instanceof Error && callerStack !== undefined) {
    const frames = callerStack.slice(callerStack.indexOf('\n') + 1);
    error.stack = `${error.name}: ${error.message}\n${frames}`;
  }
  return error;
}
