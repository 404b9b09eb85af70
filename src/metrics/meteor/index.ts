import type { CaptionScorer } from '../caption-types.js';

export interface MeteorOptions {
  /** 'native' (TypeScript port) or 'java' (the original jar in -stdio mode). */
  implementation?: 'native' | 'java';
  jar?: string;
  paraphraseTable?: string;
  wordnetDir?: string;
}

/**
 * Returns a METEOR scorer, or null with the reason when METEOR is unavailable. Callers report
 * METEOR as unavailable (null plus a note), never as 0.
 */
export async function createMeteorScorer(_opts: MeteorOptions = {}): Promise<{ scorer: CaptionScorer | null; reason?: string }> {
  return { scorer: null, reason: 'METEOR is not implemented yet in this build' };
}
