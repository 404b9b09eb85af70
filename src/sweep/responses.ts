/**
 * s and t sweeps with rm. prev. resp. on (benchmarks.md §6, protocol.md §11): per-frame scores do
 * not depend on s or t, and the response at a frame is the same whatever threshold triggered it
 * (same KV prefix, greedy decoding, no repetition penalty). So: one scoring pass per item serving
 * every value, and each distinct trigger prefix generated once across all values (cache keyed by
 * item and response key = frame index, plus the Q3 path when it differs).
 *
 * Quirk Q3 is resolved exactly by the engine's scoring pass (src/engine/score-video.ts): values whose
 * decision at the frame before a query differs get their own branch of the pass, and so their own
 * scores after the query and their own response keys. Nothing falls back to a separate run.
 *
 * The engine is reached through `ResponseEngine`; with responses kept in context every value needs
 * its own run, which `sweepResponses` refuses (the command runs `mmduet eval` per value instead).
 */
import { performance } from 'node:perf_hooks';
import { InputError } from '../errors.js';
import { policyParameter, policyTriggers } from '../engine/policy.js';
import type { ResponsePolicy } from '../engine/types.js';

export interface FrameScores {
  time: number;
  informative: number;
  relevance: number;
}

export interface SweepItem {
  questionId: string;
  videoDuration: number;
  /** User turns in annotation order (protocol.md §5). */
  userTurns: { time: number; content: string }[];
}

/** One value's view of an item's scoring pass. */
export interface ValuePath {
  frames: FrameScores[];
  triggers: { frame: number; key: string }[];
  /** Query frames rendered after a trigger on this path (quirk Q3, resolved exactly). */
  q3Queries: number[];
}

export interface ItemScores {
  /** One per policy asked for, same order. */
  paths: ValuePath[];
  /** D from the video metadata (quirk Q7). */
  videoDuration: number;
  /** Seconds to get the frame embeddings (decode + vision, or the cache read) and of the scoring pass. */
  videoSeconds: number;
  scoringSeconds: number;
}

/** What the sweep needs from the inference engine. */
export interface ResponseEngine<I extends SweepItem = SweepItem> {
  /** One scoring pass (no generation) resolving every policy's triggers; null = the item failed (its video) and is left out. */
  scoreItem(item: I, policies: ResponsePolicy[]): Promise<ItemScores | null>;
  /** Responses at response keys of the item's last scoring pass (rm. prev. resp. on). */
  generate(item: I, keys: string[]): Promise<Map<string, { content: string; seconds: number }>>;
  /** The sweep is done with the item (frees what the pass kept, e.g. the KV cache). */
  finishItem?(item: I): void;
}

/** Where scores and responses persist between runs (src/sweep/store.ts); absent = in memory only. */
export interface SweepCache {
  scores(questionId: string, policy: ResponsePolicy): StoredScores | undefined;
  putScores(questionId: string, policy: ResponsePolicy, scores: StoredScores): void;
  response(questionId: string, key: string): { content: string; seconds: number } | undefined;
  putResponse(questionId: string, key: string, response: { content: string; seconds: number }): void;
}

export interface StoredScores extends ValuePath {
  videoDuration: number;
  videoSeconds: number;
  scoringSeconds: number;
}

/** `need_response` replay: the engine's policy code (src/engine/policy.ts). */
export function triggerFrames(frames: readonly FrameScores[], policy: ResponsePolicy): number[] {
  return policyTriggers(frames, policy);
}

/** Frames at which a user turn is consumed (protocol.md §5 step 1: at most one per frame, before the frame). */
export function queryFrames(frames: readonly { time: number }[], userTurns: readonly { time: number }[]): number[] {
  const out: number[] = [];
  let q = 0;
  frames.forEach((f, k) => {
    if (q < userTurns.length && f.time >= userTurns[q]!.time) {
      out.push(k);
      q++;
    }
  });
  return out;
}

/**
 * Paths for fixed per-frame scores that do not depend on the cache (fake engines, tests): triggers by the
 * engine's policy, Q3 queries where the frame before a query triggered, keys as the engine forms them.
 */
