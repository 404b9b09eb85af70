/**
 * Reads judgements saved by an earlier `mmduet judge` run (its cache JSONL, its result JSON or its run
 * directory) so that `mmduet score magqa` can compute the in-span score without asking anyone.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { InputError } from '../errors.js';
import { cachedScore, JudgeCache, type CacheRecord } from './cache.js';
import type { ParseMode } from './parse.js';
import type { PairTally } from './outcome.js';
import { cellsNeeded, type InSpanExample, type ScoreLookup } from '../metrics/inspan.js';

export const CACHE_FILE_NAME = 'judge-cache.jsonl';

function cachePathOf(path: string): string {
  if (!existsSync(path)) throw new InputError(`${path}: file not found (expected a judge cache JSONL, a judge result JSON or a run directory)`);
  if (statSync(path).isDirectory()) return join(path, CACHE_FILE_NAME);
  if (path.endsWith('.json')) return join(dirname(path), CACHE_FILE_NAME);
  return path;
}

export interface SavedJudgments {
  file: string;
  model: string;
  /** Provider host(s) the saved replies came from. */
  provider: string;
  promptSha256: string;
  sampling: string;
  records: number;
  /** A score, `'unparsable'` (stored replies re-parsed under the parse mode of this run), or `'missing'` (no record). */
  lookup: ScoreLookup;
}

/**
 * `model`: which judge's records to use when the file holds several. `parse`: the parse mode the stored raw replies
 * are read under (the stored status and score are those of the run that wrote them, perhaps under another mode).
 */
export function loadJudgments(path: string, model?: string, parse: ParseMode = 'strict'): SavedJudgments {
  const file = cachePathOf(path);
  if (!existsSync(file)) throw new InputError(`${file}: file not found (no judge cache in ${path})`);
  const cache = new JudgeCache(file, { readOnly: true });
  let recs = [...cache.records.values()];
  if (model) recs = recs.filter((r) => r.judge_model === model);
  const identities = new Set(recs.map((r) => JSON.stringify([r.judge_model, r.prompt_sha256, r.sampling])));
  if (identities.size === 0) throw InputError.at(file, undefined, `judgements${model ? ` by ${model}` : ''}`, 'none');
  if (identities.size > 1) {
    throw InputError.at(file, undefined, 'judgements of one judge (pass the judge model to pick one)', [...identities].join(' | '));
  }
  const [m, prompt, sampling] = JSON.parse([...identities][0]!) as [string, string, string];
  const byText = new Map<string, CacheRecord>();
  const textKey = (q: string, g: string, p: string, scope?: string) => JSON.stringify([q, g, p, scope ?? null]);
  for (const r of recs) byText.set(textKey(r.question, r.gold, r.pred, r.scope), r);
  const lookup: ScoreLookup = (ex: InSpanExample, gold: string, pred: string) => {
    const r = byText.get(textKey(ex.question, gold, pred)) ?? byText.get(textKey(ex.question, gold, pred, ex.id));
    if (!r) return 'missing';
    return cachedScore(r, parse) ?? 'unparsable';
  };
  const provider = [...new Set(recs.map((r) => r.provider))].join(', ');
  return { file, model: m, provider, promptSha256: prompt, sampling, records: recs.length, lookup };
}

/**
 * Distinct (question, gold, prediction) pairs the score needs and how they fared; `used`: pairs answered from the
 * saved file (a score or an unparsable reply).
 */
export function savedPairStats(examples: InSpanExample[], saved: SavedJudgments, baselineAllMatch: boolean): PairTally & { used: number } {
  const seen = new Map<string, ReturnType<ScoreLookup>>();
  for (const { ex, gold, pred } of cellsNeeded(examples, baselineAllMatch)) {
    const k = JSON.stringify([ex.question, gold, pred]);
    if (!seen.has(k)) seen.set(k, saved.lookup(ex, gold, pred));
  }
  const count = (v: ReturnType<ScoreLookup>) => [...seen.values()].filter((x) => x === v).length;
  const missing = count('missing');
  return { judged: seen.size, unparsable: count('unparsable'), missing, used: seen.size - missing };
}
