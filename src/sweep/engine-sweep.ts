/**
 * `mmduet sweep youcook2 --param s` / `mmduet sweep magqa --param t` on the real engine: the same inputs
 * as `mmduet infer` (annotation file, videos, model, sampling profile), frame embeddings from the video
 * module's cache, one scoring pass per video (src/engine/score-video.ts) serving every value, each
 * distinct trigger prefix generated once, scores and responses persisted in the sweep directory, and one
 * prediction file per value scored with the benchmark's scorer. With --keep-responses (rm. prev. resp.
 * off) no pass can be shared: every value is its own `mmduet eval` run.
 */
import { join } from 'node:path';
import type { Conventions, Protocol } from '../benchmarks/conventions.js';
import type { GeneratedResponse, ScoredVideo } from '../engine/index.js';
import { policyParameter } from '../engine/policy.js';
import { InputError } from '../errors.js';
import type { AnnotationItem } from '../run/annotations.js';
import { RUN_DEFAULTS, inferBenchmark, resolvePolicy } from '../run/defaults.js';
import { runEval } from '../run/eval.js';
import { runIdentity, type InferOptions } from '../run/infer.js';
import { checkLimit, embedItemVideo, encoderOf, logOf, openInputs, type VideoSource } from '../run/items.js';
import { RunDir } from '../run/rundir.js';
import { referenceSecondsPerExample, scoreResponseSweep } from './response-file.js';
import { policyFor, sweepResponses, type ItemScores, type ResponseEngine, type SweepItem } from './responses.js';
import { SweepStore } from './store.js';
import { sweepFileHeader, type SweepFile } from './types.js';

export interface EngineSweepOptions extends Omit<InferOptions, 's' | 't' | 'outDir'> {
  param: 's' | 't';
  values: number[];
  /** Sweep directory: sweep-run.json, scores.jsonl, responses.jsonl, per-value predictions, sweep.json. */
  outDir: string;
  goldPath?: string;
  goldFormat?: string;
  protocol?: Protocol;
  overrides?: Partial<Conventions>;
  params?: Record<string, string | number | boolean | undefined>;
  /** A finished run on the same machine: Table 4's time per example is relative to it. */
  timeReference?: string;
  /** Frames per decoder call of the scoring pass (default 64; `scoring: 'frame'` = 1). */
  chunkSize?: number;
}

/** What the sweep's engine adapter calls; injectable for tests (call counting). */
export interface SweepEngineApi {
  loadModel: typeof import('../engine/index.js').loadModel;
  scoreVideo: typeof import('../engine/index.js').scoreVideo;
  generateAt: typeof import('../engine/index.js').generateAt;
}

type Item = SweepItem & AnnotationItem;

export interface EngineSweepOutcome {
  sweep: SweepFile;
  failed: { questionId: string; reason: string }[];
}