export function fixedScorePaths(frames: FrameScores[], userTurns: readonly { time: number }[], policies: ResponsePolicy[]): ValuePath[] {
  const queries = queryFrames(frames, userTurns).filter((k) => k > 0);
  return policies.map((policy) => {
    const fired = triggerFrames(frames, policy);
    const firedSet = new Set(fired);
    const q3Queries = queries.filter((q) => firedSet.has(q - 1));
    const key = (k: number) => {
      const before = q3Queries.filter((q) => q <= k);
      return before.length ? `${k}@q3:${before.join(',')}` : String(k);
    };
    return { frames, triggers: fired.map((k) => ({ frame: k, key: key(k) })), q3Queries };
  });
}

export interface ResponseRecord {
  question_id: string;
  model_response_list: { time: number; content: string; role: 'user' | 'assistant' }[];
  video_duration: number;
  debug_data: { time: number; informative_score: number; relevance_score: number }[];
  provenance: Record<string, unknown>;
}

export interface ResponseSweepOptions {
  param: 's' | 't';
  values: number[];
  removePreviousResponses: boolean;
  cache?: SweepCache;
  /** Called after each item (progress). */
  onItem?: (questionId: string, info: { scored: boolean; generated: number }) => void;
}

export interface ResponseSweepResult {
  /** Prediction records per value, in item order (same shape as `mmduet infer` lines). */
  records: Map<number, ResponseRecord[]>;
  stats: {
    items: number;
    /** Items the engine could not score (left out of every value's records). */
    failedItems: number;
    /** Scoring passes run now (items whose scores were all stored need none). */
    scoringPasses: number;
    /** Distinct (item, response key) pairs generated now. */
    generations: number;
    /** Items and responses served from the persisted cache. */
    itemsFromCache: number;
    responsesFromCache: number;
    /** Responses over all values (what separate runs would have generated). */
    responsesAllValues: number;
    /** Distinct (item, response key) pairs over all values. */
    distinctResponses: number;
    scoringSeconds: number;
    generationSeconds: number;
    /** Per value: items with a query right after a triggering frame (quirk Q3; scored on their own branch). */
    q3Affected: Record<string, number>;
    /** Per value: what a separate run would have spent (video + scoring pass + generation of its own responses). */
    secondsPerValue: Record<string, number>;
  };
}

export function policyFor(param: 's' | 't', value: number): ResponsePolicy {
  return param === 's' ? { kind: 'sum', s: value } : { kind: 'per-frame', t: value };
}

function buildRecord(item: SweepItem, path: StoredScores, responses: { frame: number; content: string }[], policy: ResponsePolicy): ResponseRecord {
  const turns = [
    ...item.userTurns.map((u) => ({ time: u.time, content: u.content, role: 'user' as const })),
    ...responses.map((r) => ({ time: path.frames[r.frame]!.time, content: r.content, role: 'assistant' as const })),
  ];
  // Stable sort by time; a user turn precedes a response at the same time (protocol.md §8).
  turns.sort((a, b) => a.time - b.time || (a.role === b.role ? 0 : a.role === 'user' ? -1 : 1));
  return {
    question_id: item.questionId,
    model_response_list: turns,
    video_duration: path.videoDuration,
    debug_data: path.frames.map((f) => ({ time: f.time, informative_score: f.informative, relevance_score: f.relevance })),
    provenance: { policy: policy.kind, policy_parameter: policyParameter(policy), remove_previous_responses: true, q3_queries: path.q3Queries, sweep: 'shared scoring pass, cached responses' },
  };
}

function memoryCache(): SweepCache {
  const scores = new Map<string, StoredScores>();
  const responses = new Map<string, { content: string; seconds: number }>();
  const sk = (q: string, p: ResponsePolicy) => `${q}\t${p.kind}:${policyParameter(p)}`;
  return {
    scores: (q, p) => scores.get(sk(q, p)),
    putScores: (q, p, s) => void scores.set(sk(q, p), s),
    response: (q, k) => responses.get(`${q}\t${k}`),
    putResponse: (q, k, r) => void responses.set(`${q}\t${k}`, r),
  };
}

