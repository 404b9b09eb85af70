/** Parsing of `--values`: a comma list (`0,1,2`) or an inclusive range `from:to:step`. */
import { InputError } from '../errors.js';

/** Ranges are computed as from + i·step and cleaned to 12 significant digits, so 0.3:0.6:0.1 gives 0.3, 0.4, 0.5, 0.6 (no float drift). */
export function parseSweepValues(spec: string, flag = '--values'): number[] {
  const text = spec.trim();
  if (text === '') throw new InputError(`${flag}: expected a list like 0,1,2 or a range from:to:step, found an empty value`);
  let values: number[];
  if (text.includes(':')) {
    const parts = text.split(':').map((p) => Number(p.trim()));
    if (parts.length !== 3 || parts.some((p) => !Number.isFinite(p))) throw new InputError(`${flag}: expected from:to:step with three numbers, found ${JSON.stringify(spec)}`);
    const [from, to, step] = parts as [number, number, number];
    if (!(step > 0) || to < from) throw new InputError(`${flag}: expected from <= to and a positive step, found ${JSON.stringify(spec)}`);
    const n = Math.floor((to - from) / step + 1e-9) + 1;
    if (n > 10000) throw new InputError(`${flag}: expected at most 10000 values, found ${n}`);
    values = Array.from({ length: n }, (_, i) => Number((from + i * step).toPrecision(12)));
  } else {
    values = text.split(',').map((p) => {
      const v = Number(p.trim());
      if (p.trim() === '' || !Number.isFinite(v)) throw new InputError(`${flag}: expected numbers separated by commas, found ${JSON.stringify(p)} in ${JSON.stringify(spec)}`);
      return v;
    });
  }
  const seen = new Set<number>();
  for (const v of values) {
    if (seen.has(v)) throw new InputError(`${flag}: expected distinct values, found ${v} twice`);
    seen.add(v);
  }
  return values;
}
