/**
 * Readers for benchmark parameters (`ScoreRequest.params`). They arrive from flags, from JSON or from
 * code as strings, numbers or booleans; an empty string means "not given". A value that is given
 * but malformed is an InputError naming the benchmark and the parameter, never a silent default.
 */
import { InputError } from '../errors.js';

type ParamValue = string | number | boolean | undefined;

export function stringParam(v: ParamValue): string | undefined {
  return v === undefined || v === '' ? undefined : String(v);
}

export function booleanParam(v: ParamValue): boolean | undefined {
  return v === undefined || v === '' ? undefined : v === true || v === 'true';
}

export function numberParam(benchmark: string, name: string, v: ParamValue, opts: { nonNegativeInteger?: boolean } = {}): number | undefined {
  if (v === undefined || v === '') return undefined;
  const n = typeof v === 'string' ? Number(v) : v;
  const ok = typeof n === 'number' && Number.isFinite(n) && (!opts.nonNegativeInteger || (Number.isInteger(n) && n >= 0));
  if (!ok) throw new InputError(`${benchmark}: parameter ${name}: expected ${opts.nonNegativeInteger ? 'a non-negative integer' : 'a number'}, found ${JSON.stringify(v)}`);
  return n as number;
}
