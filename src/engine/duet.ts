/**
 * The MMDuet streaming loop (protocol.md §5–§8): user turns inserted at their times, scores read at the last
 * visual token of every frame, the `need_response` policy, greedy responses. Two feeding patterns:
 * - `frame`: one decoder call per frame (the reference's pattern; required when responses stay in the cache);
 * - `chunked` (protocol.md §11): many frames per call, head logits read at every frame's last visual token,
 *   responses generated from the KV prefix sliced at the trigger frame. Chunks are cut at every user turn,
 *   so the policy is resolved up to that frame before the turn is rendered (quirk Q3).
 */
import { InputError } from '../errors.js';
import { OnnxModel, type KvCache } from './model.js';
import { GENERATION_PROMPT, STREAM_REOPEN, systemBlock, userQuery, type LastRole } from './template.js';
import type { DebugEntry, DuetRequest, DuetResult, LoadedModel, ResponsePolicy, ResponseTurn } from './types.js';

const DEFAULT_CHUNK = 64;

/** softmax(logits[row])[positive] from a [s, 2] array, in double precision. */
function positiveProb(logits: Float32Array, row: number, positive: number): number {
  const pos = logits[row * 2 + positive]!;
  const neg = logits[row * 2 + 1 - positive]!;
  return 1 / (1 + Math.exp(neg - pos));
}

function argmax(v: Float32Array): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i]! > v[best]!) best = i;
  return best;
}

/** `need_response` (protocol.md §6); strict comparisons. */
class PolicyState {
  private sum = 0;
  constructor(private readonly policy: ResponsePolicy) {}
  decide(inf: number, rel: number): boolean {
    switch (this.policy.kind) {
      case 'never':
        return false;
      case 'per-frame':
        return inf + rel > this.policy.t;
      case 'sum':
        this.sum += inf;
        if (this.sum > this.policy.s) {
          this.sum = 0;
          return true;
        }
        return false;
    }
  }
}

function validate(model: LoadedModel, req: DuetRequest): OnnxModel {
  if (!(model instanceof OnnxModel)) throw new Error('runDuet: the model must come from loadModel()');
  if (model.noHeads) throw new InputError(`${model.dir}: the model has no informative/relevance heads (no-heads mode); MMDuet inference needs them`);
  const per = model.frameNumTokens * model.config.hiddenSize;
  const n = req.frameTimes.length;
  if (req.frameEmbeddings.length !== n * per) {
    throw new Error(`runDuet ${req.questionId}: ${req.frameEmbeddings.length} embedding values for ${n} frame times (expected ${n} x ${per})`);
  }
  const p = req.policy;
  if ((p.kind === 'sum' && !Number.isFinite(p.s)) || (p.kind === 'per-frame' && !Number.isFinite(p.t))) throw new InputError(`policy ${p.kind}: expected a finite threshold`);
  return model;
}

export async function runDuet(model: LoadedModel, req: DuetRequest): Promise<DuetResult> {
  const m = validate(model, req);
  const t0 = performance.now();
  const run0 = m.runMs;
  const calls0 = m.decoderCalls;
  const loop = new DuetLoop(m, req);
  await (loop.scoring === 'chunked' ? loop.runChunked() : loop.runFrames());
  const totalMs = performance.now() - t0;
  const sessionRunMs = m.runMs - run0;
  const users: ResponseTurn[] = req.userTurns.map((u) => ({ time: u.time, content: u.content, role: 'user' }));
  // Stable sort: a user turn precedes a response at the same time (protocol.md §8).
  const list = [...users, ...loop.responses].sort((a, b) => a.time - b.time);
  const p = req.policy;
  return {
    record: {
      question_id: req.questionId,
      model_response_list: list,
      video_duration: req.videoDuration,
      debug_data: loop.debug,
      provenance: {
        ...req.provenance,
        frames: req.frameTimes.length,
        policy: p.kind,
        policy_parameter: p.kind === 'sum' ? p.s : p.kind === 'per-frame' ? p.t : null,
        remove_previous_responses: loop.rm,
        system_prompt: loop.systemMode,
        system_prompt_case: loop.systemPromptCase(),
        scoring: loop.scoring,
        chunk_size: loop.scoring === 'chunked' ? loop.chunkSize : null,
        max_new_tokens: loop.maxNewTokens,
        provider: m.provider,
        dtypes: m.dtypes,
        model_fingerprint: m.fingerprint.sha256,
      },
    },
    stats: {
      frames: req.frameTimes.length,
      decoderCalls: m.decoderCalls - calls0,
      generationCalls: loop.generationCalls,
      generatedTokens: loop.generatedTokens,
      responses: loop.responses.length,
      sessionRunMs,
      totalMs,
      outsideShare: totalMs > 0 ? 1 - sessionRunMs / totalMs : 0,
      systemPromptCase: loop.systemPromptCase(),
      unconsumedUserTurns: req.userTurns.length - loop.consumedTurns,
      scoring: loop.scoring,
    },
  };
}

