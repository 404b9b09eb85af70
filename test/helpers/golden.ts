import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, '..', '..');
/** ../shared beside the checkout (CI puts it there); MMDUET_SHARED overrides. */
export const sharedDir = process.env.MMDUET_SHARED ?? resolve(repoRoot, '..', 'shared');
export const goldenDir = join(sharedDir, 'golden');
export const hasShared = existsSync(goldenDir);

export function goldenCases(family: string): { name: string; dir: string }[] {
  const dir = join(goldenDir, family);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => existsSync(join(dir, n, 'expected.json')))
    .sort()
    .map((name) => ({ name, dir: join(dir, name) }));
}

export function readJsonFile<T = any>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

/** Relative closeness as the golden README demands (1e-6 by default); NaN matches "NaN". */
export function expectClose(actual: number | null | undefined, expected: number | string | null, rel = 1e-6, label = ''): void {
  if (expected === 'NaN') {
    expect(Number.isNaN(actual as number), `${label}: expected NaN, got ${actual}`).toBe(true);
    return;
  }
  if (expected === null) {
    expect(actual, label).toBeNull();
    return;
  }
  expect(typeof actual, `${label}: expected a number, got ${actual}`).toBe('number');
  const e = expected as number;
  const a = actual as number;
  const tol = Math.max(Math.abs(e) * rel, rel * 1e-3);
  expect(Math.abs(a - e) <= tol, `${label}: expected ${e}, got ${a} (|diff| ${Math.abs(a - e)} > ${tol})`).toBe(true);
}
