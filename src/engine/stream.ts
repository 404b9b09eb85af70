/**
 * Pieces of the streaming loop shared by frame-by-frame feeding (duet.ts) and the chunked scoring pass
 * (score-video.ts): the token prefix before each frame (protocol.md §5 steps 1–2, quirks Q1–Q3), frame
 * embeddings spliced after text embeddings, head scores at a row, and greedy generation (§7).
 */
import { InputError } from '../errors.js';
import { OnnxModel, type KvCache } from './model.js';
import { GENERATION_PROMPT, STREAM_REOPEN, systemBlock, userQuery, type LastRole } from './template.js';
import type { DebugEntry, LoadedModel, SystemPromptMode, UserTurn } from './types.js';

export type SystemPromptCase = 'Q1' | 'Q2' | 'always' | 'no-query';

/** The model as the loop uses it, with the frame-embedding shape checked. */
export function loopModel(model: LoadedModel, questionId: string, frameEmbeddings: Float32Array, frames: number): OnnxModel {
  if (!(model instanceof OnnxModel)) throw new Error('the model must come from loadModel()');
  if (model.noHeads) throw new InputError(`${model.dir}: the model has no informative/relevance heads (no-heads mode); MMDuet inference needs them`);
  const per = model.frameNumTokens * model.config.hiddenSize;
  if (frameEmbeddings.length !== frames * per) {
    throw new Error(`${questionId}: ${frameEmbeddings.length} embedding values for ${frames} frame times (expected ${frames} x ${per})`);
  }
  return model;
}

export function checkChunkSize(chunkSize: number): void {
  if (!Number.isInteger(chunkSize) || chunkSize < 1) throw new InputError(`chunk size: expected a positive integer, found ${chunkSize}`);
}

export function checkMaxNewTokens(maxNewTokens: number): void {
  if (!Number.isInteger(maxNewTokens) || maxNewTokens < 1) throw new InputError(`max new tokens: expected a positive integer, found ${maxNewTokens}`);
}

/** What decides the text tokens of the stream: user turns consumed so far and the last role (Q3). */
export class PromptState {
  consumedTurns = 0;
  lastRole: LastRole = 'none';
  /** Last generated token of a kept response (rm. prev. resp. off), fed before the stream re-opens. */
  pendingToken: number | null = null;
  systemFed = false;

  constructor(
    private readonly m: OnnxModel,
    private readonly frameTimes: readonly number[],
    private readonly userTurns: readonly UserTurn[],
    readonly systemMode: SystemPromptMode,
    readonly rm: boolean,
  ) {}

  clone(): PromptState {
    const c = new PromptState(this.m, this.frameTimes, this.userTurns, this.systemMode, this.rm);
    Object.assign(c, { consumedTurns: this.consumedTurns, lastRole: this.lastRole, pendingToken: this.pendingToken, systemFed: this.systemFed });
    return c;
  }

  systemPromptCase(): SystemPromptCase {
    if (this.systemMode === 'always') return 'always';
    if (this.consumedTurns === 0) return 'no-query';
    return this.systemFed ? 'Q2' : 'Q1';
  }

  /** A user turn is consumed before frame k (at most one per frame). */
  queryDue(k: number): boolean {
    const q = this.userTurns[this.consumedTurns];
    return q !== undefined && this.frameTimes[k]! >= q.time;
  }

  /** Token ids fed before frame k (protocol.md §5 steps 1–2); leaves last_role = stream. */
  prefixIds(k: number, cacheEmpty: boolean): number[] {
    const system = this.m.config.mmduet!.systemPrompt;
    const ids: number[] = [];
    if (this.systemMode === 'always' && cacheEmpty) {
      ids.push(...this.m.tokenize(systemBlock(system)));
      this.systemFed = true;
      if (!this.queryDue(k)) ids.push(...this.m.tokenize(STREAM_REOPEN));
    }
    if (this.queryDue(k)) {
      const q = this.userTurns[this.consumedTurns++]!;
      ids.push(...this.m.tokenize(userQuery(q.content, this.lastRole)));
      this.lastRole = 'user';
    }
    if (cacheEmpty && ids.length === 0) {
      // Quirk Q2: the system block, then frames with no stream header.
      ids.push(...this.m.tokenize(systemBlock(system)));
      this.systemFed = true;
    } else if (this.lastRole === 'assistant' && !this.rm) {
      ids.push(this.pendingToken!, ...this.m.tokenize(STREAM_REOPEN));
    }
    this.lastRole = 'stream';
    return ids;
  }
}

/** `[ids; frame]` pieces as one embedding sequence, with the row of each frame's last visual token. */
export async function embedWithFrames(
  m: OnnxModel,
  frameEmbeddings: Float32Array,
  parts: ReadonlyArray<{ ids: number[]; frame: number }>,
): Promise<{ embeds: Float32Array; lastRows: number[] }> {
  const H = m.config.hiddenSize;
  const frameLen = m.frameNumTokens * H;
  const text = await m.embedTokens(parts.flatMap((p) => p.ids));
  const embeds = new Float32Array(text.length + parts.length * frameLen);
  const lastRows: number[] = [];
  let at = 0;
  let textAt = 0;
  for (const p of parts) {
    const t = p.ids.length * H;
    embeds.set(text.subarray(textAt, textAt + t), at);
    textAt += t;
    at += t;
    embeds.set(frameEmbeddings.subarray(p.frame * frameLen, (p.frame + 1) * frameLen), at);
    at += frameLen;
    lastRows.push(at / H - 1);
  }
  return { embeds, lastRows };
}

/** softmax(logits[row])[positive] from a [s, 2] array, in double precision. */
function positiveProb(logits: Float32Array, row: number, positive: number): number {
  const pos = logits[row * 2 + positive]!;
  const neg = logits[row * 2 + 1 - positive]!;
  return 1 / (1 + Math.exp(neg - pos));
}

/** Both head scores at `row` of a decoder step (protocol.md §5 step 3). */
export function readScores(m: OnnxModel, step: { informative: Float32Array; relevance: Float32Array }, row: number, time: number): DebugEntry {
  const positive = m.config.mmduet!.heads.positiveIndex;
  return { time, informative_score: positiveProb(step.informative, row, positive), relevance_score: positiveProb(step.relevance, row, positive) };
}

function argmax(v: Float32Array): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i]! > v[best]!) best = i;
  return best;
}

export interface Generation {
  /** Generated ids, the stop token included when reached. */
  ids: number[];
  text: string;
  decoderCalls: number;
  /** The cache holding the generation prompt and every generated token but the last (for rm. prev. resp. off); null when not kept. */
  cache: KvCache | null;
}

/** Greedy generation on top of `start` (protocol.md §7); `start` itself is never disposed. */
export async function generateFrom(m: OnnxModel, start: KvCache, maxNewTokens: number, keepCache: boolean): Promise<Generation> {
  const stop = m.config.mmduet!.generation.stopTokenId;
  let step = await m.decode(await m.embedTokens(m.tokenize(GENERATION_PROMPT)), start);
  let decoderCalls = 1;
  const ids: number[] = [];
  for (;;) {
    const token = argmax(step.lastLogits);
    ids.push(token);
    if (token === stop || ids.length >= maxNewTokens) break;
    const next = await m.decode(await m.embedTokens([token]), step.cache);
    decoderCalls++;
    m.disposeCache(step.cache);
    step = next;
  }
  if (!keepCache) m.disposeCache(step.cache);
  return { ids, text: m.detokenize(ids), decoderCalls, cache: keepCache ? step.cache : null };
}
