import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync, readFileSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildTinyModel, DEFAULT_TINY_MODEL_DIR, tinyVocab } from '../fixtures/build-tiny-model.js';
import { loadModel, runDuet } from '../src/engine/index.js';
import type { DuetRequest, LoadedModel } from '../src/engine/index.js';
import { fingerprintDir } from '../src/engine/model.js';
import { COLOURS, syntheticPixels, type SyntheticFrame } from '../src/engine/synthetic.js';
import { InputError } from '../src/errors.js';

const tmp = mkdtempSync(join(tmpdir(), 'mmduet-engine-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const quiet = (): void => {};

describe('model contract', () => {
  it('names a missing head output and a mis-shaped cache in one InputError', async () => {
    const dir = join(tmp, 'no-relevance');
    buildTinyModel(dir, 1234, { omitOutputs: ['relevance_logits'] });
    // Claim 4 KV heads while the graphs have 2: every past/present tensor is mis-shaped.
    const cfg = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    cfg.num_key_value_heads = 4;
    writeFileSync(join(dir, 'config.json'), JSON.stringify(cfg));
    const err = await loadModel({ modelDir: dir, device: 'cpu', log: quiet }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    const msg = (err as Error).message;
    expect(msg).toContain('onnx/decoder_model_merged.onnx: missing output relevance_logits float32 [*,*,2]');
    expect(msg).toContain('input past_key_values.0.key has shape [batch_size,2,past_sequence_length,8], expected past_key_values.0.key float32/float16 [*,4,*,8]');
    expect(msg).toContain('output present.1.value has shape [batch_size,2,total_sequence_length,8]');
    expect(msg).not.toContain('informative_logits');
    expect(msg.split('\n')).toHaveLength(1);
  });

  it('names every missing file', async () => {
    const dir = join(tmp, 'missing-files');
    buildTinyModel(dir);
    unlinkSync(join(dir, 'tokenizer_config.json'));
    unlinkSync(join(dir, 'onnx', 'embed_tokens.onnx'));
    await expect(loadModel({ modelDir: dir, device: 'cpu', log: quiet })).rejects.toThrow(
      /model directory is missing tokenizer_config\.json, onnx\/embed_tokens\.onnx/,
    );
  });

  it('resolves dtype suffixes: a dtype whose files are absent names them all', async () => {
    await expect(loadModel({ modelDir: DEFAULT_TINY_MODEL_DIR, device: 'cpu', log: quiet, dtype: { decoder: 'q4f16' } })).rejects.toThrow(
      /model directory is missing onnx\/decoder_model_merged_q4f16\.onnx \(/,
    );
    await expect(loadModel({ modelDir: DEFAULT_TINY_MODEL_DIR, device: 'cpu', log: quiet, dtype: 'fp8' })).rejects.toThrow(/--dtype: expected a dtype \(fp32, fp16, q8/);
  });

  it('refuses a stop token that is not the tokenizer <|im_end|>', async () => {
    const dir = join(tmp, 'bad-stop');
    buildTinyModel(dir);
    const cfg = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    cfg.mmduet.generation.stop_token_id = 7;
    writeFileSync(join(dir, 'config.json'), JSON.stringify(cfg));
    await expect(loadModel({ modelDir: dir, device: 'cpu', log: quiet })).rejects.toThrow(/stop_token_id is 7 but tokenizer\.json gives <\|im_end\|> the id 295/);
  });
});

describe('tiny fixture model', () => {
  let model: LoadedModel;
  beforeAll(async () => {
    model = await loadModel({ modelDir: DEFAULT_TINY_MODEL_DIR, device: 'cpu', log: quiet });
  });
  afterAll(async () => model?.release());

  it('is rebuilt byte for byte from its seed, and fingerprints every file', () => {
    const dir = join(tmp, 'rebuilt');
    buildTinyModel(dir);
    const rebuilt = fingerprintDir(dir);
    expect(Object.keys(model.fingerprint.files)).toEqual([
      'config.json',
      'onnx/decoder_model_merged.onnx',
      'onnx/embed_tokens.onnx',
      'onnx/vision_encoder.onnx',
      'tokenizer.json',
      'tokenizer_config.json',
    ]);
    expect(rebuilt).toEqual(model.fingerprint);
    expect(model.fingerprint.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('loads with the documented ids and config', () => {
    const v = tinyVocab();
    expect(v.special).toEqual({ '<|endoftext|>': 293, '<|im_start|>': 294, '<|im_end|>': 295 });
    expect(v.colourIds).toEqual({ red: 257, green: 261, blue: 264, white: 268, black: 271 });
    expect(model.provider).toBe('cpu');
    expect(model.config.eosTokenId).toBe(295);
    expect(model.config.mmduet?.frameNumTokens).toBe(49);
    expect(model.tokenize('<|im_start|>user\nred?<|im_end|>')).toEqual([294, 274, 10, 257, 63, 295]);
    expect(model.detokenize([257, 295])).toBe('red');
  });

  it('vision encoder: global colour in dims 0-2, cell colour in 3-5, across a 32-frame batch boundary', async () => {
    const frames: SyntheticFrame[] = Array.from({ length: 40 }, (_, i) => (i === 35 ? { colour: COLOURS.red, marker: COLOURS.white } : { colour: COLOURS.green }));
    const emb = await model.encodeFrames(syntheticPixels(frames), frames.length);
    expect(emb.length).toBe(40 * 49 * 16);
    const row = (frame: number, token: number): number[] => Array.from(emb.subarray((frame * 49 + token) * 16, (frame * 49 + token) * 16 + 8));
    // Frame 35, token 0: global mean of red with a 55x55 white square (54x54 px inside the 384 frame).
    const whiteShare = (55 * 55) / (384 * 384);
    const gb = -1 + 2 * whiteShare;
    const t0 = row(35, 0);
    expect(t0[0]).toBeCloseTo(1, 5);
    expect(t0[1]).toBeCloseTo(gb, 5);
    expect(t0[3]).toBeCloseTo(1, 5);
    expect(t0[4]).toBeCloseTo(-1, 5);
    expect(t0.slice(6, 8)).toEqual([1, 1]);
    const t48 = row(35, 48); // bottom-right cell: the white marker
    expect(t48.slice(3, 6).map((x) => Number(x.toFixed(5)))).toEqual([1, 1, 1]);
    expect(row(0, 48).slice(0, 6)).toEqual([-1, 1, -1, -1, 1, -1]);
  });
});

/** A designed sequence: green, red+marker, red, blue+marker, grey, white (fixtures/README.md). */
function designedFrames(): SyntheticFrame[] {
  return [
    ...Array<SyntheticFrame>(4).fill({ colour: COLOURS.green }),
    ...Array<SyntheticFrame>(3).fill({ colour: COLOURS.red, marker: COLOURS.white }),
    ...Array<SyntheticFrame>(4).fill({ colour: COLOURS.red }),
    ...Array<SyntheticFrame>(3).fill({ colour: COLOURS.blue, marker: COLOURS.white }),
    { colour: COLOURS.grey },
    { colour: COLOURS.white },
  ];
}

/** Frames whose scores sit near 0.5 (pink: relevance logit ≈ 0; light grey: informative logit ≈ 0), where context matters most. */
function ambiguousFrames(): SyntheticFrame[] {
  const pink: SyntheticFrame = { colour: [255, 128, 128] };
  const light: SyntheticFrame = { colour: [191, 191, 191] };
  return [pink, pink, light, pink, light, light, { colour: [200, 60, 90], marker: [180, 200, 190] }];
}

describe('duet loop on the tiny model', () => {
  let model: LoadedModel;
  let emb: Float32Array;
  let embMixed: Float32Array;
  const frames = designedFrames();
  const times = frames.map((_, i) => i * 2);
  const mixed = [...designedFrames(), ...ambiguousFrames(), ...designedFrames()];
  const base = (over: Partial<DuetRequest>): DuetRequest => ({
    questionId: 'q1',
    frameEmbeddings: emb,
    frameTimes: times,
    userTurns: [{ time: 0, content: 'What is happening?' }],
    policy: { kind: 'never' },
    videoDuration: 32.5,
    ...over,
  });
  beforeAll(async () => {
    model = await loadModel({ modelDir: DEFAULT_TINY_MODEL_DIR, device: 'cpu', log: quiet });
    emb = await model.encodeFrames(syntheticPixels(frames), frames.length);
    embMixed = await model.encodeFrames(syntheticPixels(mixed), mixed.length);
  });
  afterAll(async () => model?.release());

  it('heads: relevance high on red frames only, informative high on the white marker only', async () => {
    const { record, stats } = await runDuet(model, base({}));
    expect(record.debug_data.map((d) => d.time)).toEqual(times);
    const rel = record.debug_data.map((d) => d.relevance_score > 0.5);
    const inf = record.debug_data.map((d) => d.informative_score > 0.5);
    expect(rel).toEqual(frames.map((f) => f.colour === COLOURS.red));
    expect(inf).toEqual(frames.map((f) => f.marker !== undefined || f.colour === COLOURS.white));
    record.debug_data.forEach((d, i) => {
      // Away from the thresholds: within 0.01 of 0 or 1; the grey frame (both logits ≈ -6) within 0.03.
      const bound = frames[i]!.colour === COLOURS.grey ? 0.03 : 0.01;
      for (const s of [d.informative_score, d.relevance_score]) expect(Math.min(s, 1 - s)).toBeLessThan(bound);
    });
    expect(stats.responses).toBe(0);
    expect(stats.systemPromptCase).toBe('Q1');
    expect(record.video_duration).toBe(32.5);
    expect(record.provenance).toMatchObject({ policy: 'never', scoring: 'chunked', remove_previous_responses: true, system_prompt_case: 'Q1' });
  });

  it('sum policy (s = 2): responds at the third marker frame of each run with the frame colour, eos after one token', async () => {
    const { record, stats } = await runDuet(model, base({ policy: { kind: 'sum', s: 2 }, scoring: 'frame' }));
    expect(record.model_response_list).toEqual([
      { time: 0, content: 'What is happening?', role: 'user' },
      { time: 12, content: 'red', role: 'assistant' },
      { time: 26, content: 'blue', role: 'assistant' },
    ]);
    expect(stats.generatedTokens).toBe(4); // colour word + <|im_end|>, twice
    expect(stats.decoderCalls).toBe(16 + 4);
  });

  it('keeps a user turn before a response at the same time, and keeps unconsumed turns (Q10)', async () => {
    const { record, stats } = await runDuet(
      model,
      base({ policy: { kind: 'per-frame', t: 0.5 }, userTurns: [{ time: 8, content: 'Now?' }, { time: 100, content: 'Later?' }] }),
    );
    const list = record.model_response_list;
    expect(list[0]).toEqual({ time: 8, content: 'Now?', role: 'user' });
    expect(list[1]).toEqual({ time: 8, content: 'red', role: 'assistant' });
    expect(list[list.length - 1]).toEqual({ time: 100, content: 'Later?', role: 'user' });
    expect(stats.unconsumedUserTurns).toBe(1);
    expect(stats.systemPromptCase).toBe('Q2');
  });

  const equivalenceCases: Array<[string, Partial<DuetRequest>]> = [
    ['sum, query at 0 (Q1)', { policy: { kind: 'sum', s: 2 } }],
    ['per-frame, queries at 5 s and 21 s (Q2, Q3 cut)', { policy: { kind: 'per-frame', t: 0.5 }, userTurns: [{ time: 5, content: 'Tell me.' }, { time: 21, content: 'And now?' }] }],
    ['never, paper system prompt', { policy: { kind: 'never' }, systemPrompt: 'always' }],
  ];
  for (const [name, over] of equivalenceCases) {
    it(`chunked scoring equals frame-by-frame: ${name}`, async () => {
      const mixedInput = { frameEmbeddings: embMixed, frameTimes: mixed.map((_, i) => i * 2) };
      const byFrame = await runDuet(model, base({ ...over, ...mixedInput, scoring: 'frame' }));
      const ambiguous = byFrame.record.debug_data.filter((d) => Math.min(d.relevance_score, 1 - d.relevance_score) > 0.1);
      expect(ambiguous.length).toBeGreaterThanOrEqual(3);
      for (const chunkSize of [1, 5, 64]) {
        const chunked = await runDuet(model, base({ ...over, ...mixedInput, scoring: 'chunked', chunkSize }));
        expect(chunked.record.model_response_list).toEqual(byFrame.record.model_response_list);
        chunked.record.debug_data.forEach((d, i) => {
          const f = byFrame.record.debug_data[i]!;
          expect(d.time).toBe(f.time);
          expect(Math.abs(d.informative_score - f.informative_score)).toBeLessThan(1e-5);
          expect(Math.abs(d.relevance_score - f.relevance_score)).toBeLessThan(1e-5);
        });
        if (chunkSize === 64) expect(chunked.stats.decoderCalls - chunked.stats.generationCalls).toBeLessThan(byFrame.stats.frames);
      }
    });
  }

  it('rm. prev. resp. off keeps responses in the cache: later scores change, earlier ones do not', async () => {
    const on = await runDuet(model, base({ policy: { kind: 'sum', s: 2 }, scoring: 'frame' }));
    const off = await runDuet(model, base({ policy: { kind: 'sum', s: 2 }, removePreviousResponses: false }));
    expect(off.stats.scoring).toBe('frame');
    const diff = (i: number): number => Math.abs(on.record.debug_data[i]!.relevance_score - off.record.debug_data[i]!.relevance_score);
    for (let i = 0; i <= 6; i++) expect(diff(i)).toBe(0); // up to the first trigger (frame 6)
    expect(Math.max(...[7, 8, 9, 10].map(diff))).toBeGreaterThan(1e-6);
    expect(off.record.model_response_list.map((r) => r.content)).toEqual(['What is happening?', 'red', 'blue']);
  });

  it('refuses chunked scoring when responses stay in the cache', async () => {
    await expect(runDuet(model, base({ policy: { kind: 'sum', s: 2 }, removePreviousResponses: false, scoring: 'chunked' }))).rejects.toThrow(InputError);
  });
});

describe('float16 graphs (an _fp16 export)', () => {
  it('loads from config.json dtype, converts fp16 tensors, and matches the fp32 model within fp16 precision', async () => {
    const dir = join(tmp, 'fp16');
    buildTinyModel(dir, 1234, { fp16: true });
    const m16 = await loadModel({ modelDir: dir, device: 'cpu', log: quiet });
    const m32 = await loadModel({ modelDir: DEFAULT_TINY_MODEL_DIR, device: 'cpu', log: quiet });
    try {
      expect(m16.dtypes).toEqual({ vision: 'fp16', embed: 'fp16', decoder: 'fp16' });
      expect(Object.keys(m16.fingerprint.files)).toContain('onnx/decoder_model_merged_fp16.onnx');
      const frames = designedFrames();
      const pixels = syntheticPixels(frames);
      const request = async (m: LoadedModel, scoring: 'frame' | 'chunked') =>
        runDuet(m, {
          questionId: 'fp16',
          frameEmbeddings: await m.encodeFrames(pixels, frames.length),
          frameTimes: frames.map((_, i) => i * 2),
          userTurns: [{ time: 0, content: 'What is happening?' }],
          policy: { kind: 'sum', s: 2 },
          videoDuration: 32,
          scoring,
        });
      const ref = await request(m32, 'frame');
      for (const scoring of ['frame', 'chunked'] as const) {
        const half = await request(m16, scoring);
        expect(half.record.model_response_list).toEqual(ref.record.model_response_list);
        half.record.debug_data.forEach((d, i) => {
          expect(Math.abs(d.informative_score - ref.record.debug_data[i]!.informative_score)).toBeLessThan(2e-3);
          expect(Math.abs(d.relevance_score - ref.record.debug_data[i]!.relevance_score)).toBeLessThan(2e-3);
        });
        expect(half.record.provenance.dtypes).toEqual({ vision: 'fp16', embed: 'fp16', decoder: 'fp16' });
      }
    } finally {
      await m16.release();
      await m32.release();
    }
  });
});
