/**
 * `mmduet baseline <tc|vt> <benchmark> --model … --data … --videos … --out RUN_DIR`: the whole-video
 * baselines on the MMDuet ONNX contract, in the same resumable run directories as `mmduet infer`
 * (run.json identity, predictions.jsonl flushed per item, errors.jsonl, timings.jsonl, --limit,
 * --shard, progress). Each line is a baseline record `{question_id, model_response: [text],
 * question, video_duration, provenance}` that `mmduet score --baseline-format <fmt>` reads.
 */
import type { DeviceChoice } from '../engine/types.js';
import { InputError } from '../errors.js';
import { toolkitVersion } from '../version.js';
import { checkFfmpeg, resolveFfmpeg, VideoError, type FfmpegPaths } from '../video/ffmpeg.js';
import { embedVideo, PREPROCESS_VERSION, type FrameEncoder } from '../video/embed.js';
import { resolveVideoPath } from '../video/paths.js';
import { frameTimes, profileSettings, type Profile } from '../video/sampling.js';
import { readAnnotations, selectItems, type AnnotationItem, type ShardSpec } from '../run/annotations.js';
import { inferBenchmark, RUN_DEFAULTS, type InferBenchmark } from '../run/defaults.js';
import { createProgress } from '../run/progress.js';
import { RunDir, type RunIdentity } from '../run/rundir.js';
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

export interface BaselineRunOptions {
  format: string;
  benchmark: string;
  modelDir: string;
  dataPath: string;
  videosDir: string;
  outDir: string;
  limit?: number;
  shard?: ShardSpec;
  device?: DeviceChoice;
  profile?: Profile;
  strict?: boolean;
  ffmpeg?: string;
  cacheDir?: string | null;
  maxNewTokens?: number;
  log?: (line: string) => void;
  progress?: boolean;
  /** Injectable for tests; default: the engine's loadModel. */
  loadModel?: (opts: { modelDir: string; device: DeviceChoice; log: (line: string) => void }) => Promise<BaselineModel>;
}

export interface BaselineRunSummary {
  runDir: string;
  benchmark: InferBenchmark;
  format: BaselineFormat;
  planned: number;
  skipped: number;
  completed: number;
  failed: number;
  /** Answers cut at the token limit (no <|im_end|>). */
  truncated: number;
  /** Items with no user turn: asked with an empty question. */
  withoutQuestion: number;
  frames: number;
  wallMs: number;
}

async function defaultLoad(opts: { modelDir: string; device: DeviceChoice; log: (line: string) => void }): Promise<BaselineModel> {
  const engine = await import('../engine/index.js');
  return engine.loadModel(opts);
}

function encoderOf(model: BaselineModel): FrameEncoder {
  const mm = model.config.mmduet;
  if (!mm) throw new InputError(`${model.dir}: config.json has no "mmduet" block: the frame resolution and normalisation are unknown`);
  return { fingerprint: model.fingerprint.sha256, size: mm.frameResolution, normalisation: { mean: mm.imageMean, std: mm.imageStd }, encodeFrames: (p, n) => model.encodeFrames(p, n) };
}

function identityOf(opts: BaselineRunOptions, benchmark: InferBenchmark, format: BaselineFormat, dataSha: string, modelSha: string): RunIdentity {
  const settings = profileSettings(opts.profile ?? 'paper', RUN_DEFAULTS[benchmark].fps, benchmark);
  return {
    benchmark,
    data_sha256: dataSha,
    model_sha256: modelSha,
    profile: opts.profile ?? 'paper',
    fps: settings.fps,
    max_frames: settings.maxFrames,
    overflow: settings.overflow,
    // The run kind lives in the policy slot, so an MMDuet run directory is never resumed as a baseline one.
    policy: { kind: 'whole-video-baseline', format, max_new_tokens: opts.maxNewTokens ?? BASELINE_MAX_NEW_TOKENS, greedy: true },
    remove_previous_responses: false,
    scoring: 'none',
    system_prompt: 'qwen_1_5',
    preprocess_version: PREPROCESS_VERSION,
    shard: opts.shard ? `${opts.shard.index}/${opts.shard.count}` : null,
    limit: opts.limit ?? null,
  };
}

