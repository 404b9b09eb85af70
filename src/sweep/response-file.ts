/**
 * Scores a response sweep: writes each value's prediction records (same lines as `mmduet infer`),
 * scores them with the benchmark's scorer, and builds the sweep file. MAGQA rows also get
 * Table 4's time per example, relative to a reference run's timings when one is given.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { getBenchmark } from '../benchmarks/registry.js';
import { InputError } from '../errors.js';
import { sha256File, withParsedFileCache, writeFileAtomic } from '../io/files.js';
import { RunDir } from '../run/rundir.js';
import { scoreToResult } from '../score/service.js';
import type { ResponseSweepResult } from './responses.js';
import { sweepFileHeader, type SweepFile, type SweepScoring } from './types.js';

/** Mean wall-clock seconds per example of a finished run (video decode + vision + duet loop, from timings.jsonl). */
export function referenceSecondsPerExample(runDir: string): number {
  const timings = RunDir.read(runDir).timings<{ video_ms?: unknown; duet_ms?: unknown }>();
  if (timings.length === 0) throw new InputError(`${runDir}: expected timings.jsonl with one line per example (--time-reference), found none`);
  let total = 0;
  timings.forEach((t, i) => {
    if (typeof t.video_ms !== 'number' || typeof t.duet_ms !== 'number') throw InputError.at(`${runDir}/timings.jsonl`, `line ${i + 1}`, 'numeric video_ms and duet_ms', JSON.stringify(t).slice(0, 80));
    total += t.video_ms + t.duet_ms;
  });
  return total / timings.length / 1000;
}

export interface ResponseSweepScoring extends SweepScoring {
  param: 's' | 't';
  outDir: string;
  /** Seconds per example of a reference run on the same machine (Table 4's "= 1" row). */
  referenceSecondsPerExample?: number;
  referenceLabel?: string;
}

export async function scoreResponseSweep(sweep: ResponseSweepResult, opts: ResponseSweepScoring): Promise<SweepFile> {
  const benchmark = getBenchmark(opts.benchmark).name;
  mkdirSync(opts.outDir, { recursive: true });
  const rows: SweepFile['rows'] = [];
  const predictionFiles: Record<string, string> = {};
  // Every value is scored against the same gold file: read and parse it once.
  await withParsedFileCache(async () => {
    for (const [value, records] of sweep.records) {
      const file = join(opts.outDir, `predictions-${opts.param}=${value}.jsonl`);
      writeFileAtomic(file, records.map((r) => JSON.stringify(r) + '\n').join(''));
      predictionFiles[String(value)] = file;
      const result = await scoreToResult({ benchmark, goldPath: opts.goldPath, goldFormat: opts.goldFormat, predictionsPath: file, predictionsFormat: 'mmduet', protocol: opts.protocol, overrides: opts.overrides, params: opts.params });
      const seconds = sweep.stats.secondsPerValue[String(value)] ?? 0;
      const perExample = records.length ? seconds / records.length : 0;
      const metrics = { ...result.metrics, time_per_example_seconds: perExample } as SweepFile['rows'][number]['metrics'];
      if (opts.referenceSecondsPerExample !== undefined) metrics.time_per_example_relative = perExample / opts.referenceSecondsPerExample;
      const responses = records.reduce((n, r) => n + r.model_response_list.filter((t) => t.role === 'assistant').length, 0);
      const q3 = sweep.stats.q3Affected[String(value)] ?? 0;
      const notes = [...result.notes];
      if (q3) notes.push(`${q3} item(s) have a query right after a triggering frame (quirk Q3): resolved exactly, their frames after that query were scored on this value's own branch of the pass`);
      rows.push({ value, metrics, counts: { ...result.counts, responses, q3_affected_items: q3 }, seconds, notes });
    }
  });
  const notes = [
    `time per example for a value = what a separate run would spend: getting the frame embeddings (decode + vision, or the embedding-cache read) + the scoring pass + the generation time of that value's own responses`,
  ];
  if (opts.referenceSecondsPerExample !== undefined) {
    notes.push(`time_per_example_relative: against ${opts.referenceLabel ?? 'the reference run'} = ${opts.referenceSecondsPerExample.toFixed(3)} s per example; compare only runs made on the same machine`);
  }
  return {
    ...sweepFileHeader(benchmark, opts.param),
    rows,
    reused: `one scoring pass per item served all ${sweep.records.size} values; ${sweep.stats.distinctResponses} distinct responses (${sweep.stats.generations} generated now) instead of ${sweep.stats.responsesAllValues} (rm. prev. resp. on: scores do not depend on ${opts.param}, responses cached by item and frame)`,
    model_calls: { scoring_passes: sweep.stats.scoringPasses, generations: sweep.stats.generations },
    source: { gold: opts.goldPath, gold_sha256: sha256File(opts.goldPath), predictions_per_value: predictionFiles, protocol: opts.protocol ?? 'mmduet', scoring_seconds: sweep.stats.scoringSeconds, generation_seconds: sweep.stats.generationSeconds },
    notes,
  };
}
