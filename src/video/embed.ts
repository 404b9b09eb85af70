/**
 * Video -> frame embeddings, with an on-disk cache keyed by the video's content (sha256), the
 * sampling settings, the preprocessing and the vision encoder's fingerprint: reruns and sweeps never
 * decode or encode a video twice.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '../io/files.js';
import type { FfmpegPaths, VideoInfo } from './ffmpeg.js';
import type { Normalisation } from './letterbox.js';
import { openSampledVideo } from './frames.js';
import type { SamplingPlan, SamplingSettings } from './sampling.js';

/** Bumped whenever decoding, selection, letterboxing or normalisation changes: old cache entries stop matching. */
export const PREPROCESS_VERSION = 'mmduet-eval-video-1';

/** What the video side needs from a loaded model. */
export interface FrameEncoder {
  fingerprint: string;
  /** `[n, 3, size, size]` -> `[n, tokens, hidden]`, flattened. */
  encodeFrames(pixels: Float32Array, n: number): Float32Array | Promise<Float32Array>;
  size: number;
  normalisation: Normalisation;
}

export interface EmbedRequest {
  videoPath: string;
  settings: SamplingSettings;
  encoder: FrameEncoder;
  ffmpeg: FfmpegPaths;
  /** Cache folder; undefined = defaultCacheDir(); null = no cache. */
  cacheDir?: string | null;
  batchSize?: number;
  /** Called after each encoded batch with the number of frames done so far. */
  onFrames?: (done: number, total: number) => void;
}

export interface VideoEmbeddings {
  embeddings: Float32Array;
  frames: number;
  /** Floats per frame (tokens x hidden). */
  valuesPerFrame: number;
  frameTimes: number[];
  /** D from the metadata (quirk Q7). */
  duration: number;
  plan: SamplingPlan;
  info: VideoInfo;
  videoSha256: string;
  cacheKey: string;
  cached: boolean;
  /** Wall-clock split, milliseconds (zero when served from the cache). */
  decodeMs: number;
  encodeMs: number;
}

/** What the cache stores beside the embeddings: the sampling facts, so a hit needs no decoding at all. */
type CacheMeta = Pick<VideoEmbeddings, 'frames' | 'valuesPerFrame' | 'frameTimes' | 'duration' | 'plan' | 'info' | 'videoSha256'> & { version: string };

/** MMDUET_CACHE_DIR, else $XDG_CACHE_HOME/mmduet-eval, else ~/.cache/mmduet-eval; frames live in `frames/`. */
export function defaultCacheDir(): string {
  const base = process.env.MMDUET_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'mmduet-eval');
  return join(base, 'frames');
}

export async function sha256FileStream(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export function embeddingCacheKey(videoSha256: string, settings: SamplingSettings, encoder: FrameEncoder): string {
  const key = {
    v: PREPROCESS_VERSION,
    video: videoSha256,
    fps: settings.fps,
    maxFrames: settings.maxFrames,
    overflow: settings.overflow,
    size: encoder.size,
    mean: encoder.normalisation.mean,
    std: encoder.normalisation.std,
    encoder: encoder.fingerprint,
  };
  return createHash('sha256').update(JSON.stringify(key)).digest('hex');
}

function readCache(dir: string, key: string): CacheMeta & { embeddings: Float32Array } | undefined {
  const metaFile = join(dir, `${key}.json`);
  const binFile = join(dir, `${key}.f32`);
  if (!existsSync(metaFile) || !existsSync(binFile)) return undefined;
  try {
    const meta = JSON.parse(readFileSync(metaFile, 'utf8')) as CacheMeta;
    const buf = readFileSync(binFile);
    if (meta.version !== PREPROCESS_VERSION || buf.byteLength !== meta.frames * meta.valuesPerFrame * 4) return undefined;
    const embeddings = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
    return { ...meta, embeddings };
  } catch {
    return undefined; // a damaged entry is recomputed and overwritten
  }
}

function writeCache(dir: string, key: string, meta: CacheMeta, embeddings: Float32Array): void {
  mkdirSync(dir, { recursive: true });
  // Data first, metadata last: an entry is complete once its .json exists.
  writeFileAtomic(join(dir, `${key}.f32`), Buffer.from(embeddings.buffer, embeddings.byteOffset, embeddings.byteLength));
  writeFileAtomic(join(dir, `${key}.json`), JSON.stringify(meta) + '\n');
}

/** Decodes, samples, letterboxes and encodes one video (or reads the result from the cache). */
export async function embedVideo(req: EmbedRequest): Promise<VideoEmbeddings> {
  const videoSha256 = await sha256FileStream(req.videoPath);
  const cacheKey = embeddingCacheKey(videoSha256, req.settings, req.encoder);
  const cacheDir = req.cacheDir === undefined ? defaultCacheDir() : req.cacheDir;
  if (cacheDir !== null) {
    const hit = readCache(cacheDir, cacheKey);
    if (hit) {
      req.onFrames?.(hit.frames, hit.frames);
      return { ...hit, cacheKey, cached: true, decodeMs: 0, encodeMs: 0 };
    }
  }
  const video = openSampledVideo(req.videoPath, {
    settings: req.settings,
    size: req.encoder.size,
    normalisation: req.encoder.normalisation,
    batchSize: req.batchSize ?? 32,
    ffmpeg: req.ffmpeg,
  });
  // Allocated once the first batch tells the embedding width: one buffer, no second copy at the end.
  let embeddings = new Float32Array(0);
  let valuesPerFrame = 0;
  let decodeMs = 0;
  let encodeMs = 0;
  let t = performance.now();
  let done = 0;
  for await (const batch of video.batches()) {
    const t1 = performance.now();
    decodeMs += t1 - t;
    const encoded = await req.encoder.encodeFrames(batch.pixels, batch.count);
    t = performance.now();
    encodeMs += t - t1;
    if (done === 0) {
      valuesPerFrame = encoded.length / batch.count;
      embeddings = new Float32Array(video.plan.frames * valuesPerFrame);
    }
    embeddings.set(encoded, done * valuesPerFrame);
    done += batch.count;
    req.onFrames?.(done, video.plan.frames);
  }
  const frames = video.taken();
  // The file may hold fewer frames than its metadata promised.
  if (frames * valuesPerFrame < embeddings.length) embeddings = embeddings.slice(0, frames * valuesPerFrame);
  const meta: CacheMeta = {
    version: PREPROCESS_VERSION,
    frames,
    valuesPerFrame,
    frameTimes: video.times(),
    duration: video.info.duration,
    plan: video.plan,
    info: video.info,
    videoSha256,
  };
  if (cacheDir !== null) writeCache(cacheDir, cacheKey, meta, embeddings);
  return { ...meta, embeddings, cacheKey, cached: false, decodeMs, encodeMs };
}
