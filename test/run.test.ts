/**
 * Run layer without ONNX: run directories, resume, shards, merge, failed items, path safety — with a
 * fake engine (deterministic scores from the frame embeddings) and real ffmpeg decoding.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DuetRequest, DuetResult, LoadedModel } from '../src/engine/types.js';
import { parseShard, readAnnotations, selectItems } from '../src/run/annotations.js';
import { resolvePolicy } from '../src/run/defaults.js';
import { runInference, type EngineApi, type InferOptions } from '../src/run/infer.js';
import { mergeRuns } from '../src/run/merge.js';
import { repairJsonl, RunDir } from '../src/run/rundir.js';
import { hasShared, sharedDir } from './helpers/golden.js';

const hasFfmpeg = spawnSync('ffmpeg', ['-version']).status === 0;

describe('annotations, shards, policies', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'mmduet-ann-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads user turns only, numeric-string times, ids as strings', () => {
    const f = join(dir, 'a.json');
    writeFileSync(f, JSON.stringify([{ question_id: 7, video: 'v.mp4', conversation: [{ role: 'user', content: 'q', time: '1.5' }, { role: 'assistant', content: 'a', time: 3 }], extra: 1 }]));
    expect(readAnnotations(f).items).toEqual([{ index: 0, questionId: '7', video: 'v.mp4', userTurns: [{ time: 1.5, content: 'q' }] }]);
  });
  it('names the JSON path of a bad field and refuses duplicate ids', () => {
    const f = join(dir, 'b.json');
    writeFileSync(f, JSON.stringify([{ question_id: 'x', video: 3, conversation: [] }]));
    expect(() => readAnnotations(f)).toThrow(`${f}: $[0].video: expected a string, found number 3`);
    writeFileSync(f, JSON.stringify([{ question_id: 'x', video: 'a', conversation: [] }, { question_id: 'x', video: 'b', conversation: [] }]));
    expect(() => readAnnotations(f)).toThrow(/\$\[1\]\.question_id: expected a question_id not used before/);
  });
  it('shards partition the (limited) items by file index', () => {
    const items = Array.from({ length: 10 }, (_, i) => ({ index: i, questionId: `q${i}`, video: 'v', userTurns: [] }));
    const shards = [1, 2, 3].map((k) => selectItems(items, 8, { index: k, count: 3 }).map((x) => x.index));
    expect(shards).toEqual([[0, 3, 6], [1, 4, 7], [2, 5]]);
    expect(parseShard('2/3')).toEqual({ index: 2, count: 3 });
    expect(() => parseShard('0/3')).toThrow(/1 ≤ i ≤ n/);
    expect(() => parseShard('4/3')).toThrow(/--shard/);
  });
  it('benchmark policies and parameter overrides', () => {
    expect(resolvePolicy('youcook2', {})).toEqual({ kind: 'sum', s: 2 });
    expect(resolvePolicy('youcook2', { s: 1.5 })).toEqual({ kind: 'sum', s: 1.5 });
    expect(resolvePolicy('magqa', { t: 0.3 })).toEqual({ kind: 'per-frame', t: 0.3 });
    expect(resolvePolicy('qvhighlights', {})).toEqual({ kind: 'never' });
    expect(() => resolvePolicy('charades-sta', { s: 2 })).toThrow(/--s: expected only with the sum policy/);
  });
});

describe('JSONL repair', () => {
  it('cuts a half-written last line and keeps complete ones', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mmduet-repair-'));
    const f = join(dir, 'p.jsonl');
    writeFileSync(f, '{"a":1}\n{"a":2}\n{"a":');
    expect(repairJsonl(f)).toBe(5);
    expect(readFileSync(f, 'utf8')).toBe('{"a":1}\n{"a":2}\n');
    expect(repairJsonl(f)).toBe(0);
    writeFileSync(f, '{"a"');
    expect(repairJsonl(f)).toBe(4);
    expect(readFileSync(f, 'utf8')).toBe('');
    rmSync(dir, { recursive: true, force: true });
  });
});

/** A fake engine: scores are functions of the frame embeddings (so they depend on the real decoded pixels). */
function fakeEngine(calls: { duet: string[] }): EngineApi {
  const model = {
    dir: 'fake',
    provider: 'cpu',
    noHeads: false,
    fingerprint: { sha256: 'f'.repeat(64), files: {} },
    config: { mmduet: { frameResolution: 384, frameNumTokens: 1, imageMean: [0.5, 0.5, 0.5], imageStd: [0.5, 0.5, 0.5] } },
    // One value per frame: the mean of the red plane.
    encodeFrames: async (pixels: Float32Array, n: number) => {
      const plane = 384 * 384;
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let p = 0; p < plane; p += 97) s += pixels[i * 3 * plane + p]!;
        out[i] = s / Math.ceil(plane / 97);
      }
      return out;
    },
    release: async () => {},
  } as unknown as LoadedModel;
  return {
    loadModel: async () => model,
    runDuet: async (_m, req: DuetRequest): Promise<DuetResult> => {
      calls.duet.push(req.questionId);
      const debug = req.frameTimes.map((time, i) => ({ time, informative_score: (req.frameEmbeddings[i]! + 1) / 2, relevance_score: 0.5 }));
      return {
        record: {
          question_id: req.questionId,
          model_response_list: req.userTurns.map((u) => ({ ...u, role: 'user' as const })),
          video_duration: req.videoDuration,
          debug_data: debug,
          provenance: { ...req.provenance },
        },
        stats: { frames: req.frameTimes.length, decoderCalls: 1, generationCalls: 0, generatedTokens: 0, responses: 0, sessionRunMs: 0, totalMs: 0, outsideShare: 0, systemPromptCase: 'Q1', unconsumedUserTurns: 0, scoring: 'chunked' },
      };
    },
  };
}