export async function runEngineSweep(opts: EngineSweepOptions, api?: SweepEngineApi): Promise<EngineSweepOutcome> {
  const benchmark = inferBenchmark(opts.benchmark);
  const kind = RUN_DEFAULTS[benchmark].policy.kind;
  if ((opts.param === 's' && kind !== 'sum') || (opts.param === 't' && kind !== 'per-frame')) {
    throw new InputError(`--param ${opts.param}: expected ${kind === 'sum' ? 's' : kind === 'per-frame' ? 't' : 'w or threshold'} for ${benchmark} (its policy is ${kind})`);
  }
  for (const v of opts.values) resolvePolicy(benchmark, { [opts.param]: v });
  if (opts.keepResponses) return { sweep: await separateRunsSweep(opts), failed: [] };
  checkLimit(opts.limit);
  const chunkSize = opts.scoring === 'frame' ? 1 : (opts.chunkSize ?? 64);
  const log = logOf(opts.log);
  const { annotations, items: selected, ffmpeg } = openInputs(opts);
  const items: Item[] = selected.map((it) => ({ ...it, videoDuration: 0 }));
  const engine = api ?? (await import('../engine/index.js'));
  const model = await engine.loadModel({ modelDir: opts.modelDir, device: opts.device ?? 'auto', log });
  const failed: EngineSweepOutcome['failed'] = [];
  try {
    const encoder = encoderOf(model);
    const base = runIdentity({ ...opts, keepResponses: false, scoring: 'chunked' }, benchmark, annotations.sha256, model.fingerprint.sha256, policyFor(opts.param, opts.values[0]!));
    const { policy: _policy, scoring: _scoring, ...identity } = base;
    const maxNewTokens = model.config.mmduet!.generation.maxNewTokens;
    const store = SweepStore.open(opts.outDir, { ...identity, swept_policy: kind, chunk_size: chunkSize, max_new_tokens: maxNewTokens });
    if (store.reused.scores || store.reused.responses) log(`reusing ${opts.outDir}: ${store.reused.scores} stored score paths, ${store.reused.responses} stored responses`);
    const source: VideoSource = { videosDir: opts.videosDir, identity, encoder, ffmpeg, cacheDir: opts.cacheDir, strict: opts.strict };
    const passes = new Map<string, ScoredVideo>();
    const adapter: ResponseEngine<Item> = {
      async scoreItem(item, policies): Promise<ItemScores | null> {
        const t0 = performance.now();
        const { video, failure } = await embedItemVideo(source, item);
        if (failure !== undefined) {
          failed.push({ questionId: item.questionId, reason: failure });
          return null;
        }
        const t1 = performance.now();
        const scored = await engine.scoreVideo(model, {
          questionId: item.questionId,
          frameEmbeddings: video.embeddings,
          frameTimes: video.frameTimes,
          userTurns: item.userTurns,
          policies,
          chunkSize,
          systemPrompt: identity.system_prompt as 'reference' | 'always',
        });
        passes.get(item.questionId)?.release();
        passes.set(item.questionId, scored);
        return {
          paths: scored.paths.map((p) => ({ frames: p.debug.map((d) => ({ time: d.time, informative: d.informative_score, relevance: d.relevance_score })), triggers: p.triggers, q3Queries: p.q3Queries })),
          videoDuration: video.duration,
          videoSeconds: (t1 - t0) / 1000,
          scoringSeconds: scored.totalMs / 1000,
        };
      },
      async generate(item, keys) {
        const scored = passes.get(item.questionId)!;
        const out = new Map<string, { content: string; seconds: number }>();
        const generated: Map<string, GeneratedResponse> = await engine.generateAt(scored, keys, { maxNewTokens });
        for (const [key, g] of generated) out.set(key, { content: g.text, seconds: g.ms / 1000 });
        return out;
      },
      finishItem(item) {
        passes.get(item.questionId)?.release();
        passes.delete(item.questionId);
      },
    };
    const result = await sweepResponses(items, adapter, {
      param: opts.param,
      values: opts.values,
      removePreviousResponses: true,
      cache: store,
      onItem: (id, info) => log(`${id}: ${info.scored ? 'scored' : 'scores from the sweep cache'}, ${info.generated} responses generated`),
    });
    const sweep = await scoreResponseSweep(result, {
      benchmark,
      param: opts.param,
      goldPath: opts.goldPath ?? opts.dataPath,
      goldFormat: opts.goldFormat,
      outDir: opts.outDir,
      protocol: opts.protocol,
      overrides: opts.overrides,
      params: opts.params,
      referenceSecondsPerExample: opts.timeReference === undefined ? undefined : referenceSecondsPerExample(opts.timeReference),
      referenceLabel: opts.timeReference,
    });
    sweep.source = { ...sweep.source, data: opts.dataPath, model_dir: opts.modelDir, provider: model.provider, chunk_size: chunkSize, sweep_dir: opts.outDir, failed_items: failed };
    if (failed.length) sweep.notes.push(`${failed.length} item(s) failed at video decoding and are missing from every value's predictions: ${failed.map((f) => `${f.questionId} (${f.reason})`).slice(0, 5).join(', ')}`);
    if (result.stats.itemsFromCache || result.stats.responsesFromCache) {
      sweep.notes.push(`${result.stats.itemsFromCache} item(s) took their scores and ${result.stats.responsesFromCache} response(s) from ${opts.outDir} (no model call); their times are those measured when they were computed`);
    }
    return { sweep, failed };
  } finally {
    await model.release();
  }
}

/** rm. prev. resp. off: responses change later scores, so every value is a separate `mmduet eval` run. */
async function separateRunsSweep(opts: EngineSweepOptions): Promise<SweepFile> {
  const rows: SweepFile['rows'] = [];
  const runs: Record<string, string> = {};
  const reference = opts.timeReference === undefined ? undefined : referenceSecondsPerExample(opts.timeReference);
  for (const value of opts.values) {
    const outDir = join(opts.outDir, 'runs', `${opts.param}=${value}`);
    runs[String(value)] = outDir;
    const t0 = performance.now();
    const { result } = await runEval({ ...opts, [opts.param]: value, outDir, keepResponses: true });
    const timing = result.inference_timing;
    const perExample = timing ? timing.mean_total_ms / 1000 : 0;
    const metrics = { ...result.metrics, time_per_example_seconds: perExample } as SweepFile['rows'][number]['metrics'];
    if (reference !== undefined) metrics.time_per_example_relative = perExample / reference;
    rows.push({ value, metrics, counts: result.counts, seconds: (performance.now() - t0) / 1000, notes: result.notes });
  }
  const separate = `--keep-responses (rm. prev. resp. off): responses stay in the context and change every later score, so each value ran as its own mmduet eval (${opts.values.length} full runs, nothing shared)`;
  return {
    ...sweepFileHeader(inferBenchmark(opts.benchmark), opts.param),
    rows,
    reused: separate,
    model_calls: { scoring_passes: opts.values.length, generations: Object.values(runs).reduce((n, dir) => n + RunDir.read(dir).timings<{ responses?: number }>().reduce((m, t) => m + (t.responses ?? 0), 0), 0) },
    source: { data: opts.dataPath, runs_per_value: runs, policy: opts.values.map((v) => policyParameter(policyFor(opts.param, v))) },
    notes: [separate, 'time per example: mean wall-clock per item of each run (video + duet loop, from its timings.jsonl)'],
  };
}
