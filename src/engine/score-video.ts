/**
 * Score once, generate at chosen frames (protocol.md §11, benchmarks.md §6). With rm. prev. resp. on, the
 * cache at frame k holds only the prompt, the consumed user turns and frames 0..k, so:
 * - `scoreVideo` runs the chunked scoring pass once (no generation) and keeps the KV cache;
 * - `generateAt` answers at any scored frame from the KV prefix sliced to that frame (L_k).
 *
 * Quirk Q3: a query consumed at frame q > 0 is rendered without the end token when frame q − 1 triggered,
 * which changes every later score. `scoreVideo` takes the policies to serve and resolves each one's decision
 * at every query boundary exactly: policies that disagree there are split into branches (one extra chunked
 * pass over the rest of the video per distinct path, sharing the cache up to the query). A response key
 * names the frame and the Q3 path (`"12"`, or `"40@q3:12"` when the query at frame 12 followed a trigger),
 * so two responses share a key exactly when their KV prefixes are the same token sequence.
 */
import type { KvCache } from './model.js';
import type { OnnxModel } from './model.js';
import { PolicyState } from './policy.js';
import { checkChunkSize, checkMaxNewTokens, embedWithFrames, generateFrom, loopModel, PromptState, readScores, type SystemPromptCase } from './stream.js';
import type { DebugEntry, LoadedModel, ResponsePolicy, SystemPromptMode, UserTurn } from './types.js';
import { InputError } from '../errors.js';

export const DEFAULT_CHUNK = 64;

export interface ScoreVideoRequest {
  questionId: string;
  /** `[nFrames, frameNumTokens, H]` row-major, from `encodeFrames`. */
  frameEmbeddings: Float32Array;
  frameTimes: number[];
  userTurns: UserTurn[];
  /** The policies whose triggers (and Q3 paths) the pass resolves; at least one. */
  policies: ResponsePolicy[];
  /** Frames per decoder call (default 64; 1 = the reference's one frame per call). */
  chunkSize?: number;
  systemPrompt?: SystemPromptMode;
}

/** A frame at which a policy responds, with the key of its KV prefix. */
export interface TriggerPoint {
  frame: number;
  key: string;
}

/** One requested policy's view of the pass. */
export interface PolicyPath {
  policy: ResponsePolicy;
  /** Scores along this policy's path (identical for all policies unless Q3 split them). */
  debug: DebugEntry[];
  triggers: TriggerPoint[];
  /** Query frames rendered after a trigger (quirk Q3) on this path. */
  q3Queries: number[];
}

export interface GeneratedResponse {
  text: string;
  tokens: number;
  decoderCalls: number;
  ms: number;
}

interface Branch {
  prompt: PromptState;
  cache: KvCache;
  q3: number[];
  members: Array<{ index: number; state: PolicyState; debug: DebugEntry[]; triggers: TriggerPoint[]; lastTriggered: boolean }>;
}

export function responseKey(frame: number, q3Queries: readonly number[]): string {
  const before = q3Queries.filter((q) => q <= frame);
  return before.length ? `${frame}@q3:${before.join(',')}` : String(frame);
}

/** The result of one scoring pass; holds the KV cache of every branch until `release()`. */
export class ScoredVideo {
  constructor(
    readonly questionId: string,
    readonly frameTimes: readonly number[],
    readonly paths: PolicyPath[],
    /** Distinct token sequences scored (1 unless Q3 split the policies). */
    readonly branches: number,
    readonly systemPromptCase: SystemPromptCase,
    readonly consumedTurns: number,
    readonly decoderCalls: number,
    readonly sessionRunMs: number,
    readonly totalMs: number,
    /** key → the branch cache holding that prefix and its length L_k. */
    private readonly prefixes: Map<string, { cache: KvCache; length: number }>,
    private readonly model: OnnxModel,
  ) {}

  /** Keys of every scored frame (any frame can be generated at, not only triggers). */
  hasKey(key: string): boolean {
    return this.prefixes.has(key);
  }

  /** @internal */
  prefix(key: string): { cache: KvCache; length: number } {
    const p = this.prefixes.get(key);
    if (!p) throw new InputError(`generateAt ${this.questionId}: no scored frame has the key ${JSON.stringify(key)}`);
    return p;
  }

  /** @internal */
  get onnx(): OnnxModel {
    return this.model;
  }

  release(): void {
    const seen = new Set<KvCache>();
    for (const { cache } of this.prefixes.values()) {
      if (seen.has(cache)) continue;
      seen.add(cache);
      this.model.disposeCache(cache);
    }
    this.prefixes.clear();
  }
}