describe.skipIf(!hasShared || !hasFfmpeg)('inference runs with a fake engine', () => {
  let dir: string;
  let base: InferOptions;
  const quiet = () => {};
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'mmduet-run-'));
    const videos = join(dir, 'videos');
    mkdirSync(videos);
    copyFileSync(join(sharedDir, 'data', 'videos', 'drive.mp4'), join(videos, 'drive.mp4'));
    copyFileSync(join(sharedDir, 'data', 'videos', 'office.mp4'), join(videos, 'office.mp4'));
    writeFileSync(join(dir, 'secret.mp4'), 'x');
    const turn = (time: number) => [{ role: 'user', content: 'Where is the door?', time }];
    const data = [
      { question_id: 'a', video: 'drive.mp4', conversation: turn(0) },
      { question_id: 'b', video: 'office.mp4', conversation: turn(2) },
      { question_id: 'c', video: 'gone.mp4', conversation: turn(0) },
      { question_id: 'd', video: '../secret.mp4', conversation: turn(0) },
      { question_id: 'e', video: 'office.mp4', conversation: turn(0) },
    ];
    writeFileSync(join(dir, 'data.json'), JSON.stringify(data));
    base = { benchmark: 'charades', modelDir: 'fake', dataPath: join(dir, 'data.json'), videosDir: videos, outDir: '', cacheDir: join(dir, 'cache'), log: quiet, progress: false };
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('records missing and escaping videos as failed items, with the reason', async () => {
    const calls = { duet: [] as string[] };
    const s = await runInference({ ...base, outDir: join(dir, 'r1'), engine: fakeEngine(calls) });
    expect(s).toMatchObject({ planned: 5, completed: 3, failed: 2, skipped: 0, frames: 33 + 30 + 30, cachedVideos: 1 });
    expect(calls.duet).toEqual(['a', 'b', 'e']);
    const run = RunDir.read(join(dir, 'r1'));
    expect(run.errors().map((e) => [e.question_id, e.reason.replace(/ \(.*/, '')])).toEqual([['c', 'missing video'], ['d', 'refused: the path leaves the --videos folder']]);
    const preds = run.predictions<any>();
    expect(preds.map((p) => p.question_id)).toEqual(['a', 'b', 'e']);
    expect(preds[0].debug_data.length).toBe(33);
    expect(preds[0].video_duration).toBe(16.5);
    expect(preds[0].provenance).toMatchObject({ item_index: 0, fps: 2, frames: 33, sampling_mode: 'all', profile: 'paper' });
    const run1 = JSON.parse(readFileSync(join(dir, 'r1', 'run.json'), 'utf8'));
    expect(run1.identity).toMatchObject({ benchmark: 'charades-sta', fps: 2, policy: { kind: 'never' }, shard: null });
    expect(run1.toolkit_version).toBe(JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')).version);
  });

  it('--strict stops at the first failed video', async () => {
    await expect(runInference({ ...base, outDir: join(dir, 'r2'), strict: true, engine: fakeEngine({ duet: [] }) })).rejects.toThrow(/gone\.mp4: missing video/);
  });

  it('resume skips finished items, cuts a half line, retries failures, duplicates nothing', async () => {
    const out = join(dir, 'r3');
    const full = join(dir, 'r3-full');
    await runInference({ ...base, outDir: full, engine: fakeEngine({ duet: [] }) });
    await runInference({ ...base, outDir: out, limit: 2, engine: fakeEngine({ duet: [] }) });
    // --limit is part of the identity: continue with the same limit, then simulate a crash mid-line.
    await expect(runInference({ ...base, outDir: out, engine: fakeEngine({ duet: [] }) })).rejects.toThrow(/cannot resume.*limit: 2 in the run, null now/);
    const half = '{"question_id":"b","model_resp';
    appendFileSync(join(out, 'predictions.jsonl'), half);
    const calls = { duet: [] as string[] };
    const s = await runInference({ ...base, outDir: out, limit: 2, engine: fakeEngine(calls) });
    expect(s).toMatchObject({ resumed: true, skipped: 2, completed: 0 });
    expect(s.repairedBytes).toBe(half.length);
    expect(calls.duet).toEqual([]);
    expect(readFileSync(join(out, 'predictions.jsonl'), 'utf8')).toBe(
      readFileSync(join(full, 'predictions.jsonl'), 'utf8').split('\n').slice(0, 2).join('\n') + '\n',
    );
    // Failed items are retried on resume and their error lines are not duplicated.
    const again = await runInference({ ...base, outDir: full, engine: fakeEngine(calls) });
    expect(again).toMatchObject({ skipped: 3, completed: 0, failed: 2 });
    expect(RunDir.read(full).errors().length).toBe(2);
  });

  it('refuses to resume with another model or policy', async () => {
    const out = join(dir, 'r4');
    await runInference({ ...base, benchmark: 'magqa', outDir: out, limit: 1, engine: fakeEngine({ duet: [] }) });
    await expect(runInference({ ...base, benchmark: 'magqa', t: 0.4, outDir: out, limit: 1, engine: fakeEngine({ duet: [] }) })).rejects.toThrow(/policy: \{"kind":"per-frame","t":0.5\} in the run, \{"kind":"per-frame","t":0.4\} now/);
    const other = fakeEngine({ duet: [] });
    const load = other.loadModel;
    other.loadModel = async (o) => {
      const m = await load(o);
      return { ...m, fingerprint: { sha256: '0'.repeat(64), files: {} } } as LoadedModel;
    };
    await expect(runInference({ ...base, benchmark: 'magqa', outDir: out, limit: 1, engine: other })).rejects.toThrow(/model_sha256/);
  });

  it('3 shards merged equal the unsharded run; bad merges are refused', async () => {
    const single = join(dir, 'r3-full');
    const shardDirs = [1, 2, 3].map((k) => join(dir, `s${k}`));
    for (const [i, d] of shardDirs.entries()) await runInference({ ...base, outDir: d, shard: { index: i + 1, count: 3 }, engine: fakeEngine({ duet: [] }) });
    const merged = join(dir, 'merged');
    const m = mergeRuns(shardDirs, merged);
    expect(m).toMatchObject({ shards: 3, predictions: 3, errors: 2 });
    expect(readFileSync(join(merged, 'predictions.jsonl'), 'utf8')).toBe(readFileSync(join(single, 'predictions.jsonl'), 'utf8'));
    expect(readFileSync(join(merged, 'errors.jsonl'), 'utf8')).toBe(readFileSync(join(single, 'errors.jsonl'), 'utf8'));
    expect(RunDir.read(merged).run.identity).toEqual(RunDir.read(single).run.identity);
    expect(() => mergeRuns(shardDirs.slice(0, 2), join(dir, 'm2'))).toThrow(/missing 3\/3/);
    expect(() => mergeRuns([shardDirs[0]!, shardDirs[0]!, shardDirs[1]!], join(dir, 'm3'))).toThrow(/shard 1\/3 given twice/);
    expect(() => mergeRuns([single], join(dir, 'm4'))).toThrow(/not a shard/);
    const t = join(dir, 's2-other');
    await runInference({ ...base, benchmark: 'magqa', outDir: t, shard: { index: 2, count: 3 }, engine: fakeEngine({ duet: [] }) });
    expect(() => mergeRuns([shardDirs[0]!, t, shardDirs[2]!], join(dir, 'm5'))).toThrow(/other parameters or another model.*differs in benchmark, policy\)/);
    // An unfinished shard (one prediction line lost) is refused.
    const lines = readFileSync(join(shardDirs[0]!, 'predictions.jsonl'), 'utf8').split('\n');
    writeFileSync(join(shardDirs[0]!, 'predictions.jsonl'), lines.slice(1).join('\n'));
    expect(() => mergeRuns(shardDirs, join(dir, 'm6'))).toThrow(/shard 1\/3 .* is incomplete/);
  });
});
