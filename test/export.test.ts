/**
 * The Python ONNX exporter (tools/export) checked end to end against PyTorch: check_export.py builds a tiny
 * random MMDuet-architecture checkpoint (fake LLaVA-OV base + PEFT adapter), exports it and writes PyTorch
 * reference outputs; this test loads the export with the toolkit's own engine and compares.
 * Needs /usr/bin/python3 with torch and onnx (Debian: apt-get install -y python3-torch python3-onnx).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TINY_MODEL_DIR } from '../fixtures/build-tiny-model.js';
import { loadModel, runDuet } from '../src/engine/index.js';
import type { DuetRequest, DuetResult } from '../src/engine/index.js';
import type { OnnxModel } from '../src/engine/model.js';
import { GENERATION_PROMPT, userQuery } from '../src/engine/template.js';
import { repoRoot } from './helpers/golden.js';

const PYTHON = '/usr/bin/python3';
const CHECK = join(repoRoot, 'tools', 'export', 'check_export.py');
const TOL = 1e-4;
const QUERY = 'What is happening?';

const hasTorch = spawnSync(PYTHON, ['-c', 'import torch, onnx'], { stdio: 'ignore' }).status === 0;
if (!hasTorch) console.warn(`skipping test/export.test.ts: ${PYTHON} cannot import torch and onnx (apt-get install -y python3-torch python3-onnx)`);

interface Reference {
  n_frames: number;
  frames_file: string;
  frame_shape: [number, number, number];
  hidden_size: number;
  stop_token_id: number;
  prefix_ids: number[];
  generation_prompt_ids: number[];
  image_features: number[];
  frame_last_rows: number[];
  informative_probs: number[];
  relevance_probs: number[];
  last_logits: number[];
  max_new_tokens: number;
  greedy_tokens: number[][];
}

const tmp = mkdtempSync(join(tmpdir(), 'mmduet-export-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function runCheck(args: string[]): { status: number | null; stdout: string; stderr: string } {
  // No __pycache__ in the checkout.
  const r = spawnSync(PYTHON, [CHECK, ...args], { encoding: 'utf8', timeout: 240_000, env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

const argmax = (v: Float32Array): number => v.reduce((best, x, i) => (x > v[best]! ? i : best), 0);
const positive = (logits: Float32Array, row: number): number => 1 / (1 + Math.exp(logits[row * 2]! - logits[row * 2 + 1]!));

describe.skipIf(!hasTorch)('ONNX export of a tiny random MMDuet, checked against PyTorch', () => {
  const modelDir = join(tmp, 'model');
  let ref: Reference;
  let model: OnnxModel;
  let frameEmbeddings: Float32Array;

  beforeAll(async () => {
    // Token ids of the duet prefix (quirk Q1: query at time 0, no system block) and the generation prompt,
    // from the same tokenizer files the fake base ships (the exporter copies them).
    const tok = new Tokenizer(
      JSON.parse(readFileSync(join(DEFAULT_TINY_MODEL_DIR, 'tokenizer.json'), 'utf8')) as object,
      JSON.parse(readFileSync(join(DEFAULT_TINY_MODEL_DIR, 'tokenizer_config.json'), 'utf8')) as object,
    );
    const ids = (text: string): number[] => tok.encode(text, { add_special_tokens: false }).ids;
    const inputs = join(tmp, 'inputs.json');
    writeFileSync(inputs, JSON.stringify({ prefix_ids: ids(userQuery(QUERY, 'none')), generation_prompt_ids: ids(GENERATION_PROMPT) }));
    const r = runCheck(['--out', modelDir, '--inputs', inputs]);
    if (r.status !== 0) throw new Error(`check_export.py failed (${r.status}): ${r.stderr.slice(-2000)}`);
    ref = JSON.parse(readFileSync(join(modelDir, 'reference.json'), 'utf8')) as Reference;
    model = await loadModel({ modelDir, device: 'cpu', log: () => {} });
    const raw = readFileSync(join(modelDir, ref.frames_file));
    const pixels = new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
    frameEmbeddings = await model.encodeFrames(pixels, ref.n_frames);
  });
  afterAll(async () => model?.release());

  it('loads under the contract with the mmduet block and external data', () => {
    expect(model.noHeads).toBe(false);
    expect(model.config.hiddenSize).toBe(32);
    expect(model.config.numKeyValueHeads).toBe(2);
    expect(model.config.mmduet?.generation.stopTokenId).toBe(295);
    const files = Object.keys(model.fingerprint.files);
    expect(files).toEqual(expect.arrayContaining(['onnx/decoder_model_merged.onnx_data', 'onnx/vision_encoder.onnx_data', 'onnx/embed_tokens.onnx_data']));
    const cfg = JSON.parse(readFileSync(join(modelDir, 'config.json'), 'utf8'));
    expect(cfg.mmduet.export.lora_modules_merged).toEqual({ q_proj: 2, k_proj: 2, v_proj: 2, o_proj: 2, gate_proj: 2, up_proj: 2, down_proj: 2 });
    expect(cfg.mmduet.export.lora_scale).toBe(2);
    expect(cfg.mmduet.export.heads_from).toEqual({ informative: 'base_model.model.response_head.weight', relevance: 'base_model.model.related_head.modules_to_save.default.weight' });
    expect(cfg.mmduet.export.projector_from).toBe('adapter');
    expect(cfg.mmduet.export.vision_layers_used).toBe(2);
    expect(cfg.mmduet.export.vision_layers_in_checkpoint).toBe(3);
  });

  it('frame embeddings match PyTorch (vision tower, projector, 7x7 pooling)', () => {
    expect(frameEmbeddings.length).toBe(ref.n_frames * 49 * 32);
    expect(maxAbsDiff(frameEmbeddings, ref.image_features)).toBeLessThan(TOL);
  });

  it('one decoder call from an empty cache (p = 0): head probabilities and last-token logits match PyTorch', async () => {
    const text = await model.embedTokens(ref.prefix_ids);
    const embeds = new Float32Array(text.length + frameEmbeddings.length);
    embeds.set(text);
    embeds.set(frameEmbeddings, text.length);
    const step = await model.decode(embeds, model.emptyCache());
    expect(step.cache.length).toBe(ref.prefix_ids.length + 49 * ref.n_frames);
    expect(step.informative.length).toBe(2 * step.cache.length);
    const inf = ref.frame_last_rows.map((r) => positive(step.informative, r));
    const rel = ref.frame_last_rows.map((r) => positive(step.relevance, r));
    expect(maxAbsDiff(inf, ref.informative_probs)).toBeLessThan(TOL);
    expect(maxAbsDiff(rel, ref.relevance_probs)).toBeLessThan(TOL);
    expect(maxAbsDiff(step.lastLogits, ref.last_logits)).toBeLessThan(TOL);
    // The reference scores are not degenerate (random heads spread them), so the comparison can fail.
    expect(Math.max(...ref.informative_probs) - Math.min(...ref.informative_probs)).toBeGreaterThan(0.05);

    // Greedy continuation on the cache (p > 0, one token per call) gives PyTorch's tokens.
    let s = await model.decode(await model.embedTokens(ref.generation_prompt_ids), step.cache);
    const tokens: number[] = [];
    for (;;) {
      tokens.push(argmax(s.lastLogits));
      if (tokens.at(-1) === ref.stop_token_id || tokens.length >= ref.max_new_tokens) break;
      s = await model.decode(await model.embedTokens([tokens.at(-1)!]), s.cache);
    }
    expect(tokens).toEqual(ref.greedy_tokens[ref.n_frames - 1]);
  });

  describe('runDuet (query at 0 s, a response at every frame, rm. prev. resp.)', () => {
    const results: Record<string, DuetResult> = {};
    beforeAll(async () => {
      const req = (scoring: 'chunked' | 'frame'): DuetRequest => ({
        questionId: 'export-check',
        frameEmbeddings,
        frameTimes: Array.from({ length: ref.n_frames }, (_, k) => k),
        userTurns: [{ time: 0, content: QUERY }],
        policy: { kind: 'per-frame', t: -1 },
        scoring,
        chunkSize: 3,
        maxNewTokens: ref.max_new_tokens,
        videoDuration: ref.n_frames,
      });
      results.chunked = await runDuet(model, req('chunked'));
      results.frame = await runDuet(model, req('frame'));
    });

    it('per-frame scores match PyTorch in both feeding patterns', () => {
      for (const r of Object.values(results)) {
        expect(r.stats.systemPromptCase).toBe('Q1');
        expect(maxAbsDiff(r.record.debug_data.map((d) => d.informative_score), ref.informative_probs)).toBeLessThan(TOL);
        expect(maxAbsDiff(r.record.debug_data.map((d) => d.relevance_score), ref.relevance_probs)).toBeLessThan(TOL);
      }
    });

    it('chunked and frame-by-frame scores agree', () => {
      const scores = (r: DuetResult): number[] => r.record.debug_data.flatMap((d) => [d.informative_score, d.relevance_score]);
      expect(results.chunked!.stats.decoderCalls).toBeLessThan(results.frame!.stats.decoderCalls);
      expect(maxAbsDiff(scores(results.chunked!), scores(results.frame!))).toBeLessThan(1e-5);
    });

    it('responses are the detokenized PyTorch greedy tokens at every frame', () => {
      const expected = ref.greedy_tokens.map((t) => model.detokenize(t));
      for (const r of Object.values(results)) {
        expect(r.record.model_response_list.filter((t) => t.role === 'assistant').map((t) => t.content)).toEqual(expected);
      }
    });
  });

  it('an adapter without the relevance head fails the export with a clear error', () => {
    const r = runCheck(['--out', join(tmp, 'missing-head'), '--missing-head', 'relevance']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/error: .*adapter has no relevance head: looked for a tensor named \*relevance_head\.weight or \*related_head\.weight/);
    expect(r.stderr).toContain('base_model.model.response_head.weight');
    expect(r.stderr).toContain('Refusing to export random heads');
  });
});
