import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateWholeVideo, userText, type WholeVideoModel } from '../src/baselines/whole-video.js';
import { runBaseline, type BaselineModel } from '../src/baselines/run.js';
import { parseTimedCaptions } from '../src/baselines/formats.js';
import { hasShared, repoRoot, sharedDir } from './helpers/golden.js';
import { runCli } from './helpers/cli.js';

const STOP_ID = 1000;

/** A fake model: character tokens, H = 2, one token per frame; it "answers" a fixed script, then <|im_end|>. */
function fakeModel(script: string, calls: { prefill: number[] }): BaselineModel {
  let pos = 0;
  const H = 2;
  const model: WholeVideoModel & Partial<BaselineModel> = {
    config: { hiddenSize: H },
    frameNumTokens: 1,
    tokenize: (t: string) => (t === '<|im_end|>' ? [STOP_ID] : [...t].map((c) => c.charCodeAt(0))),
    detokenize: (ids: number[]) => String.fromCharCode(...ids),
    embedTokens: async (ids: number[]) => new Float32Array(ids.length * H),
    emptyCache: () => ({ tensors: [], length: 0 }),
    decode: async (embeds: Float32Array, cache) => {
      if (cache.length === 0) {
        calls.prefill.push(embeds.length / H);
        pos = 0;
      }
      const logits = new Float32Array(STOP_ID + 1);
      logits[pos < script.length ? script.charCodeAt(pos) : STOP_ID] = 1;
      pos++;
      return { cache: { tensors: [], length: cache.length + embeds.length / H }, informative: new Float32Array(), relevance: new Float32Array(), lastLogits: logits };
    },
    disposeCache: () => {},
  };
  return {
    ...model,
    dir: 'fake',
    provider: 'cpu',
    fingerprint: { sha256: 'f'.repeat(64), files: {} },
    config: { hiddenSize: H, mmduet: { frameResolution: 8, imageMean: [0.5, 0.5, 0.5], imageStd: [0.5, 0.5, 0.5] } },
    encodeFrames: async (_p: Float32Array, n: number) => new Float32Array(n * H),
    release: async () => {},
  } as BaselineModel;
}

describe('whole-video generation (protocol.md §10)', () => {
  const req = { format: 'tc' as const, question: 'Narrate.', frameEmbeddings: new Float32Array(3 * 2), frameTimes: [0, 2, 4], nominalTimes: [0, 2, 4, 6], duration: 7 };

  it('prompt = qwen_1_5 head, all frames, time instruction and question; greedy until <|im_end|>', async () => {
    const calls = { prefill: [] as number[] };
    const r = await generateWholeVideo(fakeModel('0.0 - 2.0 seconds, a car.', calls), req);
    expect(r.text).toBe('0.0 - 2.0 seconds, a car.');
    expect(r.truncated).toBe(false);
    expect(r.generatedTokens).toBe(25);
    // The TC list has all nominal times (4) although 3 frames were loaded (quirk).
    expect(r.prompt).toBe(
      '\nThe video lasts for 7.00 seconds, and 3 frames are uniformly sampled from it. These frames are located at 0.00s,2.00s,4.00s,6.00s.Please answer the following questions related to this video.\nNarrate.',
    );
    const head = '<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\n'.length;
    const tail = (r.prompt + '<|im_end|>\n<|im_start|>assistant\n').length;
    expect(calls.prefill).toEqual([head + 3 + tail]);
    expect(parseTimedCaptions(r.text, 'tc', 7).events).toEqual([{ start: 0, end: 2, text: 'a car.' }]);
  });

  it('an immediate <|im_end|> is an empty answer', async () => {
    const r = await generateWholeVideo(fakeModel('', { prefill: [] }), req);
    expect([r.text, r.generatedTokens, r.truncated]).toEqual(['', 0, false]);
  });

  it('stops at the token limit and says so; VT gets its own instruction', async () => {
    const r = await generateWholeVideo(fakeModel('From 00 to 50, a car.', { prefill: [] }), { ...req, format: 'vt', maxNewTokens: 4 });
    expect(r.text).toBe('From');
    expect(r.truncated).toBe(true);
    expect(userText({ ...req, format: 'vt' })).toBe('\nThis is a video with 3 frames.\nNarrate.');
  });
});

const hasFfmpeg = spawnSync('ffmpeg', ['-version']).status === 0;