class DuetLoop {
  readonly rm: boolean;
  readonly scoring: 'chunked' | 'frame';
  readonly chunkSize: number;
  readonly systemMode: 'reference' | 'always';
  readonly maxNewTokens: number;
  readonly debug: DebugEntry[] = [];
  readonly responses: ResponseTurn[] = [];
  generationCalls = 0;
  generatedTokens = 0;
  consumedTurns = 0;
  private lastRole: LastRole = 'none';
  private pendingToken: number | null = null;
  private systemFed = false;
  private readonly policy: PolicyState;
  private readonly tokensPerFrame: number;
  private readonly H: number;
  private readonly positive: number;
  private readonly stopToken: number;
  private readonly system: string;

  constructor(
    private readonly m: OnnxModel,
    private readonly req: DuetRequest,
  ) {
    const cfg = m.config.mmduet!;
    this.rm = req.removePreviousResponses ?? true;
    const responsesStay = !this.rm && req.policy.kind !== 'never';
    this.scoring = req.scoring ?? (responsesStay ? 'frame' : 'chunked');
    if (this.scoring === 'chunked' && responsesStay) {
      throw new InputError('chunked scoring needs rm. prev. resp. on (or the never policy): kept responses change every later score (protocol.md §11); use frame scoring');
    }
    this.chunkSize = req.chunkSize ?? DEFAULT_CHUNK;
    if (!Number.isInteger(this.chunkSize) || this.chunkSize < 1) throw new InputError(`chunk size: expected a positive integer, found ${req.chunkSize}`);
    this.systemMode = req.systemPrompt ?? 'reference';
    this.maxNewTokens = req.maxNewTokens ?? cfg.generation.maxNewTokens;
    if (!Number.isInteger(this.maxNewTokens) || this.maxNewTokens < 1) throw new InputError(`max new tokens: expected a positive integer, found ${this.maxNewTokens}`);
    this.policy = new PolicyState(req.policy);
    this.tokensPerFrame = m.frameNumTokens;
    this.H = m.config.hiddenSize;
    this.positive = cfg.heads.positiveIndex;
    this.stopToken = cfg.generation.stopTokenId;
    this.system = cfg.systemPrompt;
  }

  systemPromptCase(): 'Q1' | 'Q2' | 'always' | 'no-query' {
    if (this.systemMode === 'always') return 'always';
    if (this.consumedTurns === 0) return 'no-query';
    return this.systemFed ? 'Q2' : 'Q1';
  }

  private queryDue(k: number): boolean {
    const q = this.req.userTurns[this.consumedTurns];
    return q !== undefined && this.req.frameTimes[k]! >= q.time;
  }

  /** Token ids fed before frame k (protocol.md §5 steps 1–2); updates last_role. */
  private prefixIds(k: number, cacheEmpty: boolean): number[] {
    const ids: number[] = [];
    if (this.systemMode === 'always' && cacheEmpty) {
      ids.push(...this.m.tokenize(systemBlock(this.system)));
      this.systemFed = true;
      if (!this.queryDue(k)) ids.push(...this.m.tokenize(STREAM_REOPEN));
    }
    if (this.queryDue(k)) {
      const q = this.req.userTurns[this.consumedTurns++]!;
      ids.push(...this.m.tokenize(userQuery(q.content, this.lastRole)));
      this.lastRole = 'user';
    }
    if (cacheEmpty && ids.length === 0) {
      // Quirk Q2: the system block, then frames with no stream header.
      ids.push(...this.m.tokenize(systemBlock(this.system)));
      this.systemFed = true;
    } else if (this.lastRole === 'assistant' && !this.rm) {
      ids.push(this.pendingToken!, ...this.m.tokenize(STREAM_REOPEN));
    }
    this.lastRole = 'stream';
    return ids;
  }

