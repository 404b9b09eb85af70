import { createMeteorScorer } from '../metrics/meteor/index.js';
import { stringParam as str } from './params.js';
import type { ScoreRequest } from './types.js';

/** The METEOR scorer a benchmark's flags ask for (`--meteor`, `--meteor-jar`, `--meteor-paraphrase`). */
export function meteorFromParams(params: ScoreRequest['params']): ReturnType<typeof createMeteorScorer> {
  return createMeteorScorer({
    implementation: str(params.meteor) as 'native' | 'java' | undefined,
    jar: str(params.meteorJar),
    paraphraseTable: str(params.meteorParaphrase),
  });
}
