/**
 * Sampled, letterboxed, normalised frames of one video, streamed in batches: at most one decoded
 * frame at full resolution and one batch of 384x384 CHW frames are held at a time.
 */
import { decodeRgbFrames, probeVideo, VideoError, type FfmpegPaths, type VideoInfo } from './ffmpeg.js';
import { letterboxGeometry, letterboxRgb, normalisationTables, rgbToChw, type LetterboxGeometry, type Normalisation } from './letterbox.js';
import { FrameSelector, frameTimes, planSampling, plannedIndices, type SamplingPlan, type SamplingSettings } from './sampling.js';

export interface FrameBatch {
  /** `[count, 3, size, size]` float32, CHW, normalised. */
  pixels: Float32Array;
  count: number;
  /** Sample index of the first frame in the batch. */
  first: number;
  /** Decoded-frame index of each sample (for tests and diagnostics). */
  decodedIndex: number[];
}

export interface FrameStreamOptions {
  settings: SamplingSettings;
  /** Side of the square input (config.mmduet.frame_resolution, 384). */
  size: number;
  normalisation: Normalisation;
  /** Frames per batch (the reference encodes 32 at a time, §3.5). */
  batchSize: number;
  ffmpeg: FfmpegPaths;
}

export interface SampledVideo {
  info: VideoInfo;
  plan: SamplingPlan;
  geometry: LetterboxGeometry;
  /** Yields the batches; afterwards `taken` and `decoded` are final. */
  batches: () => AsyncGenerator<FrameBatch>;
  /** Samples delivered so far (fewer than plan.frames when the file has fewer frames than its metadata). */
  taken: () => number;
  decoded: () => number;
  /** Stream times of the delivered samples (protocol.md §5.6). */
  times: () => number[];
}

/** Probes a video and prepares its sampled frame stream (no decoding until `batches()` is iterated). */
export function openSampledVideo(path: string, opts: FrameStreamOptions): SampledVideo {
  const info = probeVideo(path, opts.ffmpeg);
  const plan = planSampling(info.fps, info.frameCount, opts.settings);
  if (plan.frames === 0) throw new VideoError(path, 'zero-length video (no frame to sample)');
  const geometry = letterboxGeometry(info.width, info.height, opts.size);
  // The loader's choice of frames depends only on the decoded index, so it is known in advance.
  // When most frames are skipped, ffmpeg converts and pipes only the chosen ones (same frames, less work).
  const indices = plannedIndices(plan, info.fps, info.frameCount);
  const selectInFfmpeg = info.frameCount >= 2 * plan.frames;
  let decoded = 0;
  let taken = 0;
  async function* batches(): AsyncGenerator<FrameBatch> {
    const tables = normalisationTables(opts.normalisation);
    const plane = 3 * opts.size * opts.size;
    const canvas = new Uint8Array(opts.size * opts.size * 3);
    let pixels = new Float32Array(opts.batchSize * plane);
    let count = 0;
    let first = 0;
    let decodedIndex: number[] = [];
    const selector = new FrameSelector(plan, info.fps);
    for await (const rgb of decodeRgbFrames(path, info, opts.ffmpeg, selectInFfmpeg ? indices : undefined)) {
      let j: number;
      if (selectInFfmpeg) {
        j = indices[taken]!;
        decoded = j + 1;
      } else {
        j = decoded++;
        if (selector.offer() < 0) continue;
      }
      taken++;
      letterboxRgb(rgb, info.width, info.height, opts.size, canvas);
      rgbToChw(canvas, opts.size, tables, pixels, count * plane);
      decodedIndex.push(j);
      count++;
      if (count === opts.batchSize) {
        yield { pixels, count, first, decodedIndex };
        first += count;
        count = 0;
        decodedIndex = [];
        pixels = new Float32Array(opts.batchSize * plane);
      }
      if (taken >= plan.frames) break;
    }
    if (count > 0) yield { pixels: pixels.subarray(0, count * plane), count, first, decodedIndex };
    if (taken === 0) throw new VideoError(path, 'zero-length video (ffmpeg decoded no frame)');
  }
  return {
    info,
    plan,
    geometry,
    batches,
    taken: () => taken,
    decoded: () => decoded,
    times: () => frameTimes(plan.effectiveFps, taken),
  };
}
