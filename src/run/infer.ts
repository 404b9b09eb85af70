/**
 * `mmduet infer` as a plain service: annotations -> videos -> frame embeddings -> duet loop ->
 * predictions.jsonl in a resumable run directory. Knows nothing about oclif.
 */
import type { DeviceChoice, DuetRequest, DuetResult, LoadedModel, LoadModelOptions, ResponsePolicy, SystemPromptMode } from '../engine/types.js';
import { InputError } from '../errors.js';
import { toolkitVersion } from '../version.js';
import { checkFfmpeg, resolveFfmpeg, VideoError, type FfmpegPaths } from '../video/ffmpeg.js';
import { embedVideo, PREPROCESS_VERSION, type FrameEncoder } from '../video/embed.js';
import { resolveVideoPath } from '../video/paths.js';
import { profileSettings, type Profile } from '../video/sampling.js';
import { readAnnotations, selectItems, type AnnotationItem, type ShardSpec } from './annotations.js';
import { describePolicy, inferBenchmark, resolvePolicy, RUN_DEFAULTS, type InferBenchmark } from './defaults.js';
import { createProgress, type Progress } from './progress.js';
import { RunDir, type RunFile, type RunIdentity } from './rundir.js';

/** The engine functions inference uses; injectable so the run layer can be tested without ONNX. */
export interface EngineApi {
  loadModel(opts: LoadModelOptions): Promise<LoadedModel>;
  runDuet(model: LoadedModel, req: DuetRequest): Promise<DuetResult>;
}

export interface InferOptions {
  benchmark: string;
  modelDir: string;
  dataPath: string;
  videosDir: string;
  outDir: string;
  limit?: number;
  shard?: ShardSpec;
  device?: DeviceChoice;
  profile?: Profile;
  scoring?: 'chunked' | 'frame';
  /** rm. prev. resp. off (the Table 3 "responses kept in context" row). */
  keepResponses?: boolean;
  s?: number;
  t?: number;
  systemPrompt?: SystemPromptMode;
  /** Stop at the first failed video instead of recording it. */
  strict?: boolean;
  ffmpeg?: string;
  /** Frame-embedding cache folder; undefined = default, null = off. */
  cacheDir?: string | null;
  log?: (line: string) => void;
  /** Progress bar (default: when stderr is a TTY). */
  progress?: boolean;
  engine?: EngineApi;
}

export interface InferSummary {
  runDir: string;
  benchmark: InferBenchmark;
  planned: number;
  /** Items already finished before this invocation (resume). */
  skipped: number;
  /** Items finished now. */
  completed: number;
  failed: number;
  /** question_id -> reason, for items that failed now. */
  failures: { questionId: string; reason: string }[];
  frames: number;
  cachedVideos: number;
  systemPromptCases: Record<string, number>;
  unconsumedUserTurns: number;
  repairedBytes: number;
  resumed: boolean;
  wallMs: number;
}

async function defaultEngine(): Promise<EngineApi> {
  const engine = await import('../engine/index.js');
  return { loadModel: engine.loadModel, runDuet: engine.runDuet };
}

function encoderOf(model: LoadedModel): FrameEncoder {
  const mm = model.config.mmduet;
  if (!mm) throw new InputError(`${model.dir}: the model has no "mmduet" block (no-heads mode); MMDuet inference needs the informative and relevance heads`);
  return {
    fingerprint: model.fingerprint.sha256,
    size: mm.frameResolution,
    normalisation: { mean: mm.imageMean, std: mm.imageStd },
    encodeFrames: (pixels, n) => model.encodeFrames(pixels, n),
  };
}

/** Everything that must match for a resume, from the options. */
export function runIdentity(opts: InferOptions, benchmark: InferBenchmark, dataSha: string, modelSha: string, policy: ResponsePolicy): RunIdentity {
  const profile = opts.profile ?? 'paper';
  const settings = profileSettings(profile, RUN_DEFAULTS[benchmark].fps, benchmark);
  return {
    benchmark,
    data_sha256: dataSha,
    model_sha256: modelSha,
    profile,
    fps: settings.fps,
    max_frames: settings.maxFrames,
    overflow: settings.overflow,
    policy: { ...policy },
    remove_previous_responses: !opts.keepResponses,
    scoring: opts.scoring ?? (opts.keepResponses ? 'frame' : 'chunked'),
    system_prompt: opts.systemPrompt ?? 'reference',
    preprocess_version: PREPROCESS_VERSION,
    shard: opts.shard ? `${opts.shard.index}/${opts.shard.count}` : null,
    limit: opts.limit ?? null,
  };
}

