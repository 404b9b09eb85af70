import { createMeteorScorer } from '../metrics/meteor/index.js';
import type { ScoreRequest } from './types.js';

const str = (v: unknown): string | undefined => (v === undefined ? undefined : String(v));

/** The METEOR scorer a benchmark's flags ask for (`--meteor`, `--meteor-jar`, `--meteor-paraphrase`). */
export function meteorFromParams(params: ScoreRequest['params']): ReturnType<typeof createMeteorScorer> {
  return createMeteorScorer({
    implementation: str(params.meteor) as 'native' | 'java' | undefined,
    jar: str(params.meteorJar),
    paraphraseTable: str(params.meteorParaphrase),
  });
}
