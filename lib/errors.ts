// The one error format: `Expected <what> for <name> but received <value>`.
// TypeError for the wrong kind of value, RangeError for a value of the right kind out of range.

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : `${value}`;
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === 'bigint') return `the bigint ${value}n`;
  if (typeof value === 'boolean' || typeof value === 'symbol') return String(value);
  if (typeof value === 'function') return 'a function';
  if (ArrayBuffer.isView(value)) {
    const name = withArticle(value.constructor.name);
    return 'length' in value ? `${name} of length ${(value as unknown as ArrayLike<unknown>).length}` : name;
  }
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  const name = (value as object).constructor?.name;
  return name && name !== 'Object' ? `an instance of ${name}` : 'an object';
}

function withArticle(noun: string): string {
  return /^[AEIOU]/.test(noun) ? `an ${noun}` : `a ${noun}`;
}

export function typeError(expected: string, name: string, received: unknown): TypeError {
  return new TypeError(`Expected ${expected} for ${name} but received ${describe(received)}`);
}

export function rangeError(expected: string, name: string, received: unknown): RangeError {
  return new RangeError(`Expected ${expected} for ${name} but received ${describe(received)}`);
}

/** Rejection of a call cancelled through its AbortSignal; `cause` is the signal's reason. */
export class AbortError extends Error {
  readonly code = 'ABORT_ERR';
  constructor(message = 'The operation was aborted', options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AbortError';
  }
}
