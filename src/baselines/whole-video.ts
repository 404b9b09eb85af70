/**
 * Whole-video generation for the text-timestamp baselines (protocol.md §10): the Qwen `qwen_1_5`
 * prompt with every frame's embedding in place of `<image>`, then the time instruction and the
 * question; greedy decoding up to 512 new tokens. Runs on the same ONNX contract as MMDuet, through
 * the engine's token-embedding and decoder calls.
 */
import type { KvCache, DecoderStep } from '../engine/model.js';
import { timeInstruction, type BaselineFormat } from './formats.js';

/** What the whole-video run needs from a loaded model (OnnxModel provides it). */
export interface WholeVideoModel {
  config: { hiddenSize: number };
  frameNumTokens: number;
  tokenize(text: string): number[];
  detokenize(ids: number[]): string;
  embedTokens(ids: number[]): Promise<Float32Array>;
  emptyCache(): KvCache;
  decode(embeds: Float32Array, cache: KvCache): Promise<DecoderStep>;
  disposeCache(cache: KvCache): void;
}

export const BASELINE_MAX_NEW_TOKENS = 512;
const PROMPT_HEAD = '<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\n';
const PROMPT_END = '<|im_end|>\n<|im_start|>assistant\n';
const STOP = '<|im_end|>';

export interface WholeVideoRequest {
  format: BaselineFormat;
  question: string;
  /** `[n, frameNumTokens, H]` row-major. */
  frameEmbeddings: Float32Array;
  frameTimes: readonly number[];
  /** All `ceil(D·fps)` nominal times (the TC instruction lists them even when the cap cut frames). */
  nominalTimes: readonly number[];
  duration: number;
  maxNewTokens?: number;
}

export interface WholeVideoResult {
  text: string;
  /** The user text after the frames: time instruction and question. */
  prompt: string;
  promptTokens: number;
  generatedTokens: number;
  /** The generation stopped at the token limit instead of `<|im_end|>`. */
  truncated: boolean;
}

/** The text that follows the frames in the user turn. */
export function userText(req: Pick<WholeVideoRequest, 'format' | 'question' | 'frameTimes' | 'nominalTimes' | 'duration'>): string {
  return `\n${timeInstruction(req.format, req.duration, req.frameTimes, req.nominalTimes)}\n${req.question}`;
}

function argmax(v: Float32Array): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i]! > v[best]!) best = i;
  return best;
}

export async function generateWholeVideo(model: WholeVideoModel, req: WholeVideoRequest): Promise<WholeVideoResult> {
  const prompt = userText(req);
  const head = await model.embedTokens(model.tokenize(PROMPT_HEAD));
  const tail = await model.embedTokens(model.tokenize(prompt + PROMPT_END));
  const expected = req.frameTimes.length * model.frameNumTokens * model.config.hiddenSize;
  if (req.frameEmbeddings.length !== expected) throw new Error(`frame embeddings: expected ${expected} values for ${req.frameTimes.length} frames, found ${req.frameEmbeddings.length}`);
  const embeds = new Float32Array(head.length + req.frameEmbeddings.length + tail.length);
  embeds.set(head, 0);
  embeds.set(req.frameEmbeddings, head.length);
  embeds.set(tail, head.length + req.frameEmbeddings.length);
  const stop = model.tokenize(STOP);
  const stopId = stop.length === 1 ? stop[0]! : -1;
  const limit = req.maxNewTokens ?? BASELINE_MAX_NEW_TOKENS;
  let step = await model.decode(embeds, model.emptyCache());
  const generated: number[] = [];
  let stopped = false;
  while (generated.length < limit) {
    const token = argmax(step.lastLogits);
    if (token === stopId) {
      stopped = true;
      break;
    }
    generated.push(token);
    if (generated.length >= limit) break;
    const next = await model.decode(await model.embedTokens([token]), step.cache);
    model.disposeCache(step.cache);
    step = next;
  }
  model.disposeCache(step.cache);
  // An immediate <|im_end|> is an empty answer (the tokenizer refuses to decode no ids).
  return { text: generated.length > 0 ? model.detokenize(generated) : '', prompt, promptTokens: embeds.length / model.config.hiddenSize, generatedTokens: generated.length, truncated: !stopped };
}