describe.skipIf(!hasShared || !hasFfmpeg)('mmduet baseline --model: run directory, errors, resume (fake model, real videos)', () => {
  it('writes baseline records, records a missing video, and resumes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mmduet-baseline-run-'));
    mkdirSync(join(dir, 'videos'));
    copyFileSync(join(sharedDir, 'data', 'videos', 'drive.mp4'), join(dir, 'videos', 'drive.mp4'));
    const q = (qid: string, video: string) => ({ question_id: qid, video, conversation: [{ role: 'user', content: 'When does the car turn?', time: 0 }], timestamps: [[2, 6]] });
    writeFileSync(join(dir, 'data.json'), JSON.stringify([q('c0', 'drive.mp4'), q('c1', 'missing.mp4')]));
    const opts = {
      format: 'tc',
      benchmark: 'charades',
      modelDir: 'fake',
      dataPath: join(dir, 'data.json'),
      videosDir: join(dir, 'videos'),
      outDir: join(dir, 'run'),
      cacheDir: null,
      log: () => {},
      progress: false,
      loadModel: async () => fakeModel('2.0 - 6.0 seconds.', { prefill: [] }),
    };
    const first = await runBaseline(opts);
    expect([first.planned, first.completed, first.failed, first.truncated]).toEqual([2, 1, 1, 0]);
    const lines = readFileSync(join(dir, 'run', 'predictions.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ question_id: 'c0', model_response: ['2.0 - 6.0 seconds.'], question: 'When does the car turn?', provenance: { baseline_format: 'tc' } });
    expect(lines[0].video_duration).toBeGreaterThan(0);
    expect(lines[0].provenance.frames).toBe(first.frames);
    expect(existsSync(join(dir, 'run', 'errors.jsonl'))).toBe(true);
    const run = JSON.parse(readFileSync(join(dir, 'run', 'run.json'), 'utf8'));
    expect(run.identity.policy).toEqual({ kind: 'whole-video-baseline', format: 'tc', max_new_tokens: 512, greedy: true });
    expect(run.identity.fps).toBe(2);
    // Resume: the finished item is skipped, the failed one retried (and fails again).
    const second = await runBaseline(opts);
    expect([second.skipped, second.completed, second.failed]).toEqual([1, 0, 1]);
    // Another format is another run: refused in the same directory.
    await expect(runBaseline({ ...opts, format: 'vt' })).rejects.toThrow(/policy/);
  });
});

const built = existsSync(join(repoRoot, 'dist', 'commands', 'baseline.js'));

describe.skipIf(!hasShared || !hasFfmpeg || !built)('built CLI: mmduet baseline --model fixtures/tiny-model', () => {
  it('runs the ONNX contract end to end, then scores the run (no numbers: every query left out, counted)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mmduet-baseline-cli-'));
    mkdirSync(join(dir, 'videos'));
    copyFileSync(join(sharedDir, 'data', 'videos', 'drive.mp4'), join(dir, 'videos', 'drive.mp4'));
    writeFileSync(join(dir, 'data.json'), JSON.stringify([{ question_id: 'c0', video: 'drive.mp4', conversation: [{ role: 'user', content: 'When does the car turn?', time: 0 }], timestamps: [[2, 6]] }]));
    const model = join(repoRoot, 'fixtures', 'tiny-model');
    const out = join(dir, 'run');
    const b = runCli(['baseline', 'tc', 'charades', '--model', model, '--data', join(dir, 'data.json'), '--videos', join(dir, 'videos'), '--out', out, '--no-cache', '--device', 'cpu', '--max-new-tokens', '20']);
    expect(b.code).toBe(0);
    expect(b.stdout).toContain('items: 1 planned, 0 already done, 1 done now, 0 failed');
    const rec = JSON.parse(readFileSync(join(out, 'predictions.jsonl'), 'utf8'));
    expect(rec).toMatchObject({ question_id: 'c0', question: 'When does the car turn?', video_duration: 16.5, provenance: { frames: 33, fps: 2 } });
    expect(typeof rec.model_response[0]).toBe('string');
    const s = runCli(['score', 'charades', '--gold', join(dir, 'data.json'), '--predictions', join(out, 'predictions.jsonl'), '--json']);
    expect(s.code).toBe(0);
    const r = JSON.parse(s.stdout);
    expect(r.counts.baseline_unparsed + r.counts.scored).toBe(1);
  });
});