/** The chunked scoring pass (rm. prev. resp. on, no generation), one branch per distinct Q3 path. */
export async function scoreVideo(model: LoadedModel, req: ScoreVideoRequest): Promise<ScoredVideo> {
  const n = req.frameTimes.length;
  const m = loopModel(model, req.questionId, req.frameEmbeddings, n);
  if (req.policies.length === 0) throw new InputError(`scoreVideo ${req.questionId}: expected at least one policy`);
  for (const p of req.policies) {
    if ((p.kind === 'sum' && !Number.isFinite(p.s)) || (p.kind === 'per-frame' && !Number.isFinite(p.t))) throw new InputError(`policy ${p.kind}: expected a finite threshold`);
  }
  const chunkSize = req.chunkSize ?? DEFAULT_CHUNK;
  checkChunkSize(chunkSize);
  const t0 = performance.now();
  const run0 = m.runMs;
  const calls0 = m.decoderCalls;
  const paths: PolicyPath[] = req.policies.map((policy) => ({ policy, debug: [], triggers: [], q3Queries: [] }));
  let branches: Branch[] = [
    {
      prompt: new PromptState(m, req.frameTimes, req.userTurns, req.systemPrompt ?? 'reference', true),
      cache: m.emptyCache(),
      q3: [],
      members: paths.map((p, index) => ({ index, state: new PolicyState(p.policy), debug: p.debug, triggers: p.triggers, lastTriggered: false })),
    },
  ];
  const lengths = new Map<string, { branch: Branch; length: number }>();
  let k = 0;
  while (k < n) {
    const start = k;
    const previous = new Set<KvCache>();
    for (const b of branches) {
      // Chunks end before every query (so the policy is resolved before the query is rendered) and at chunkSize.
      const parts: Array<{ ids: number[]; frame: number }> = [];
      let j = start;
      do {
        parts.push({ ids: b.prompt.prefixIds(j, b.cache.length === 0 && parts.length === 0), frame: j });
        j++;
      } while (j < n && parts.length < chunkSize && !b.prompt.queryDue(j));
      k = j;
      const { embeds, lastRows } = await embedWithFrames(m, req.frameEmbeddings, parts);
      const step = await m.decode(embeds, b.cache);
      parts.forEach((p, i) => {
        const entry = readScores(m, step, lastRows[i]!, req.frameTimes[p.frame]!);
        lengths.set(responseKey(p.frame, b.q3), { branch: b, length: b.cache.length + lastRows[i]! + 1 });
        for (const member of b.members) {
          member.debug.push(entry);
          member.lastTriggered = member.state.decide(entry.informative_score, entry.relevance_score);
          if (member.lastTriggered) member.triggers.push({ frame: p.frame, key: responseKey(p.frame, b.q3) });
        }
      });
      previous.add(b.cache);
      b.cache = step.cache;
    }
    for (const c of previous) m.disposeCache(c);
    if (k < n && branches[0]!.prompt.queryDue(k)) branches = branches.flatMap((b) => splitAtQuery(b, k));
  }
  const prefixes = new Map([...lengths].map(([key, v]) => [key, { cache: v.branch.cache, length: v.length }]));
  for (const b of branches) for (const member of b.members) paths[member.index]!.q3Queries = b.q3;
  const first = branches[0]!.prompt;
  return new ScoredVideo(req.questionId, req.frameTimes, paths, branches.length, first.systemPromptCase(), first.consumedTurns, m.decoderCalls - calls0, m.runMs - run0, performance.now() - t0, prefixes, m);
}

/**
 * Q3 at a query due at frame q: policies that responded at q − 1 render it without the end token. The branch
 * object itself continues as the first group (prefix lengths recorded so far point at it and follow its cache).
 */
function splitAtQuery(b: Branch, q: number): Branch[] {
  const quiet = b.members.filter((x) => !x.lastTriggered);
  const triggered = b.members.filter((x) => x.lastTriggered);
  if (quiet.length === 0 || triggered.length === 0) {
    b.prompt.lastRole = triggered.length ? 'assistant' : 'stream';
    if (triggered.length) b.q3 = [...b.q3, q];
    return [b];
  }
  b.members = quiet;
  b.prompt.lastRole = 'stream';
  const prompt = b.prompt.clone();
  prompt.lastRole = 'assistant';
  return [b, { prompt, cache: b.cache, q3: [...b.q3, q], members: triggered }];
}

/**
 * Greedy responses at the given prefixes of a scoring pass, each from the KV prefix sliced to its frame
 * (rm. prev. resp. on: nothing of a response stays, so order does not matter). Keys repeated are generated once.
 */
export async function generateAt(scored: ScoredVideo, keys: ReadonlyArray<string>, opts: { maxNewTokens?: number } = {}): Promise<Map<string, GeneratedResponse>> {
  const m = scored.onnx;
  const maxNewTokens = opts.maxNewTokens ?? m.config.mmduet!.generation.maxNewTokens;
  checkMaxNewTokens(maxNewTokens);
  const out = new Map<string, GeneratedResponse>();
  for (const key of keys) {
    if (out.has(key)) continue;
    const t0 = performance.now();
    const { cache, length } = scored.prefix(key);
    const prefix = await m.sliceCache(cache, length);
    const g = await generateFrom(m, prefix, maxNewTokens, false);
    if (prefix !== cache) m.disposeCache(prefix);
    out.set(key, { text: g.text, tokens: g.ids.length, decoderCalls: g.decoderCalls, ms: performance.now() - t0 });
  }
  return out;
}
