import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sweepResponses, triggerFrames, queryFrames, scoreResponseSweep, fixedScorePaths, type FrameScores, type ResponseEngine, type SweepItem } from '../src/sweep/index.js';
import { writeSyntheticCharadesRun } from '../src/sweep/synthetic.js';
import { readJsonl } from '../src/io/files.js';
import { mulberry32 } from '../src/util/prng.js';

interface Item extends SweepItem {
  frames: FrameScores[];
}

/** A fake engine: fixed scores per item; a response names its item and frame. Counts every call. */
function fakeEngine() {
  const calls = { score: 0, generate: [] as string[] };
  const engine: ResponseEngine<Item> = {
    async scoreItem(item, policies) {
      calls.score++;
      return { paths: fixedScorePaths(item.frames, item.userTurns, policies), videoDuration: item.videoDuration, videoSeconds: 0.5, scoringSeconds: 1 };
    },
    async generate(item, keys) {
      calls.generate.push(...keys.map((k) => `${item.questionId}@${k}`));
      return new Map(keys.map((k) => [k, { content: `caption of ${item.questionId} at frame ${parseInt(k, 10)}`, seconds: 0.25 }]));
    },
  };
  return { engine, calls };
}

/** A separate run as the streaming loop does it (protocol.md §5–§6): score frame k, decide, respond. */
function separateRun(item: Item, policy: { kind: 'sum'; s: number } | { kind: 'per-frame'; t: number }) {
  const responses: { time: number; content: string; role: 'assistant' }[] = [];
  let running = 0;
  for (let k = 0; k < item.frames.length; k++) {
    const f = item.frames[k]!;
    let respond: boolean;
    if (policy.kind === 'sum') {
      running += f.informative;
      respond = running > policy.s;
      if (respond) running = 0;
    } else respond = f.informative + f.relevance > policy.t;
    if (respond) responses.push({ time: f.time, content: `caption of ${item.questionId} at frame ${k}`, role: 'assistant' });
  }
  return responses;
}

function item(id: string, inf: number[], rel?: number[], userTurns = [{ time: 0, content: 'describe' }]): Item {
  return { questionId: id, videoDuration: inf.length * 2, userTurns, frames: inf.map((x, k) => ({ time: k * 2, informative: x, relevance: rel?.[k] ?? 0 })) };
}

describe('policy replay', () => {
  it('sum policy: strict >, reset after a response (hand-computed)', () => {
    const f = item('a', [0.5, 0.9, 0.7, 0.2, 1.0, 0.3]).frames;
    expect(triggerFrames(f, { kind: 'sum', s: 1 })).toEqual([1, 4]); // 1.4 > 1; 0.7+0.2+1.0 = 1.9 > 1
    expect(triggerFrames(f, { kind: 'sum', s: 1.5 })).toEqual([2]); // 2.1 > 1.5; then 1.5 is not > 1.5
    expect(triggerFrames(f, { kind: 'sum', s: 2 })).toEqual([2]);
    expect(triggerFrames(f, { kind: 'never' })).toEqual([]);
  });
  it('per-frame policy on inf + rel, no cooldown', () => {
    const f = item('b', [0.3, 0.2, 0.4, 0.1], [0.3, 0.4, 0.05, 0.5]).frames;
    expect(triggerFrames(f, { kind: 'per-frame', t: 0.5 })).toEqual([0, 1, 3]); // 0.6, 0.6, 0.45, 0.6
    // float64 like the engine: 0.3 + 0.3 = 0.6 is not > 0.6, but 0.2 + 0.4 = 0.6000000000000001 is.
    expect(triggerFrames(f, { kind: 'per-frame', t: 0.6 })).toEqual([1]);
  });
  it('queries are consumed at the first frame at or after their time, one per frame', () => {
    expect(queryFrames(item('c', [0, 0, 0, 0]).frames, [{ time: 0 }, { time: 0 }, { time: 5 }])).toEqual([0, 1, 3]);
  });
});

describe('s sweep with one scoring pass', () => {
  it('hand case: 3 values, 4 responses, 3 distinct trigger frames generated once each', async () => {
    const { engine, calls } = fakeEngine();
    const r = await sweepResponses([item('a', [0.5, 0.9, 0.7, 0.2, 1.0, 0.3])], engine, { param: 's', values: [1, 1.5, 2], removePreviousResponses: true });
    expect(calls.score).toBe(1);
    expect(calls.generate).toEqual(['a@1', 'a@4', 'a@2']);
    expect(r.stats).toMatchObject({ scoringPasses: 1, generations: 3, responsesAllValues: 4 });
    expect(r.records.get(1)![0]!.model_response_list.map((t) => [t.role, t.time])).toEqual([['user', 0], ['assistant', 2], ['assistant', 8]]);
  });

  it('five values over many items: same records as separate runs, each trigger generated exactly once', async () => {
    const rand = mulberry32(7);
    const items = Array.from({ length: 12 }, (_, i) => item(`v${i}`, Array.from({ length: 40 }, () => rand())));
    const values = [1, 1.5, 2, 2.5, 3];
    const { engine, calls } = fakeEngine();
    const r = await sweepResponses(items, engine, { param: 's', values, removePreviousResponses: true });
    expect(calls.score).toBe(items.length);
    expect(new Set(calls.generate).size).toBe(calls.generate.length);
    const union = new Set(items.flatMap((it) => values.flatMap((s) => separateRun(it, { kind: 'sum', s }).map((x) => `${it.questionId}@${x.time / 2}`))));
    expect(new Set(calls.generate)).toEqual(union);
    let separateTotal = 0;
    for (const s of values) {
      r.records.get(s)!.forEach((rec, i) => {
        const expected = separateRun(items[i]!, { kind: 'sum', s });
        separateTotal += expected.length;
        expect(rec.model_response_list.filter((t) => t.role === 'assistant')).toEqual(expected);
      });
    }
    expect(r.stats.responsesAllValues).toBe(separateTotal);
    expect(calls.generate.length).toBeLessThan(separateTotal);
  });

  it('refuses responses kept in context: each value needs its own run', async () => {
    const { engine } = fakeEngine();
    await expect(sweepResponses([], engine, { param: 's', values: [1], removePreviousResponses: false })).rejects.toThrow(/each value needs its own run/);
  });

  it('counts items hit by quirk Q3 (query right after a triggering frame)', async () => {
    const { engine } = fakeEngine();
    const it2 = item('q', [0.1, 0.2, 0.9, 0.1], [0.0, 0.0, 0.0, 0.0], [{ time: 0, content: 'q1' }, { time: 6, content: 'q2' }]);
    const r = await sweepResponses([it2], engine, { param: 't', values: [0.5, 0.95], removePreviousResponses: true });
    expect(r.stats.q3Affected).toEqual({ '0.5': 1, '0.95': 0 }); // frame 2 triggers at t = 0.5 and q2 is consumed at frame 3
    // The Q3 path is part of the response key: a prefix after the unclosed query is another token sequence.
    expect(r.records.get(0.5)![0]!.provenance.q3_queries).toEqual([3]);
  });
});