export async function runBaseline(opts: BaselineRunOptions): Promise<BaselineRunSummary> {
  const t0 = performance.now();
  const log = opts.log ?? ((line: string) => process.stderr.write(line + '\n'));
  const format = parseFormatArg(opts.format);
  const benchmark = inferBenchmark(opts.benchmark);
  if (opts.limit !== undefined && !(Number.isInteger(opts.limit) && opts.limit >= 0)) throw new InputError(`--limit: expected a non-negative integer, found ${opts.limit}`);
  const annotations = readAnnotations(opts.dataPath);
  const items = selectItems(annotations.items, opts.limit, opts.shard);
  const ffmpeg = resolveFfmpeg(opts.ffmpeg);
  const ffmpegVersion = checkFfmpeg(ffmpeg);
  const model = await (opts.loadModel ?? defaultLoad)({ modelDir: opts.modelDir, device: opts.device ?? 'auto', log });
  try {
    const encoder = encoderOf(model);
    const identity = identityOf(opts, benchmark, format, annotations.sha256, model.fingerprint.sha256);
    const run = RunDir.open(opts.outDir, {
      format: 'mmduet-eval-run/1',
      toolkit_version: toolkitVersion(),
      created_at: new Date().toISOString(),
      identity,
      provenance: { kind: 'baseline', data: opts.dataPath, videos: opts.videosDir, model_dir: opts.modelDir, model_files: model.fingerprint.files, provider: model.provider, ffmpeg: ffmpegVersion, node_version: process.version },
      items_planned: items.length,
    });
    if (run.resumed) log(`resuming ${opts.outDir}: ${run.done.size} of ${items.length} items already done`);
    const todo = items.filter((it) => !run.done.has(it.questionId));
    const summary: BaselineRunSummary = { runDir: opts.outDir, benchmark, format, planned: items.length, skipped: items.length - todo.length, completed: 0, failed: 0, truncated: 0, withoutQuestion: 0, frames: 0, wallMs: 0 };
    const progress = createProgress(todo.length, opts.progress ?? process.stderr.isTTY === true, log);
    try {
      for (const item of todo) await runItem({ item, opts, identity, format, encoder, model, ffmpeg, run, summary, progress });
    } finally {
      progress.stop();
    }
    summary.wallMs = performance.now() - t0;
    return summary;
  } finally {
    await model.release();
  }
}

/** One predictions.jsonl line of a baseline run: the baseline JSONL record plus provenance. */
export interface BaselineRunRecord extends BaselineRecord {
  provenance: Record<string, unknown>;
}

interface ItemContext {
  item: AnnotationItem;
  opts: BaselineRunOptions;
  identity: RunIdentity;
  format: BaselineFormat;
  encoder: FrameEncoder;
  model: BaselineModel;
  ffmpeg: FfmpegPaths;
  run: RunDir;
  summary: BaselineRunSummary;
  progress: ReturnType<typeof createProgress>;
}

async function runItem(c: ItemContext): Promise<void> {
  const { item, identity } = c;
  const t0 = performance.now();
  let video;
  try {
    video = await embedVideo({
      videoPath: resolveVideoPath(c.opts.videosDir, item.video),
      settings: { fps: identity.fps, maxFrames: identity.max_frames, overflow: identity.overflow as 'uniform' | 'truncate' },
      encoder: c.encoder,
      ffmpeg: c.ffmpeg,
      cacheDir: c.opts.cacheDir,
    });
  } catch (e) {
    if (!(e instanceof VideoError) || c.opts.strict) throw e;
    c.run.appendError({ question_id: item.questionId, index: item.index, video: item.video, reason: e.reason });
    c.summary.failed++;
    c.progress.item(item.questionId, 0, `failed: ${e.reason}`);
    return;
  }
  const question = item.userTurns[0]?.content;
  if (question === undefined) c.summary.withoutQuestion++;
  const t1 = performance.now();
  const r = await generateWholeVideo(c.model, {
    format: c.format,
    question: question ?? '',
    frameEmbeddings: video.embeddings,
    frameTimes: video.frameTimes,
    nominalTimes: frameTimes(identity.fps, video.plan.nominalFrames),
    duration: video.duration,
    maxNewTokens: c.opts.maxNewTokens,
  });
  const t2 = performance.now();
  const record: BaselineRunRecord = {
      question_id: item.questionId,
      model_response: [r.text],
      question: question ?? '',
      video_duration: video.duration,
      provenance: { item_index: item.index, baseline_format: c.format, frames: video.frames, sampling_mode: video.plan.mode, fps: video.plan.effectiveFps, prompt_tokens: r.promptTokens, truncated: r.truncated, model_fingerprint: identity.model_sha256 },
  };
  c.run.appendPrediction(
    record,
    { index: item.index, frames: video.frames, embeddings_cached: video.cached, video_ms: t1 - t0, generate_ms: t2 - t1, generated_tokens: r.generatedTokens, total_ms: t2 - t0 },
  );
  c.summary.completed++;
  c.summary.frames += video.frames;
  if (r.truncated) c.summary.truncated++;
  c.progress.item(item.questionId, video.frames, `${video.frames} frames, ${r.generatedTokens} tokens${r.truncated ? ' (cut at the limit)' : ''}`);
}
