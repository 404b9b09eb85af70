/**
 * Persistent judge cache: an append-only JSONL log in the run directory, one record per judged pair,
 * flushed per record. Content-keyed (judge.md §6), so a rerun asks only for pairs not seen before.
 * Only replies are cached (a score or an unparsable reply); transport failures are never cached.
 */
import { existsSync, readFileSync, truncateSync } from 'node:fs';
import { InputError } from '../errors.js';
import { appendJsonlSync, sha256Text } from '../io/files.js';
import { parseJudgeReply, type ParseMode } from './parse.js';

export interface JudgeIdentity {
  /** Model identifier with its dated version, e.g. gpt-4o-2024-08-06. */
  model: string;
  /** Provider host (no scheme, port, path or credentials). */
  provider: string;
  promptSha256: string;
  /** Sampling settings as a canonical string, e.g. "temperature=0,max_tokens=32". */
  sampling: string;
}

export interface PairText {
  question: string;
  gold: string;
  pred: string;
  /** Set only when cross-example reuse is disabled (sampling judges): the example id. */
  scope?: string;
}

export interface TokenUsage {
  prompt_tokens: number;
  completion_tokens: number;
}

export interface CacheRecord {
  key: string;
  judge_model: string;
  provider: string;
  prompt_sha256: string;
  sampling: string;
  question: string;
  gold: string;
  pred: string;
  scope?: string;
  status: 'ok' | 'unparsable';
  score: number | null;
  /** Every raw reply received (two when the first was unparsable and the pair was re-asked). */
  replies: string[];
  usage: TokenUsage;
  cost_usd: number | null;
  route: 'chat' | 'batch' | 'local';
  at: string;
}

export function cacheKey(id: JudgeIdentity, pair: PairText): string {
  return sha256Text(JSON.stringify([id.model, id.provider, id.promptSha256, id.sampling, pair.question, pair.gold, pair.pred, pair.scope ?? null]));
}

export class JudgeCache {
  readonly records = new Map<string, CacheRecord>();
  /** Bytes of a half-written last line dropped on load (a run killed mid-write). */
  droppedTailBytes = 0;

  /** `file` null: in memory only. `readOnly`: load without repairing a torn tail and never append (dry runs). */
  constructor(
    readonly file: string | null,
    private readonly opts: { readOnly?: boolean } = {},
  ) {
    if (!file || !existsSync(file)) return;
    let text = readFileSync(file, 'utf8');
    const lastNewline = text.lastIndexOf('\n');
    if (lastNewline !== text.length - 1) {
      // A run killed mid-write leaves a partial record: ignore it, and cut it so the next append starts a fresh line.
      this.droppedTailBytes = Buffer.byteLength(text.slice(lastNewline + 1));
      text = text.slice(0, lastNewline + 1);
      if (!opts.readOnly) truncateSync(file, Buffer.byteLength(text));
    }
    text.split('\n').forEach((line, i) => {
      if (line.trim() === '') return;
      let rec: CacheRecord;
      try {
        rec = JSON.parse(line) as CacheRecord;
      } catch (e) {
        throw new InputError(`${file}: line ${i + 1}: invalid JSON in the judge cache (${(e as Error).message}); remove the line to continue`);
      }
      if (typeof rec.key !== 'string' || (rec.status !== 'ok' && rec.status !== 'unparsable')) {
        throw InputError.at(file, `line ${i + 1}`, 'a judge cache record with key and status', line.slice(0, 60));
      }
      this.records.set(rec.key, rec);
    });
  }

  get(key: string): CacheRecord | undefined {
    return this.records.get(key);
  }

  add(rec: CacheRecord): void {
    if (this.opts.readOnly) throw new Error('judge cache opened read-only');
    if (this.file) appendJsonlSync(this.file, rec);
    this.records.set(rec.key, rec);
  }
}

/**
 * The score of a cached record under the run's parse mode: the first of its raw replies that parses. The cache key
 * does not hold the parse mode (the raw reply is what is cached), so a record written under another mode is
 * re-parsed rather than its stored status trusted.
 */
export function cachedScore(rec: CacheRecord, parse: ParseMode): number | null {
  if (rec.route === 'local') return rec.score;
  for (const reply of rec.replies) {
    const score = parseJudgeReply(reply, parse);
    if (score !== null) return score;
  }
  return null;
}
