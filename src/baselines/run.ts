/**
 * `mmduet baseline <tc|vt> <benchmark> --model … --data … --videos … --out RUN_DIR`: the whole-video
 * baselines on the MMDuet ONNX contract, in the same resumable run directories as `mmduet infer`
 * (run.json identity, predictions.jsonl flushed per item, errors.jsonl, timings.jsonl, --limit,
 * --shard, progress). Each line is a baseline record `{question_id, model_response: [text],
 * question, video_duration, provenance}` that `mmduet score --baseline-format <fmt>` reads.
 */
import type { DeviceChoice } from '../engine/types.js';
import { frameTimes } from '../video/sampling.js';
import { checkLimit, encoderOf, identityOf, logOf, runItems, type ItemRunInputs, type ItemRunSummary, type ItemStep, type Log } from '../run/items.js';
import { inferBenchmark, type InferBenchmark } from '../run/defaults.js';
import type { RunIdentity } from '../run/rundir.js';
import { BASELINE_MAX_NEW_TOKENS, generateWholeVideo, type WholeVideoModel } from './whole-video.js';
import { parseFormatArg, type BaselineRecord } from './from-gold.js';
import type { BaselineFormat } from './formats.js';

/** A loaded model as the whole-video run uses it: frame encoding plus generation. */
export interface BaselineModel extends WholeVideoModel {
  dir: string;
  provider: string;
  fingerprint: { sha256: string; files: Record<string, string> };
  config: WholeVideoModel['config'] & { mmduet: { frameResolution: number; imageMean: [number, number, number]; imageStd: [number, number, number] } | null };
  encodeFrames(pixels: Float32Array, n: number): Promise<Float32Array>;
  release(): Promise<void>;
}

export interface BaselineRunOptions extends ItemRunInputs {
  format: string;
  benchmark: string;
  modelDir: string;
  outDir: string;
  maxNewTokens?: number;
  /** Injectable for tests; default: the engine's loadModel. */
  loadModel?: (opts: { modelDir: string; device: DeviceChoice; log: Log }) => Promise<BaselineModel>;
}

export interface BaselineRunSummary extends ItemRunSummary {
  format: BaselineFormat;
  /** Answers cut at the token limit (no <|im_end|>). */
  truncated: number;
  /** Items with no user turn: asked with an empty question. */
  withoutQuestion: number;
}

async function defaultLoad(opts: { modelDir: string; device: DeviceChoice; log: Log }): Promise<BaselineModel> {
  const engine = await import('../engine/index.js');
  return engine.loadModel(opts);
}

function baselineIdentity(opts: BaselineRunOptions, benchmark: InferBenchmark, format: BaselineFormat, dataSha: string, modelSha: string): RunIdentity {
  return identityOf(opts, benchmark, dataSha, modelSha, {
    // The run kind lives in the policy slot, so an MMDuet run directory is never resumed as a baseline one.
    policy: { kind: 'whole-video-baseline', format, max_new_tokens: opts.maxNewTokens ?? BASELINE_MAX_NEW_TOKENS, greedy: true },
    remove_previous_responses: false,
    scoring: 'none',
    system_prompt: 'qwen_1_5',
  });
}

export async function runBaseline(opts: BaselineRunOptions): Promise<BaselineRunSummary> {
  const t0 = performance.now();
  const log = logOf(opts.log);
  const format = parseFormatArg(opts.format);
  const benchmark = inferBenchmark(opts.benchmark);
  checkLimit(opts.limit);
  return runItems<BaselineModel, BaselineRunSummary>({
    opts,
    log,
    startedAt: t0,
    loadModel: () => (opts.loadModel ?? defaultLoad)({ modelDir: opts.modelDir, device: opts.device ?? 'auto', log }),
    encoder: (model) => encoderOf(model, 'config.json has no "mmduet" block: the frame resolution and normalisation are unknown'),
    identity: (model, dataSha) => baselineIdentity(opts, benchmark, format, dataSha, model.fingerprint.sha256),
    provenance: (common) => ({ kind: 'baseline', ...common }),
    noteRepairedBytes: false,
    summary: ({ planned, skipped }) => ({ runDir: opts.outDir, benchmark, format, planned, skipped, completed: 0, failed: 0, truncated: 0, withoutQuestion: 0, frames: 0, wallMs: 0 }),
    runItem: (step) => runItem(step, opts, format),
  });
}

/** One predictions.jsonl line of a baseline run: the baseline JSONL record plus provenance. */
export interface BaselineRunRecord extends BaselineRecord {
  provenance: Record<string, unknown>;
}

/** Whole-video generation for one embedded item; appends its prediction and timing lines. */
async function runItem(c: ItemStep<BaselineModel, BaselineRunSummary>, opts: BaselineRunOptions, format: BaselineFormat): Promise<string> {
  const { item, video, identity } = c;
  const t0 = c.startedAt;
  const question = item.userTurns[0]?.content;
  if (question === undefined) c.summary.withoutQuestion++;
  const t1 = performance.now();
  const r = await generateWholeVideo(c.model, {
    format,
    question: question ?? '',
    frameEmbeddings: video.embeddings,
    frameTimes: video.frameTimes,
    nominalTimes: frameTimes(identity.fps, video.plan.nominalFrames),
    duration: video.duration,
    maxNewTokens: opts.maxNewTokens,
  });
  const t2 = performance.now();
  const record: BaselineRunRecord = {
    question_id: item.questionId,
    model_response: [r.text],
    question: question ?? '',
    video_duration: video.duration,
    provenance: { item_index: item.index, baseline_format: format, frames: video.frames, sampling_mode: video.plan.mode, fps: video.plan.effectiveFps, prompt_tokens: r.promptTokens, truncated: r.truncated, model_fingerprint: identity.model_sha256 },
  };
  c.run.appendPrediction(
    record,
    { index: item.index, frames: video.frames, embeddings_cached: video.cached, video_ms: t1 - t0, generate_ms: t2 - t1, generated_tokens: r.generatedTokens, total_ms: t2 - t0 },
  );
  if (r.truncated) c.summary.truncated++;
  return `${video.frames} frames, ${r.generatedTokens} tokens${r.truncated ? ' (cut at the limit)' : ''}`;
}