describe('scoring a response sweep', () => {
  it('writes one prediction file per value, scores it, and gives time relative to a reference', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sweep-resp-'));
    const run = writeSyntheticCharadesRun(dir, 6);
    const lines = readJsonl(run.predictionsPath).map((l) => l.value as { question_id: string; video_duration: number; debug_data: { time: number; informative_score: number; relevance_score: number }[] });
    const items: Item[] = lines.map((l) => ({ questionId: l.question_id, videoDuration: l.video_duration, userTurns: [{ time: 0, content: 'find it' }], frames: l.debug_data.map((d) => ({ time: d.time, informative: d.informative_score, relevance: d.relevance_score })) }));
    const { engine } = fakeEngine();
    const sweep = await sweepResponses(items, engine, { param: 't', values: [0.8, 1.2], removePreviousResponses: true });
    const file = await scoreResponseSweep(sweep, { benchmark: 'charades', param: 't', goldPath: run.goldPath, outDir: join(dir, 'sweeps', 't'), referenceSecondsPerExample: 2 });
    expect(file.rows.map((r) => r.value)).toEqual([0.8, 1.2]);
    expect(file.model_calls).toEqual({ scoring_passes: 6, generations: sweep.stats.generations });
    // Scores are the same for both values, so the grounding metrics are equal; only the responses differ.
    expect(file.rows[0]!.metrics['R1@0.5']).toBe(file.rows[1]!.metrics['R1@0.5']);
    expect(file.rows[0]!.counts.responses).toBe(sweep.records.get(0.8)!.reduce((n, r) => n + r.model_response_list.length - 1, 0));
    expect(file.rows[0]!.counts.responses).toBeGreaterThan(file.rows[1]!.counts.responses!);
    const perExample = sweep.stats.secondsPerValue['0.8']! / 6;
    // video 0.5 s + scoring 1 s per item, 0.25 s per own response (cached responses count for every value that has them).
    expect(sweep.stats.secondsPerValue['0.8']).toBeCloseTo(6 * 1.5 + 0.25 * file.rows[0]!.counts.responses!, 12);
    expect(file.rows[0]!.metrics.time_per_example_relative).toBeCloseTo(perExample / 2, 12);
    const written = readFileSync(join(dir, 'sweeps', 't', 'predictions-t=0.8.jsonl'), 'utf8').trim().split('\n');
    expect(written).toHaveLength(6);
  });
});

describe('persisted sweep cache', () => {
  it('a rerun in the same sweep directory calls no model; a new value only generates its new trigger frames', async () => {
    const { SweepStore } = await import('../src/sweep/index.js');
    const dir = mkdtempSync(join(tmpdir(), 'sweep-store-'));
    const items = [item('a', [0.5, 0.9, 0.7, 0.2, 1.0, 0.3]), item('b', [0.9, 0.9, 0.9, 0.9])];
    const identity = { benchmark: 'youcook2', model_sha256: 'x' };
    const first = fakeEngine();
    const r1 = await sweepResponses(items, first.engine, { param: 's', values: [1, 2], removePreviousResponses: true, cache: SweepStore.open(dir, identity) });
    expect(first.calls.score).toBe(2);
    expect(first.calls.generate).toEqual(['a@1', 'a@4', 'a@2', 'b@1', 'b@3', 'b@2']);
    const again = fakeEngine();
    const r2 = await sweepResponses(items, again.engine, { param: 's', values: [1, 2], removePreviousResponses: true, cache: SweepStore.open(dir, identity) });
    expect(again.calls).toEqual({ score: 0, generate: [] });
    expect(r2.records).toEqual(r1.records);
    expect(r2.stats.secondsPerValue).toEqual(r1.stats.secondsPerValue);
    expect(r2.stats).toMatchObject({ itemsFromCache: 2, responsesFromCache: 6, generations: 0 });
    // s = 1.5 needs a scoring pass (its scores are not stored) but only generates frames no other value had: none here.
    const third = fakeEngine();
    await sweepResponses(items, third.engine, { param: 's', values: [1.5], removePreviousResponses: true, cache: SweepStore.open(dir, identity) });
    expect(third.calls).toEqual({ score: 2, generate: [] }); // a: [2]; b: 0.9+0.9 = 1.8 > 1.5 at 1, then at 3: cached
    expect(() => SweepStore.open(dir, { ...identity, model_sha256: 'y' })).toThrow(/model_sha256: "x" stored, "y" now/);
  });
});
