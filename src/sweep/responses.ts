/**
 * s and t sweeps with rm. prev. resp. on (benchmarks.md §6, protocol.md §11): per-frame scores do
 * not depend on s or t, and the response at a frame is the same whatever threshold triggered it
 * (same KV prefix, greedy decoding, no repetition penalty). So: one scoring pass per item, the
 * policy replayed on the scores for every value, and each distinct trigger frame generated once
 * across all values (cache keyed by item and frame index).
 *
 * The engine is reached through `ResponseEngine` (score once / generate at a chosen frame). With
 * responses kept in context every value needs its own run: `sweepResponses` refuses it.
 */
import { performance } from 'node:perf_hooks';
import { InputError } from '../errors.js';
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

/** What the sweep needs from the inference engine. */
export interface ResponseEngine<I extends SweepItem = SweepItem> {
  /** One scoring pass over every frame (no generation): the scores the policy sees. */
  scoreItem(item: I): Promise<FrameScores[]>;
  /** The response generated right after frame `frameIndex` (rm. prev. resp. on). */
  generateAt(item: I, frameIndex: number): Promise<string>;
}

/** `need_response` replay (protocol.md §6), strict comparisons, same arithmetic as the engine. */
export function triggerFrames(frames: readonly FrameScores[], policy: ResponsePolicy): number[] {
  const out: number[] = [];
  let sum = 0;
  frames.forEach((f, k) => {
    if (policy.kind === 'per-frame') {
      if (f.informative + f.relevance > policy.t) out.push(k);
    } else if (policy.kind === 'sum') {
      sum += f.informative;
      if (sum > policy.s) {
        sum = 0;
        out.push(k);
      }
    }
  });
  return out;
}

/** Frames at which a user turn is consumed (protocol.md §5 step 1: at most one per frame, before the frame). */
export function queryFrames(frames: readonly FrameScores[], userTurns: readonly { time: number }[]): number[] {
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
}

export interface ResponseSweepResult {
  /** Prediction records per value, in item order (same shape as `mmduet infer` lines). */
  records: Map<number, ResponseRecord[]>;
  stats: {
    items: number;
    scoringPasses: number;
    /** Distinct (item, frame) pairs generated. */
    generations: number;
    /** Responses over all values (what separate runs would have generated). */
    responsesAllValues: number;
    scoringSeconds: number;
    generationSeconds: number;
    /** Per value: items whose responses would differ from a separate run because of quirk Q3. */
    q3Affected: Record<string, number>;
    /** Per value: what a separate run would have spent (all scoring passes + the generation time of its own responses). */
    secondsPerValue: Record<string, number>;
  };
}

export function policyFor(param: 's' | 't', value: number): ResponsePolicy {
  return param === 's' ? { kind: 'sum', s: value } : { kind: 'per-frame', t: value };
}

function buildRecord(item: SweepItem, frames: readonly FrameScores[], responses: { frame: number; content: string }[], policy: ResponsePolicy): ResponseRecord {
  const turns = [
    ...item.userTurns.map((u) => ({ time: u.time, content: u.content, role: 'user' as const })),
    ...responses.map((r) => ({ time: frames[r.frame]!.time, content: r.content, role: 'assistant' as const })),
  ];
  // Stable sort by time; a user turn precedes a response at the same time (protocol.md §8).
  turns.sort((a, b) => a.time - b.time || (a.role === b.role ? 0 : a.role === 'user' ? -1 : 1));
  return {
    question_id: item.questionId,
    model_response_list: turns,
    video_duration: item.videoDuration,
    debug_data: frames.map((f) => ({ time: f.time, informative_score: f.informative, relevance_score: f.relevance })),
    provenance: { policy: policy.kind, policy_parameter: policy.kind === 'sum' ? policy.s : policy.kind === 'per-frame' ? policy.t : null, remove_previous_responses: true, sweep: 'shared scoring pass, cached responses' },
  };
}

export async function sweepResponses<I extends SweepItem>(items: readonly I[], engine: ResponseEngine<I>, opts: ResponseSweepOptions): Promise<ResponseSweepResult> {
  if (!opts.removePreviousResponses) {
    throw new InputError(`--param ${opts.param}: with responses kept in context every response changes later scores, so each value needs its own run (mmduet eval --${opts.param} VALUE); the shared-pass sweep needs rm. prev. resp. on`);
  }
  if (opts.values.length === 0) throw new InputError('--values: expected at least one value');
  const records = new Map<number, ResponseRecord[]>(opts.values.map((v) => [v, []]));
  const stats: ResponseSweepResult['stats'] = { items: items.length, scoringPasses: 0, generations: 0, responsesAllValues: 0, scoringSeconds: 0, generationSeconds: 0, q3Affected: {}, secondsPerValue: {} };
  for (const v of opts.values) {
    stats.q3Affected[String(v)] = 0;
    stats.secondsPerValue[String(v)] = 0;
  }
  for (const item of items) {
    let t0 = performance.now();
    const frames = await engine.scoreItem(item);
    const scoringSeconds = (performance.now() - t0) / 1000;
    stats.scoringSeconds += scoringSeconds;
    stats.scoringPasses++;
    const queries = new Set(queryFrames(frames, item.userTurns).filter((k) => k > 0));
    const cache = new Map<number, { content: string; seconds: number }>();
    for (const value of opts.values) {
      const policy = policyFor(opts.param, value);
      const triggers = triggerFrames(frames, policy);
      // Q3: a query consumed right after a triggering frame is rendered without its end token,
      // which changes every later score; the shared pass cannot reproduce that run.
      if (triggers.some((k) => queries.has(k + 1))) stats.q3Affected[String(value)]!++;
      const responses: { frame: number; content: string }[] = [];
      let seconds = scoringSeconds;
      for (const k of triggers) {
        let cached = cache.get(k);
        if (cached === undefined) {
          t0 = performance.now();
          const content = await engine.generateAt(item, k);
          cached = { content, seconds: (performance.now() - t0) / 1000 };
          stats.generationSeconds += cached.seconds;
          stats.generations++;
          cache.set(k, cached);
        }
        seconds += cached.seconds;
        responses.push({ frame: k, content: cached.content });
      }
      stats.secondsPerValue[String(value)]! += seconds;
      stats.responsesAllValues += responses.length;
      records.get(value)!.push(buildRecord(item, frames, responses, policy));
    }
  }
  return { records, stats };
}
