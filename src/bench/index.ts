/**
 * `npm run bench`: runs every benchmark module in this folder (each exports `run()` returning its
 * figures) and prints one JSON object. `npm run bench -- NAME ...` runs only those.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { cpus } from 'node:os';

const here = dirname(fileURLToPath(import.meta.url));

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const names = readdirSync(here)
    .filter((f) => f.endsWith('.js') && f !== 'index.js')
    .map((f) => f.slice(0, -3))
    .filter((n) => only.length === 0 || only.includes(n))
    .sort();
  const figures: Record<string, unknown> = {};
  for (const name of names) {
    const mod = (await import(pathToFileURL(join(here, `${name}.js`)).href)) as { run?: () => Promise<Record<string, unknown>> };
    if (typeof mod.run !== 'function') continue;
    const t0 = performance.now();
    try {
      figures[name] = await mod.run();
    } catch (e) {
      figures[name] = { error: (e as Error).message };
      process.exitCode = 1;
    }
    process.stderr.write(`bench ${name}: ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  }
  const machine = { node: process.version, cpus: cpus().length, cpu_model: cpus()[0]?.model ?? 'unknown' };
  process.stdout.write(JSON.stringify({ machine, ...figures }, null, 2) + '\n');
}

await main();