export async function sweepResponses<I extends SweepItem>(items: readonly I[], engine: ResponseEngine<I>, opts: ResponseSweepOptions): Promise<ResponseSweepResult> {
  if (!opts.removePreviousResponses) {
    throw new InputError(`--param ${opts.param}: with responses kept in context every response changes later scores, so each value needs its own run (mmduet eval --${opts.param} VALUE); the shared-pass sweep needs rm. prev. resp. on`);
  }
  if (opts.values.length === 0) throw new InputError('--values: expected at least one value');
  const cache = opts.cache ?? memoryCache();
  const policies = opts.values.map((v) => policyFor(opts.param, v));
  const records = new Map<number, ResponseRecord[]>(opts.values.map((v) => [v, []]));
  const stats: ResponseSweepResult['stats'] = {
    items: items.length,
    failedItems: 0,
    scoringPasses: 0,
    generations: 0,
    itemsFromCache: 0,
    responsesFromCache: 0,
    responsesAllValues: 0,
    distinctResponses: 0,
    scoringSeconds: 0,
    generationSeconds: 0,
    q3Affected: Object.fromEntries(opts.values.map((v) => [String(v), 0])),
    secondsPerValue: Object.fromEntries(opts.values.map((v) => [String(v), 0])),
  };
  for (const item of items) {
    let scoredNow = false;
    const score = async (): Promise<StoredScores[] | null> => {
      const pass = await engine.scoreItem(item, policies);
      if (pass === null) return null;
      scoredNow = true;
      stats.scoringPasses++;
      stats.scoringSeconds += pass.scoringSeconds;
      const paths = pass.paths.map((p) => ({ ...p, videoDuration: pass.videoDuration, videoSeconds: pass.videoSeconds, scoringSeconds: pass.scoringSeconds }));
      paths.forEach((p, i) => cache.putScores(item.questionId, policies[i]!, p));
      return paths;
    };
    try {
      const stored = policies.map((p) => cache.scores(item.questionId, p));
      const paths = stored.every((s) => s !== undefined) ? (stored as StoredScores[]) : await score();
      if (paths === null) {
        stats.failedItems++;
        continue;
      }
      if (!scoredNow) stats.itemsFromCache++;
      const keys = [...new Set(paths.flatMap((p) => p.triggers.map((t) => t.key)))];
      stats.distinctResponses += keys.length;
      const missing = keys.filter((k) => cache.response(item.questionId, k) === undefined);
      stats.responsesFromCache += keys.length - missing.length;
      if (missing.length > 0) {
        // Generation needs the pass's KV cache: rescore when the scores came from the store.
        if (!scoredNow && (await score()) === null) throw new Error(`sweep ${item.questionId}: the item was scored before but cannot be scored again`);
        const t0 = performance.now();
        const generated = await engine.generate(item, missing);
        for (const k of missing) {
          const g = generated.get(k);
          if (!g) throw new Error(`sweep ${item.questionId}: the engine returned no response for key ${k}`);
          cache.putResponse(item.questionId, k, g);
          stats.generations++;
        }
        stats.generationSeconds += (performance.now() - t0) / 1000;
      }
      paths.forEach((path, i) => {
        const value = opts.values[i]!;
        const responses = path.triggers.map((t) => ({ frame: t.frame, ...cache.response(item.questionId, t.key)! }));
        stats.secondsPerValue[String(value)]! += path.videoSeconds + path.scoringSeconds + responses.reduce((s, r) => s + r.seconds, 0);
        stats.responsesAllValues += responses.length;
        if (path.q3Queries.length > 0) stats.q3Affected[String(value)]!++;
        records.get(value)!.push(buildRecord(item, path, responses, policies[i]!));
      });
      opts.onItem?.(item.questionId, { scored: scoredNow, generated: missing.length });
    } finally {
      engine.finishItem?.(item);
    }
  }
  return { records, stats };
}
