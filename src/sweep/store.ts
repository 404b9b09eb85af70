/**
 * The persisted side of a response sweep (its own directory, `--out`): `sweep-run.json` (what the stored
 * scores and responses depend on: data, model, sampling, system prompt, chunk size, generation length),
 * `scores.jsonl` (one scoring pass's result per item and policy value) and `responses.jsonl` (one line
 * per item and response key). A rerun with the same identity reads both and calls the model only for
 * what is missing; another value list reuses every response already generated. Lines are flushed one by
 * one; a half-written last line (killed process) is cut on open, as in run directories.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import { appendJsonlSync, parseJsonlText, readJson, writeFileAtomic } from '../io/files.js';
import { policyParameter } from '../engine/policy.js';
import type { ResponsePolicy } from '../engine/types.js';
import { repairJsonl } from '../run/rundir.js';
import type { StoredScores, SweepCache } from './responses.js';

export const SWEEP_RUN_FILE = 'sweep-run.json';
export const SCORES_FILE = 'scores.jsonl';
export const RESPONSES_FILE = 'responses.jsonl';

interface ScoreLine extends StoredScores {
  question_id: string;
  policy: string;
}

interface ResponseLine {
  question_id: string;
  key: string;
  content: string;
  seconds: number;
}

const policyKey = (p: ResponsePolicy): string => `${p.kind}:${policyParameter(p)}`;

function readLines<T>(file: string): T[] {
  if (!existsSync(file)) return [];
  return parseJsonlText(readFileSync(file, 'utf8'), file).map((r) => r.value as T);
}

export class SweepStore implements SweepCache {
  private readonly scoreMap = new Map<string, StoredScores>();
  private readonly responseMap = new Map<string, { content: string; seconds: number }>();
  readonly scoresFile: string;
  readonly responsesFile: string;
  /** Lines read back when the store was opened. */
  readonly reused: { scores: number; responses: number };

  private constructor(readonly dir: string) {
    this.scoresFile = join(dir, SCORES_FILE);
    this.responsesFile = join(dir, RESPONSES_FILE);
    repairJsonl(this.scoresFile);
    repairJsonl(this.responsesFile);
    const scores = readLines<ScoreLine>(this.scoresFile);
    const responses = readLines<ResponseLine>(this.responsesFile);
    for (const { question_id, policy, ...s } of scores) this.scoreMap.set(`${question_id}\t${policy}`, s);
    for (const r of responses) this.responseMap.set(`${r.question_id}\t${r.key}`, { content: r.content, seconds: r.seconds });
    this.reused = { scores: scores.length, responses: responses.length };
  }

  /** Opens (or creates) the sweep directory; a different identity is refused with what differs. */
  static open(dir: string, identity: Record<string, unknown>): SweepStore {
    mkdirSync(dir, { recursive: true });
    const file = join(dir, SWEEP_RUN_FILE);
    if (existsSync(file)) {
      const existing = (readJson(file) as { identity?: Record<string, unknown> } | null)?.identity ?? {};
      const keys = new Set([...Object.keys(existing), ...Object.keys(identity)]);
      const diff = [...keys].filter((k) => JSON.stringify(existing[k]) !== JSON.stringify(identity[k])).map((k) => `${k}: ${JSON.stringify(existing[k])} stored, ${JSON.stringify(identity[k])} now`);
      if (diff.length) throw new InputError(`${dir}: cannot reuse the stored sweep, it was made with other inputs (${diff.join('; ')}); use another --out folder`);
    } else {
      if (existsSync(join(dir, SCORES_FILE)) || existsSync(join(dir, RESPONSES_FILE))) throw new InputError(`${dir}: expected an empty folder or a sweep directory, found ${SCORES_FILE} or ${RESPONSES_FILE} without ${SWEEP_RUN_FILE}`);
      writeFileAtomic(file, JSON.stringify({ format: 'mmduet-eval-sweep-run/1', identity }, null, 2) + '\n');
    }
    return new SweepStore(dir);
  }

  scores(questionId: string, policy: ResponsePolicy): StoredScores | undefined {
    return this.scoreMap.get(`${questionId}\t${policyKey(policy)}`);
  }

  putScores(questionId: string, policy: ResponsePolicy, scores: StoredScores): void {
    const line: ScoreLine = { question_id: questionId, policy: policyKey(policy), ...scores };
    appendJsonlSync(this.scoresFile, line);
    this.scoreMap.set(`${questionId}\t${line.policy}`, scores);
  }

  response(questionId: string, key: string): { content: string; seconds: number } | undefined {
    return this.responseMap.get(`${questionId}\t${key}`);
  }

  putResponse(questionId: string, key: string, response: { content: string; seconds: number }): void {
    const line: ResponseLine = { question_id: questionId, key, ...response };
    appendJsonlSync(this.responsesFile, line);
    this.responseMap.set(`${questionId}\t${key}`, response);
  }
}