  private frameEmbedding(k: number): Float32Array {
    const per = this.tokensPerFrame * this.H;
    return this.req.frameEmbeddings.subarray(k * per, (k + 1) * per);
  }

  /** Logs the scores of frame k and applies the policy; returns whether to respond. */
  private score(k: number, informative: Float32Array, relevance: Float32Array, row: number): boolean {
    const inf = positiveProb(informative, row, this.positive);
    const rel = positiveProb(relevance, row, this.positive);
    this.debug.push({ time: this.req.frameTimes[k]!, informative_score: inf, relevance_score: rel });
    return this.policy.decide(inf, rel);
  }

  /**
   * Greedy generation on top of `start` (protocol.md §7). Returns the cache holding the generation prompt and
   * every generated token but the last (the pending token), for rm. prev. resp. off; else null.
   */
  private async respond(k: number, start: KvCache): Promise<KvCache | null> {
    let step = await this.m.decode(await this.m.embedTokens(this.m.tokenize(GENERATION_PROMPT)), start);
    this.generationCalls++;
    const generated: number[] = [];
    for (;;) {
      const token = argmax(step.lastLogits);
      generated.push(token);
      if (token === this.stopToken || generated.length >= this.maxNewTokens) break;
      const next = await this.m.decode(await this.m.embedTokens([token]), step.cache);
      this.generationCalls++;
      this.m.disposeCache(step.cache);
      step = next;
    }
    this.generatedTokens += generated.length;
    // The last generated token is never fed: it becomes the pending token (quirk Q4 when it is not <|im_end|>).
    this.pendingToken = generated[generated.length - 1]!;
    this.responses.push({ time: this.req.frameTimes[k]!, content: this.m.detokenize(generated), role: 'assistant' });
    this.lastRole = 'assistant';
    if (this.rm) {
      this.m.disposeCache(step.cache);
      return null;
    }
    return step.cache;
  }

  private async embedWithFrames(parts: Array<{ ids: number[]; frame: number }>): Promise<{ embeds: Float32Array; lastRows: number[] }> {
    const text = await this.m.embedTokens(parts.flatMap((p) => p.ids));
    const frameLen = this.tokensPerFrame * this.H;
    const embeds = new Float32Array(text.length + parts.length * frameLen);
    const lastRows: number[] = [];
    let at = 0;
    let textAt = 0;
    for (const p of parts) {
      const t = p.ids.length * this.H;
      embeds.set(text.subarray(textAt, textAt + t), at);
      textAt += t;
      at += t;
      embeds.set(this.frameEmbedding(p.frame), at);
      at += frameLen;
      lastRows.push(at / this.H - 1);
    }
    return { embeds, lastRows };
  }

  async runFrames(): Promise<void> {
    let cache = this.m.emptyCache();
    for (let k = 0; k < this.req.frameTimes.length; k++) {
      const { embeds, lastRows } = await this.embedWithFrames([{ ids: this.prefixIds(k, cache.length === 0), frame: k }]);
      const step = await this.m.decode(embeds, cache);
      this.m.disposeCache(cache);
      cache = step.cache;
      if (this.score(k, step.informative, step.relevance, lastRows[0]!)) {
        const kept = await this.respond(k, cache);
        if (kept) {
          this.m.disposeCache(cache);
          cache = kept;
        }
      }
    }
    this.m.disposeCache(cache);
  }

  async runChunked(): Promise<void> {
    let cache = this.m.emptyCache();
    const n = this.req.frameTimes.length;
    let k = 0;
    while (k < n) {
      const parts: Array<{ ids: number[]; frame: number }> = [];
      do {
        parts.push({ ids: this.prefixIds(k, cache.length === 0 && parts.length === 0), frame: k });
        k++;
      } while (k < n && parts.length < this.chunkSize && !this.queryDue(k));
      const { embeds, lastRows } = await this.embedWithFrames(parts);
      const step = await this.m.decode(embeds, cache);
      for (let j = 0; j < parts.length; j++) {
        const frame = parts[j]!.frame;
        this.lastRole = 'stream';
        if (this.score(frame, step.informative, step.relevance, lastRows[j]!)) {
          const prefix = await this.m.sliceCache(step.cache, cache.length + lastRows[j]! + 1);
          await this.respond(frame, prefix);
        }
      }
      this.m.disposeCache(cache);
      cache = step.cache;
    }
    this.m.disposeCache(cache);
  }
}
