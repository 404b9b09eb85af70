/**
 * Frame selection of the released MMDuet loader (protocol.md §2.2), reproduced exactly, plus the two
 * frame-cap profiles of §2.1. Pure functions; the decoder feeds decoded frame indices in order.
 */

export type Profile = 'paper' | 'mmduet-code';

/** How the frame cap was honoured: not reached, uniform resampling (paper) or truncation (released scripts). */
export type SamplingMode = 'all' | 'uniform' | 'truncate';

export interface SamplingSettings {
  /** Benchmark frame rate (0.5, 1 or 2). */
  fps: number;
  /** Frame cap (400; 200 for YouCook2 under mmduet-code). */
  maxFrames: number;
  /** What to do beyond the cap. */
  overflow: 'uniform' | 'truncate';
}

export interface SamplingPlan {
  /** Rate the samples are taken at: `fps`, or `maxFrames / D` when uniformly resampled. */
  effectiveFps: number;
  mode: SamplingMode;
  /** `ceil(D · fps)`: the number of targets before the cap. */
  nominalFrames: number;
  /** Samples that will be taken at most (the decoder may deliver fewer if the file is shorter than its metadata). */
  frames: number;
  /** D = frame_count / input_fps (metadata, quirk Q7). */
  duration: number;
}

/** Frame-cap settings of a profile (protocol.md §2.1). */
export function profileSettings(profile: Profile, fps: number, benchmark: string): SamplingSettings {
  if (profile === 'paper') return { fps, maxFrames: 400, overflow: 'uniform' };
  return { fps, maxFrames: benchmark === 'youcook2' ? 200 : 400, overflow: 'truncate' };
}

export function planSampling(inputFps: number, frameCount: number, settings: SamplingSettings): SamplingPlan {
  const duration = frameCount / inputFps;
  const nominalFrames = Math.ceil(duration * settings.fps);
  if (nominalFrames <= settings.maxFrames) {
    return { effectiveFps: settings.fps, mode: 'all', nominalFrames, frames: nominalFrames, duration };
  }
  if (settings.overflow === 'truncate') {
    return { effectiveFps: settings.fps, mode: 'truncate', nominalFrames, frames: settings.maxFrames, duration };
  }
  // Paper: videos longer than the cap are resampled uniformly, fps' = cap / D (loader's "auto" rule).
  return { effectiveFps: settings.maxFrames / duration, mode: 'uniform', nominalFrames, frames: settings.maxFrames, duration };
}

/**
 * The loader's clock: decoded frame j becomes sample k when the float clock c (grown by 1/input_fps
 * per decoded frame) has reached k / fps; at most one sample per decoded frame.
 */
export class FrameSelector {
  private clock = 0;
  private next = 0;
  private readonly step: number;

  constructor(
    private readonly plan: SamplingPlan,
    inputFps: number,
  ) {
    this.step = 1 / inputFps;
  }

  /** Call once per decoded frame, in order: the sample index this frame becomes, or -1. */
  offer(): number {
    let taken = -1;
    if (this.next < this.plan.frames && this.clock >= this.next / this.plan.effectiveFps) {
      taken = this.next;
      this.next++;
    }
    this.clock += this.step;
    return taken;
  }

  /** True once every sample has been taken: the rest of the video need not be decoded. */
  get done(): boolean {
    return this.next >= this.plan.frames;
  }

  get taken(): number {
    return this.next;
  }
}

/**
 * Decoded-frame indices that become samples. The selector depends on the index only, so this is the
 * streaming rule run ahead of time. Indices may pass `frameCount` a little when the metadata count
 * is short of what the clock needs; a file that ends sooner simply yields fewer samples.
 */
export function plannedIndices(plan: SamplingPlan, inputFps: number, frameCount: number): number[] {
  const selector = new FrameSelector(plan, inputFps);
  const out: number[] = [];
  const limit = 2 * frameCount + 16;
  for (let j = 0; j < limit && !selector.done; j++) if (selector.offer() >= 0) out.push(j);
  return out;
}

/** Decoded-frame indices that become samples for a video of exactly `frameCount` frames. */
export function selectedFrameIndices(inputFps: number, frameCount: number, settings: SamplingSettings): number[] {
  return plannedIndices(planSampling(inputFps, frameCount, settings), inputFps, frameCount).filter((j) => j < frameCount);
}

/**
 * Stream times of the samples: the reference loop starts at 0 and adds 1/fps per frame (a float
 * accumulation; exact for 0.5, 1 and 2 fps), and these are the times written to `debug_data`.
 */
export function frameTimes(effectiveFps: number, n: number): number[] {
  const out: number[] = [];
  let t = 0;
  for (let k = 0; k < n; k++) {
    out.push(t);
    t += 1 / effectiveFps;
  }
  return out;
}
