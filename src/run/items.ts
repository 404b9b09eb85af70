/**
 * The per-item run machinery `mmduet infer`, `mmduet baseline --model` and the engine sweep share:
 * input checks, annotations + ffmpeg, the frame encoder of a loaded model, the run identity's common
 * fields, embedding one item's video with failed-item recording, and `runItems`, the driver that
 * opens (or resumes) a run directory, skips finished items, drives the progress display, calls a
 * per-item step and releases the model.
 */
import type { DeviceChoice } from '../engine/types.js';
import { InputError } from '../errors.js';
import { toolkitVersion } from '../version.js';
import { checkFfmpeg, resolveFfmpeg, VideoError, type FfmpegPaths } from '../video/ffmpeg.js';
import { embedVideo, PREPROCESS_VERSION, type FrameEncoder, type VideoEmbeddings } from '../video/embed.js';
import { resolveVideoPath } from '../video/paths.js';
import { profileSettings, type Profile, type SamplingSettings } from '../video/sampling.js';
import { readAnnotations, selectItems, type AnnotationFile, type AnnotationItem, type ShardSpec } from './annotations.js';
import { RUN_DEFAULTS, type InferBenchmark } from './defaults.js';
import { createProgress } from './progress.js';
import { RunDir, type RunIdentity } from './rundir.js';

export type Log = (line: string) => void;

/** The options every per-item run takes (infer, baseline, sweep). */
export interface ItemRunInputs {
  dataPath: string;
  videosDir: string;
  limit?: number;
  shard?: ShardSpec;
  device?: DeviceChoice;
  profile?: Profile;
  /** Stop at the first failed video instead of recording it. */
  strict?: boolean;
  ffmpeg?: string;
  /** Frame-embedding cache folder; undefined = default, null = off. */
  cacheDir?: string | null;
  log?: Log;
  /** Progress bar (default: when stderr is a TTY). */
  progress?: boolean;
}

/** The given log, or one line per call on stderr. */
export function logOf(log: Log | undefined): Log {
  return log ?? ((line: string) => process.stderr.write(line + '\n'));
}

export function checkLimit(limit: number | undefined): void {
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 0)) throw new InputError(`--limit: expected a non-negative integer, found ${limit}`);
}

export interface RunInputs {
  annotations: AnnotationFile;
  /** The items this run (shard) covers, after --limit. */
  items: AnnotationItem[];
  ffmpeg: FfmpegPaths;
  ffmpegVersion: string;
}

/** Reads the annotation file, selects the items, and checks that ffmpeg runs. */
export function openInputs(opts: Pick<ItemRunInputs, 'dataPath' | 'limit' | 'shard' | 'ffmpeg'>): RunInputs {
  const annotations = readAnnotations(opts.dataPath);
  const items = selectItems(annotations.items, opts.limit, opts.shard);
  const ffmpeg = resolveFfmpeg(opts.ffmpeg);
  const ffmpegVersion = checkFfmpeg(ffmpeg);
  return { annotations, items, ffmpeg, ffmpegVersion };
}

/** What the frame encoder needs from a loaded model (the engine's LoadedModel, or a baseline's). */
export interface EncodingModel {
  dir: string;
  fingerprint: { sha256: string };
  config: { mmduet: { frameResolution: number; imageMean: [number, number, number]; imageStd: [number, number, number] } | null };
  encodeFrames(pixels: Float32Array, n: number): Promise<Float32Array>;
}

const NO_HEADS = 'the model has no "mmduet" block (no-heads mode); MMDuet inference needs the informative and relevance heads';

/** The model's frame encoder; a model without an `mmduet` block is refused with `${model.dir}: ${missing}`. */
export function encoderOf(model: EncodingModel, missing: string = NO_HEADS): FrameEncoder {
  const mm = model.config.mmduet;
  if (!mm) throw new InputError(`${model.dir}: ${missing}`);
  return {
    fingerprint: model.fingerprint.sha256,
    size: mm.frameResolution,
    normalisation: { mean: mm.imageMean, std: mm.imageStd },
    encodeFrames: (pixels, n) => model.encodeFrames(pixels, n),
  };
}

/** The identity fields that say which kind of run it is (the rest come from the inputs). */
export type RunKindFields = Pick<RunIdentity, 'policy' | 'remove_previous_responses' | 'scoring' | 'system_prompt'>;

/** A run's identity: data, model, sampling profile, shard and limit, plus the kind's own fields. */
export function identityOf(
  opts: Pick<ItemRunInputs, 'profile' | 'shard' | 'limit'>,
  benchmark: InferBenchmark,
  dataSha: string,
  modelSha: string,
  kind: RunKindFields,
): RunIdentity {
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
    policy: kind.policy,
    remove_previous_responses: kind.remove_previous_responses,
    scoring: kind.scoring,
    system_prompt: kind.system_prompt,
    preprocess_version: PREPROCESS_VERSION,
    shard: opts.shard ? `${opts.shard.index}/${opts.shard.count}` : null,
    limit: opts.limit ?? null,
  };
}

/** Where and how an item's video is embedded. */
export interface VideoSource {
  videosDir: string;
  identity: Pick<RunIdentity, 'fps' | 'max_frames' | 'overflow'>;
  encoder: FrameEncoder;
  ffmpeg: FfmpegPaths;
  cacheDir?: string | null;
  strict?: boolean;
}

