/**
 * `mmduet eval` as a plain service: infer (or resume) into a run directory, score its predictions
 * with the benchmark's scorer, and write RUN_DIR/result.json.
 */
import { join } from 'node:path';
import type { Conventions, Protocol } from '../benchmarks/conventions.js';
import type { ScoreResult } from '../benchmarks/types.js';
import { InputError } from '../errors.js';
import { scoreToResult, writeResult } from '../score/service.js';
import { readAnnotations } from './annotations.js';
import { runInference, type InferOptions, type InferSummary } from './infer.js';
import { RESULT_FILE, RunDir } from './rundir.js';

export interface EvalOptions extends InferOptions {
  /** Gold file; default: the annotation file itself (QVHighlights: pass the official highlight_val_release.jsonl). */
  goldPath?: string;
  goldFormat?: string;
  protocol?: Protocol;
  overrides?: Partial<Conventions>;
  params?: Record<string, string | number | boolean | undefined>;
}

/** Mean wall-clock per predicted item (benchmarks.md §5 Table 4 "time per example"), from timings.jsonl. */
export interface InferenceTiming {
  items: number;
  mean_total_ms: number;
  mean_decode_ms: number;
  mean_vision_ms: number;
  mean_duet_ms: number;
  /** Items whose embeddings came from the cache (their decode and vision times are 0). */
  cached_items: number;
}

export interface EvalOutcome {
  inference: InferSummary;
  result: ScoreResult & { perItemVideo?: Record<string, string>; inference_timing?: InferenceTiming };
  resultPath: string;
}

/** The scoring call, behind one function so eval does not depend on how the scoring service is wired. */
export async function scoreRun(benchmark: string, req: { goldPath: string; goldFormat?: string; predictionsPath: string; protocol?: Protocol; overrides?: Partial<Conventions>; params?: Record<string, string | number | boolean | undefined> }): Promise<ScoreResult> {
  return scoreToResult({
    benchmark,
    goldPath: req.goldPath,
    goldFormat: req.goldFormat,
    predictionsPath: req.predictionsPath,
    predictionsFormat: 'mmduet',
    protocol: req.protocol,
    overrides: req.overrides,
    params: req.params,
  });
}

/** Adds what inference knows to a score result: failed items, per-item videos (bootstrap clusters), the run identity. */
export function attachInference(result: ScoreResult, run: RunDir, dataPath: string): EvalOutcome['result'] {
  const errors = run.errors();
  const annotations = readAnnotations(dataPath);
  const perItemVideo: Record<string, string> = {};
  for (const item of annotations.items) if (run.done.has(item.questionId)) perItemVideo[item.questionId] = item.video;
  const notes = [...result.notes];
  if (errors.length > 0) {
    const reasons = new Map<string, number>();
    for (const e of errors) {
      const kind = e.reason.replace(/\s*\(.*$/, '');
      reasons.set(kind, (reasons.get(kind) ?? 0) + 1);
    }
    notes.push(
      `${errors.length} item(s) failed at inference and have no prediction line (${[...reasons].map(([k, n]) => `${k}: ${n}`).join(', ')}); see ${join(run.dir, 'errors.jsonl')}`,
    );
  }
  const timings = run.timings<{ total_ms: number; decode_ms: number; vision_ms: number; duet_ms: number; embeddings_cached: boolean }>();
  const mean = (f: (t: (typeof timings)[number]) => number) => (timings.length ? timings.reduce((s, t) => s + f(t), 0) / timings.length : 0);
  const inference_timing: InferenceTiming = {
    items: timings.length,
    mean_total_ms: mean((t) => t.total_ms),
    mean_decode_ms: mean((t) => t.decode_ms),
    mean_vision_ms: mean((t) => t.vision_ms),
    mean_duet_ms: mean((t) => t.duet_ms),
    cached_items: timings.filter((t) => t.embeddings_cached).length,
  };
  return {
    ...result,
    inference_timing,
    counts: { ...result.counts, inference_items_planned: run.run.items_planned, inference_items_predicted: run.done.size, inference_items_failed: errors.length },
    notes,
    perItemVideo,
    provenance: { ...result.provenance, parameters: { ...result.provenance.parameters, run: run.run.identity, run_toolkit_version: run.run.toolkit_version } },
  };
}

/** MAGQA judged by an API: the judge cache lives in the run directory unless another is named, so a rerun pays for nothing twice. */
function judgeInRunDir(benchmark: string, params: EvalOptions['params'], outDir: string): EvalOptions['params'] {
  if (benchmark !== 'magqa' || params?.judge === undefined || params.judge === 'lexical' || params.judgeRunDir !== undefined) return params;
  return { ...params, judgeRunDir: outDir };
}

export async function runEval(opts: EvalOptions): Promise<EvalOutcome> {
  const inference = await runInference(opts);
  const run = RunDir.read(opts.outDir);
  if (run.done.size === 0) throw new InputError(`${opts.outDir}: no item has a prediction (every video failed; see errors.jsonl), nothing to score`);
  const scored = await scoreRun(inference.benchmark, {
    goldPath: opts.goldPath ?? opts.dataPath,
    goldFormat: opts.goldFormat,
    predictionsPath: run.predictionsFile,
    protocol: opts.protocol,
    overrides: opts.overrides,
    params: judgeInRunDir(inference.benchmark, opts.params, opts.outDir),
  });
  const result = attachInference(scored, run, opts.dataPath);
  const resultPath = join(opts.outDir, RESULT_FILE);
  writeResult(resultPath, result);
  return { inference, result, resultPath };
}
