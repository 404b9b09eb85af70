import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root: dist/version.js and src/version.ts both sit one level below it. */
export const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

let cached: string | undefined;
export function toolkitVersion(): string {
  if (cached === undefined) {
    const pkg = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string };
    cached = pkg.version;
  }
  return cached;
}
