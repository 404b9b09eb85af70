/**
 * The MMDuet streaming loop (protocol.md §5–§8): user turns inserted at their times, scores read at the last
 * visual token of every frame, the `need_response` policy, greedy responses. Two feeding patterns:
 * - `frame`: one decoder call per frame (the reference's pattern; required when responses stay in the cache);
 * - `chunked` (protocol.md §11): the scoring pass of score-video.ts (many frames per call, chunks cut at every
 *   user turn so the policy is resolved before the turn is rendered, quirk Q3), then each response generated
 *   from the KV prefix sliced at its trigger frame.
 */
import { InputError } from '../errors.js';
import type { KvCache, OnnxModel } from './model.js';
import { PolicyState, policyParameter } from './policy.js';
import { DEFAULT_CHUNK, generateAt, scoreVideo } from './score-video.js';
import { checkChunkSize, checkMaxNewTokens, embedWithFrames, generateFrom, loopModel, PromptState, readScores, type SystemPromptCase } from './stream.js';
import type { DebugEntry, DuetRequest, DuetResult, LoadedModel, ResponseTurn } from './types.js';

interface LoopOutcome {
  debug: DebugEntry[];
  responses: ResponseTurn[];
  generationCalls: number;
  generatedTokens: number;
  consumedTurns: number;
  systemPromptCase: SystemPromptCase;
}

export async function runDuet(model: LoadedModel, req: DuetRequest): Promise<DuetResult> {
  const m = loopModel(model, `runDuet ${req.questionId}`, req.frameEmbeddings, req.frameTimes.length);
  const p = req.policy;
  if ((p.kind === 'sum' && !Number.isFinite(p.s)) || (p.kind === 'per-frame' && !Number.isFinite(p.t))) throw new InputError(`policy ${p.kind}: expected a finite threshold`);
  const rm = req.removePreviousResponses ?? true;
  const responsesStay = !rm && p.kind !== 'never';
  const scoring = req.scoring ?? (responsesStay ? 'frame' : 'chunked');
  if (scoring === 'chunked' && responsesStay) {
    throw new InputError('chunked scoring needs rm. prev. resp. on (or the never policy): kept responses change every later score (protocol.md §11); use frame scoring');
  }
  const chunkSize = req.chunkSize ?? DEFAULT_CHUNK;
  checkChunkSize(chunkSize);
  const systemMode = req.systemPrompt ?? 'reference';
  const maxNewTokens = req.maxNewTokens ?? m.config.mmduet!.generation.maxNewTokens;
  checkMaxNewTokens(maxNewTokens);
  const t0 = performance.now();
  const run0 = m.runMs;
  const calls0 = m.decoderCalls;
  const loop = scoring === 'chunked' ? await runChunked(m, req, chunkSize, maxNewTokens) : await runFrames(m, req, rm, maxNewTokens);
  const totalMs = performance.now() - t0;
  const sessionRunMs = m.runMs - run0;
  const users: ResponseTurn[] = req.userTurns.map((u) => ({ time: u.time, content: u.content, role: 'user' }));
  // Stable sort: a user turn precedes a response at the same time (protocol.md §8).
  const list = [...users, ...loop.responses].sort((a, b) => a.time - b.time);
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
        policy_parameter: policyParameter(p),
        remove_previous_responses: rm,
        system_prompt: systemMode,
        system_prompt_case: loop.systemPromptCase,
        scoring,
        chunk_size: scoring === 'chunked' ? chunkSize : null,
        max_new_tokens: maxNewTokens,
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
      systemPromptCase: loop.systemPromptCase,
      unconsumedUserTurns: req.userTurns.length - loop.consumedTurns,
      scoring,
    },
  };
}

/** Chunked: one scoring pass for this policy, then its responses from the KV prefixes. */
async function runChunked(m: OnnxModel, req: DuetRequest, chunkSize: number, maxNewTokens: number): Promise<LoopOutcome> {
  const scored = await scoreVideo(m, { questionId: req.questionId, frameEmbeddings: req.frameEmbeddings, frameTimes: req.frameTimes, userTurns: req.userTurns, policies: [req.policy], chunkSize, systemPrompt: req.systemPrompt });
  try {
    const path = scored.paths[0]!;
    const generated = await generateAt(scored, path.triggers.map((t) => t.key), { maxNewTokens });
    const out: LoopOutcome = { debug: path.debug, responses: [], generationCalls: 0, generatedTokens: 0, consumedTurns: scored.consumedTurns, systemPromptCase: scored.systemPromptCase };
    for (const t of path.triggers) {
      const g = generated.get(t.key)!;
      out.responses.push({ time: req.frameTimes[t.frame]!, content: g.text, role: 'assistant' });
      out.generationCalls += g.decoderCalls;
      out.generatedTokens += g.tokens;
    }
    return out;
  } finally {
    scored.release();
  }
}

/** One decoder call per frame; a response is generated right after its frame and, with rm. off, kept. */
async function runFrames(m: OnnxModel, req: DuetRequest, rm: boolean, maxNewTokens: number): Promise<LoopOutcome> {
  const prompt = new PromptState(m, req.frameTimes, req.userTurns, req.systemPrompt ?? 'reference', rm);
  const policy = new PolicyState(req.policy);
  const out: LoopOutcome = { debug: [], responses: [], generationCalls: 0, generatedTokens: 0, consumedTurns: 0, systemPromptCase: 'no-query' };
  let cache: KvCache = m.emptyCache();
  for (let k = 0; k < req.frameTimes.length; k++) {
    const { embeds, lastRows } = await embedWithFrames(m, req.frameEmbeddings, [{ ids: prompt.prefixIds(k, cache.length === 0), frame: k }]);
    const step = await m.decode(embeds, cache);
    m.disposeCache(cache);
    cache = step.cache;
    const entry = readScores(m, step, lastRows[0]!, req.frameTimes[k]!);
    out.debug.push(entry);
    if (!policy.decide(entry.informative_score, entry.relevance_score)) continue;
    const g = await generateFrom(m, cache, maxNewTokens, !rm);
    out.generationCalls += g.decoderCalls;
    out.generatedTokens += g.ids.length;
    out.responses.push({ time: req.frameTimes[k]!, content: g.text, role: 'assistant' });
    // The last generated token is never fed: it becomes the pending token (quirk Q4 when it is not <|im_end|>).
    prompt.pendingToken = g.ids[g.ids.length - 1]!;
    prompt.lastRole = 'assistant';
    if (g.cache) {
      m.disposeCache(cache);
      cache = g.cache;
    }
  }
  m.disposeCache(cache);
  out.consumedTurns = prompt.consumedTurns;
  out.systemPromptCase = prompt.systemPromptCase();
  return out;
}
