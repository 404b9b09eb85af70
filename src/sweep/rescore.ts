/**
 * Post-processing sweeps (benchmarks.md §6): w (QVHighlights, Charades-STA) and τ (Charades-STA)
 * only change how stored per-frame scores are scored, so each value is one `scoreToResult` call
 * on the same prediction file — no model is loaded.
 */
import { performance } from 'node:perf_hooks';
import { existsSync } from 'node:fs';
import { getBenchmark } from '../benchmarks/registry.js';
import { InputError } from '../errors.js';
import { sha256File, withParsedFileCache } from '../io/files.js';
import { PREDICTIONS_FILE, RunDir } from '../run/rundir.js';
import { scoreToResult } from '../score/service.js';
import { sweepFileHeader, type SweepFile, type SweepParam, type SweepScoring } from './types.js';

/** Which parameters each benchmark can sweep without inference. */
export const RESCORE_PARAMS: Record<string, readonly SweepParam[]> = {
  qvhighlights: ['w'],
  'charades-sta': ['w', 'threshold'],
};

export interface RescoreSweepOptions extends SweepScoring {
  param: SweepParam;
  values: number[];
  predictionsPath: string;
}

export async function rescoreSweep(opts: RescoreSweepOptions): Promise<SweepFile> {
  const benchmark = getBenchmark(opts.benchmark).name;
  const allowed = RESCORE_PARAMS[benchmark] ?? [];
  if (!allowed.includes(opts.param)) {
    const hint = opts.param === 's' || opts.param === 't' ? ' (s and t change the responses: use the response sweep, which needs the model)' : '';
    throw new InputError(`--param: expected ${allowed.length ? allowed.join(' or ') : 'no post-processing parameter'} for ${benchmark}, found ${opts.param}${hint}`);
  }
  if (opts.values.length === 0) throw new InputError('--values: expected at least one value');
  const rows: SweepFile['rows'] = [];
  let fixed: Record<string, unknown> = {};
  // The same gold and predictions are scored once per value: read and parse them once.
  await withParsedFileCache(async () => {
    for (const value of opts.values) {
      const started = performance.now();
      const result = await scoreToResult({
        benchmark,
        goldPath: opts.goldPath,
        goldFormat: opts.goldFormat,
        predictionsPath: opts.predictionsPath,
        predictionsFormat: 'mmduet',
        protocol: opts.protocol,
        overrides: opts.overrides,
        params: { ...opts.params, [opts.param]: value },
      });
      rows.push({ value, metrics: result.metrics, counts: result.counts, seconds: (performance.now() - started) / 1000, notes: result.notes });
      fixed = result.provenance.parameters;
    }
  });
  const { [opts.param]: _swept, ...heldFixed } = fixed;
  return {
    ...sweepFileHeader(benchmark, opts.param),
    rows,
    reused: `no model call: the stored per-frame scores of ${opts.predictionsPath} were rescored for each value`,
    model_calls: { scoring_passes: 0, generations: 0 },
    source: {
      gold: opts.goldPath,
      gold_sha256: sha256File(opts.goldPath),
      predictions: opts.predictionsPath,
      predictions_sha256: sha256File(opts.predictionsPath),
      protocol: opts.protocol ?? 'mmduet',
      parameters_held_fixed: heldFixed,
    },
    notes: [],
  };
}

/** A finished run directory's prediction file and its annotation file (the default gold, as in `mmduet eval`). */
export function runDirInputs(runDir: string): { predictionsPath: string; dataPath: string | null; benchmark: string } {
  const run = RunDir.read(runDir);
  if (!existsSync(run.predictionsFile)) throw new InputError(`${runDir}: expected ${PREDICTIONS_FILE}, found none`);
  const data = run.run.provenance.data;
  return { predictionsPath: run.predictionsFile, dataPath: typeof data === 'string' ? data : null, benchmark: run.run.identity.benchmark };
}