export async function runInference(opts: InferOptions): Promise<InferSummary> {
  const t0 = performance.now();
  const log = opts.log ?? ((line: string) => process.stderr.write(line + '\n'));
  const benchmark = inferBenchmark(opts.benchmark);
  if (opts.limit !== undefined && !(Number.isInteger(opts.limit) && opts.limit >= 0)) throw new InputError(`--limit: expected a non-negative integer, found ${opts.limit}`);
  if (opts.keepResponses && opts.scoring === 'chunked') {
    throw new InputError('--scoring chunked: expected frame scoring with --keep-responses (responses kept in the cache make later scores depend on them, protocol.md §11)');
  }
  const policy = resolvePolicy(benchmark, { s: opts.s, t: opts.t });
  const annotations = readAnnotations(opts.dataPath);
  const items = selectItems(annotations.items, opts.limit, opts.shard);
  const ffmpeg: FfmpegPaths = resolveFfmpeg(opts.ffmpeg);
  const ffmpegVersion = checkFfmpeg(ffmpeg);
  const engine = opts.engine ?? (await defaultEngine());
  const model = await engine.loadModel({ modelDir: opts.modelDir, device: opts.device ?? 'auto', log });
  try {
    const encoder = encoderOf(model);
    const identity = runIdentity(opts, benchmark, annotations.sha256, model.fingerprint.sha256, policy);
    const runFile: RunFile = {
      format: 'mmduet-eval-run/1',
      toolkit_version: toolkitVersion(),
      created_at: new Date().toISOString(),
      identity,
      provenance: {
        data: opts.dataPath,
        videos: opts.videosDir,
        model_dir: opts.modelDir,
        model_files: model.fingerprint.files,
        provider: model.provider,
        ffmpeg: ffmpegVersion,
        node_version: process.version,
        policy: describePolicy(policy),
      },
      items_planned: items.length,
    };
    const run = RunDir.open(opts.outDir, runFile);
    if (run.resumed) log(`resuming ${opts.outDir}: ${run.done.size} of ${items.length} items already done${run.repairedBytes ? `, cut ${run.repairedBytes} bytes of a half-written line` : ''}`);
    const todo = items.filter((it) => !run.done.has(it.questionId));
    const summary: InferSummary = {
      runDir: opts.outDir,
      benchmark,
      planned: items.length,
      skipped: items.length - todo.length,
      completed: 0,
      failed: 0,
      failures: [],
      frames: 0,
      cachedVideos: 0,
      systemPromptCases: {},
      unconsumedUserTurns: 0,
      repairedBytes: run.repairedBytes,
      resumed: run.resumed,
      wallMs: 0,
    };
    const progress = createProgress(todo.length, opts.progress ?? process.stderr.isTTY === true, log);
    try {
      for (const item of todo) {
        await runItem({ item, opts, benchmark, identity, policy, encoder, model, engine, ffmpeg, run, summary, progress });
      }
    } finally {
      progress.stop();
    }
    summary.wallMs = performance.now() - t0;
    return summary;
  } finally {
    await model.release();
  }
}

interface ItemContext {
  item: AnnotationItem;
  opts: InferOptions;
  benchmark: InferBenchmark;
  identity: RunIdentity;
  policy: ResponsePolicy;
  encoder: FrameEncoder;
  model: LoadedModel;
  engine: EngineApi;
  ffmpeg: FfmpegPaths;
  run: RunDir;
  summary: InferSummary;
  progress: Progress;
}

async function runItem(c: ItemContext): Promise<void> {
  const { item, opts, identity } = c;
  const t0 = performance.now();
  let video;
  try {
    const videoPath = resolveVideoPath(opts.videosDir, item.video);
    video = await embedVideo({
      videoPath,
      settings: { fps: identity.fps, maxFrames: identity.max_frames, overflow: identity.overflow as 'uniform' | 'truncate' },
      encoder: c.encoder,
      ffmpeg: c.ffmpeg,
      cacheDir: opts.cacheDir,
    });
  } catch (e) {
    if (!(e instanceof VideoError) || opts.strict) throw e;
    c.run.appendError({ question_id: item.questionId, index: item.index, video: item.video, reason: e.reason });
    c.summary.failed++;
    c.summary.failures.push({ questionId: item.questionId, reason: e.reason });
    c.progress.item(item.questionId, 0, `failed: ${e.reason}`);
    return;
  }
  const t1 = performance.now();
  const { record, stats } = await c.engine.runDuet(c.model, {
    questionId: item.questionId,
    frameEmbeddings: video.embeddings,
    frameTimes: video.frameTimes,
    userTurns: item.userTurns,
    policy: c.policy,
    removePreviousResponses: identity.remove_previous_responses,
    scoring: identity.scoring as 'chunked' | 'frame',
    videoDuration: video.duration,
    systemPrompt: identity.system_prompt as SystemPromptMode,
    provenance: {
      item_index: item.index,
      profile: identity.profile,
      fps: video.plan.effectiveFps,
      frames: video.frames,
      sampling_mode: video.plan.mode,
      remove_previous_responses: identity.remove_previous_responses,
      model_fingerprint: identity.model_sha256,
    },
  });
  const t2 = performance.now();
  c.run.appendPrediction(record, {
    index: item.index,
    frames: video.frames,
    embeddings_cached: video.cached,
    decode_ms: video.decodeMs,
    vision_ms: video.encodeMs,
    video_ms: t1 - t0,
    duet_ms: t2 - t1,
    session_run_ms: stats.sessionRunMs,
    generated_tokens: stats.generatedTokens,
    responses: stats.responses,
    total_ms: t2 - t0,
  });
  const s = c.summary;
  s.completed++;
  s.frames += video.frames;
  if (video.cached) s.cachedVideos++;
  s.systemPromptCases[stats.systemPromptCase] = (s.systemPromptCases[stats.systemPromptCase] ?? 0) + 1;
  s.unconsumedUserTurns += stats.unconsumedUserTurns;
  c.progress.item(item.questionId, video.frames, `${video.frames} frames${video.cached ? ' (cached)' : ''}, ${stats.responses} responses, ${((t2 - t0) / 1000).toFixed(2)} s`);
}
