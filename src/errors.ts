/**
 * An error in something the user gave us (a file, a flag, an id). The CLI prints its message on one
 * line without a stack trace and exits with code 2.
 */
export class InputError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }

  /** `FILE:PLACE: expected X, found Y` — the shape every input error takes. */
  static at(file: string, place: string | undefined, expected: string, found?: string): InputError {
    const where = place ? `${file}: ${place}` : file;
    return new InputError(`${where}: expected ${expected}${found === undefined ? '' : `, found ${found}`}`);
  }
}

/** Short, single-line description of a JSON value for error messages. */
export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)}`;
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${String(v)}`;
}
