/**
 * `mmduet eval <benchmark> --demo`: bundled demo material (the tiny fixture model and short videos
 * generated with ffmpeg at first use, by the fixtures' `ensureDemo`). The numbers it prints show that
 * the pipeline runs end to end; they are not MMDuet results.
 */
import { existsSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ensureDemo } from '../engine/demo-material.js';
import type { Conventions } from '../benchmarks/conventions.js';
import { readAnnotations } from './annotations.js';
import { inferBenchmark } from './defaults.js';
import { RUN_FILE } from './rundir.js';

export interface DemoRun {
  modelDir: string;
  dataPath: string;
  videosDir: string;
  outDir: string;
  /** Scoring parameters the demo needs (MAGQA: the offline lexical judge). */
  params: Record<string, string | number | boolean | undefined>;
  /** Convention overrides (MAGQA: pad to the demo's item count, not to the 2000 test examples). */
  overrides: Partial<Conventions>;
}

export function defaultDemoDir(): string {
  return process.env.MMDUET_DEMO_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'mmduet-eval', 'demo');
}

export async function prepareDemo(benchmarkName: string, opts: { out?: string; log?: (line: string) => void } = {}): Promise<DemoRun> {
  const benchmark = inferBenchmark(benchmarkName);
  const dir = defaultDemoDir();
  opts.log?.(`demo material in ${dir} (fixture model, generated videos; not MMDuet numbers)`);
  const material = await ensureDemo(dir);
  const dataPath = material.annotations[benchmark];
  let outDir = opts.out;
  if (outDir === undefined) {
    // Demo runs are disposable and the demo material can change between versions: start afresh
    // (only a folder that holds a run of ours is removed).
    outDir = join(process.cwd(), 'demo-runs', benchmark);
    if (existsSync(join(outDir, RUN_FILE))) rmSync(outDir, { recursive: true, force: true });
  }
  return {
    modelDir: material.modelDir,
    dataPath,
    videosDir: material.videosDir,
    outDir,
    params: benchmark === 'magqa' ? { judge: 'lexical' } : {},
    overrides: benchmark === 'magqa' ? { numExamples: readAnnotations(dataPath).items.length } : {},
  };
}