export type ItemVideo = { video: VideoEmbeddings; failure?: undefined } | { video?: undefined; failure: string };

/** Embeds an item's video; a video that cannot be used is a failure with its reason (rethrown in strict mode). */
export async function embedItemVideo(source: VideoSource, item: AnnotationItem): Promise<ItemVideo> {
  const settings: SamplingSettings = { fps: source.identity.fps, maxFrames: source.identity.max_frames, overflow: source.identity.overflow as 'uniform' | 'truncate' };
  try {
    const video = await embedVideo({
      videoPath: resolveVideoPath(source.videosDir, item.video),
      settings,
      encoder: source.encoder,
      ffmpeg: source.ffmpeg,
      cacheDir: source.cacheDir,
    });
    return { video };
  } catch (e) {
    if (!(e instanceof VideoError) || source.strict) throw e;
    return { failure: e.reason };
  }
}

/** The counters `runItems` keeps; each run's summary adds its own. */
export interface ItemRunCounts {
  /** Items finished now. */
  completed: number;
  /** Items whose video failed now (recorded in errors.jsonl). */
  failed: number;
  frames: number;
  wallMs: number;
}

/** What every run's summary says. */
export interface ItemRunSummary extends ItemRunCounts {
  runDir: string;
  benchmark: InferBenchmark;
  planned: number;
  /** Items already finished before this invocation (resume). */
  skipped: number;
}

/** A loaded model the driver can describe and release. */
export interface RunModel extends EncodingModel {
  provider: string;
  fingerprint: { sha256: string; files: Record<string, string> };
  release(): Promise<void>;
}

/** One embedded item, handed to the run's own step. */
export interface ItemStep<M extends RunModel, S extends ItemRunCounts> {
  item: AnnotationItem;
  video: VideoEmbeddings;
  /** performance.now() before the video was embedded. */
  startedAt: number;
  model: M;
  identity: RunIdentity;
  run: RunDir;
  summary: S;
}

export interface ItemRunSpec<M extends RunModel, S extends ItemRunCounts> {
  opts: ItemRunInputs & { modelDir: string; outDir: string };
  log: Log;
  /** performance.now() at the start of the command: the summary's wallMs runs from it. */
  startedAt: number;
  loadModel(): Promise<M>;
  encoder(model: M): FrameEncoder;
  identity(model: M, dataSha: string): RunIdentity;
  /** run.json provenance from the common block (data, videos, model, provider, ffmpeg, node). */
  provenance(common: Record<string, unknown>): Record<string, unknown>;
  /** Whether the resume line mentions the bytes of a half-written line that were cut. */
  noteRepairedBytes: boolean;
  summary(info: { planned: number; skipped: number; run: RunDir }): S;
  /** Called after a failed item was recorded in errors.jsonl and counted. */
  onFailed?(summary: S, item: AnnotationItem, reason: string): void;
  /** Runs one item and appends its prediction; returns the progress message. */
  runItem(step: ItemStep<M, S>): Promise<string>;
}

/** Opens or resumes the run directory and runs every item not done yet; the model is released at the end. */
export async function runItems<M extends RunModel, S extends ItemRunCounts>(spec: ItemRunSpec<M, S>): Promise<S> {
  const { opts, log } = spec;
  const { annotations, items, ffmpeg, ffmpegVersion } = openInputs(opts);
  const model = await spec.loadModel();
  try {
    const encoder = spec.encoder(model);
    const identity = spec.identity(model, annotations.sha256);
    const run = RunDir.open(opts.outDir, {
      format: 'mmduet-eval-run/1',
      toolkit_version: toolkitVersion(),
      created_at: new Date().toISOString(),
      identity,
      provenance: spec.provenance({
        data: opts.dataPath,
        videos: opts.videosDir,
        model_dir: opts.modelDir,
        model_files: model.fingerprint.files,
        provider: model.provider,
        ffmpeg: ffmpegVersion,
        node_version: process.version,
      }),
      items_planned: items.length,
    });
    if (run.resumed) {
      const repaired = spec.noteRepairedBytes && run.repairedBytes ? `, cut ${run.repairedBytes} bytes of a half-written line` : '';
      log(`resuming ${opts.outDir}: ${run.done.size} of ${items.length} items already done${repaired}`);
    }
    const todo = items.filter((it) => !run.done.has(it.questionId));
    const summary = spec.summary({ planned: items.length, skipped: items.length - todo.length, run });
    const source: VideoSource = { videosDir: opts.videosDir, identity, encoder, ffmpeg, cacheDir: opts.cacheDir, strict: opts.strict };
    const progress = createProgress(todo.length, opts.progress ?? process.stderr.isTTY === true, log);
    try {
      for (const item of todo) {
        const startedAt = performance.now();
        const { video, failure } = await embedItemVideo(source, item);
        if (failure !== undefined) {
          run.appendError({ question_id: item.questionId, index: item.index, video: item.video, reason: failure });
          summary.failed++;
          spec.onFailed?.(summary, item, failure);
          progress.item(item.questionId, 0, `failed: ${failure}`);
          continue;
        }
        const message = await spec.runItem({ item, video, startedAt, model, identity, run, summary });
        summary.completed++;
        summary.frames += video.frames;
        progress.item(item.questionId, video.frames, message);
      }
    } finally {
      progress.stop();
    }
    summary.wallMs = performance.now() - spec.startedAt;
    return summary;
  } finally {
    await model.release();
  }
}
