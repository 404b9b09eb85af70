/**
 * `mmduet eval <benchmark> --demo`: bundled demo material (the tiny fixture model and short videos
 * generated with ffmpeg at first use, by the fixtures' `ensureDemo`). The numbers it prints show that
 * the pipeline runs end to end; they are not MMDuet results.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { InputError } from '../errors.js';
import { packageRoot } from '../version.js';
import { inferBenchmark } from './defaults.js';

export interface DemoRun {
  modelDir: string;
  dataPath: string;
  videosDir: string;
  outDir: string;
  /** Scoring parameters the demo needs (MAGQA: the offline lexical judge). */
  params: Record<string, string | number | boolean | undefined>;
}

/** What fixtures/demo.ts's ensureDemo(dir) gives back (fields read defensively: it is another module's API). */
interface DemoMaterial {
  modelDir?: string;
  videosDir?: string;
  annotations?: Record<string, string>;
  data?: Record<string, string>;
}

export function defaultDemoDir(): string {
  return process.env.MMDUET_DEMO_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'mmduet-eval', 'demo');
}

async function loadEnsureDemo(): Promise<(dir: string) => Promise<DemoMaterial> | DemoMaterial> {
  // fixtures/ sits beside src/ and dist/; the compiled file is used when present, the TypeScript source under tsx.
  const candidates = [join(packageRoot, 'dist', 'fixtures', 'demo.js'), join(packageRoot, 'fixtures', 'demo.js'), join(packageRoot, 'fixtures', 'demo.ts')];
  for (const file of candidates) {
    if (!existsSync(file)) continue;
    try {
      const mod = (await import(pathToFileURL(file).href)) as { ensureDemo?: (dir: string) => Promise<DemoMaterial> | DemoMaterial };
      if (typeof mod.ensureDemo === 'function') return mod.ensureDemo;
    } catch {
      // a .ts file outside tsx cannot be imported: try the next candidate
    }
  }
  throw new InputError(`--demo: the demo generator (fixtures/demo) is not available in this installation (looked for ${candidates.join(', ')})`);
}

export async function prepareDemo(benchmarkName: string, opts: { out?: string; log?: (line: string) => void } = {}): Promise<DemoRun> {
  const benchmark = inferBenchmark(benchmarkName);
  const dir = defaultDemoDir();
  const ensureDemo = await loadEnsureDemo();
  opts.log?.(`demo material in ${dir} (fixture model, generated videos; not MMDuet numbers)`);
  const material = await ensureDemo(dir);
  const dataPath = material.annotations?.[benchmark] ?? material.data?.[benchmark];
  if (!material.modelDir || !material.videosDir || !dataPath) throw new InputError(`--demo: the demo material in ${dir} has no ${benchmark} annotations`);
  return {
    modelDir: material.modelDir,
    dataPath,
    videosDir: material.videosDir,
    outDir: opts.out ?? join(dir, 'runs', benchmark),
    params: benchmark === 'magqa' ? { judge: 'lexical' } : {},
  };
}
