/**
 * `judgeMagqa`: judge the pairs a MAGQA run needs (cached, resumable, bounded concurrency, retries) and
 * compute the in-span score and turn counts from them. Plain function; the CLI command only calls it.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pLimit from 'p-limit';
import { InputError } from '../errors.js';
import { sha256File, writeFileAtomic } from '../io/files.js';
import { protocolColumn, type Conventions, type Protocol } from '../benchmarks/conventions.js';
import { loadMagqaInputs } from '../benchmarks/magqa/data.js';
import { inSpanScore, type CellValue } from '../metrics/inspan.js';
import { cachedScore, JudgeCache, type CacheRecord, type TokenUsage } from './cache.js';
import { askPair, makeClient, type PairOutcome } from './chat.js';
import { identityOf, PRICES_PER_MTOK, resolveJudge, type JudgeSettings, type SamplingMode } from './config.js';
import { lexicalScore } from './lexical.js';
import { collectPairs, type PairSet, type PairTask } from './pairs.js';
import type { ParseMode } from './parse.js';
import { judgeMessages } from './prompts.js';
import { DEFAULT_RETRY, FatalJudgeError, type RetryPolicy, type RetryStats } from './retry.js';
import { runBatch } from './batch.js';
import { CACHE_FILE_NAME } from './judgments.js';
import { failedCellRules, failurePolicy, failureVerdict, magqaCounts, magqaNotes, noReplyFrom, throwOnVerdict, type FailurePolicy, type PairTally } from './outcome.js';

export { cachedScore } from './cache.js';
export { magqaNotes } from './outcome.js';
export const CACHE_FILE = CACHE_FILE_NAME;
export const RESULT_FILE = 'magqa-judged.json';
export const BATCH_STATE_FILE = 'judge-batch.json';

export interface JudgeMagqaOptions {
  goldPath: string;
  predictionsPath: string;
  predictionsFormat?: 'mmduet' | 'baseline';
  judge: string;
  model?: string;
  /** OpenAI-compatible endpoint; defaults to OPENAI_BASE_URL, then the OpenAI API. */
  baseUrl?: string;
  /** Defaults to OPENAI_API_KEY. Never written anywhere. */
  apiKey?: string;
  concurrency?: number;
  batch?: boolean;
  dryRun?: boolean;
  protocol?: Protocol;
  /** Per-row overrides of the protocol's MAGQA conventions (padWithOne, numExamples, baselineAllMatch). */
  conventions?: Partial<Pick<Conventions, 'padWithOne' | 'numExamples' | 'baselineAllMatch'>>;
  sampling?: SamplingMode;
  parse?: ParseMode;
  /** Under `standard`: the run fails when failed pairs exceed this fraction of judged pairs (default 0.01). */
  maxJudgeFailures?: number;
  /** Unparsable replies: scored 1, stop the run, or excluded (default: one under mmduet, exclude under standard). */
  unparsableScore?: FailurePolicy['unparsableScore'];
  /** The metric is invalid when unparsable replies exceed this fraction of judged pairs (default 0.01). */
  maxUnparsableRate?: number;
  /** Pairs without a reply score 1 (mmduet; excluded under standard) instead of leaving the judge stage incomplete. */
  allowMissingJudgements?: boolean;
  retry?: Partial<RetryPolicy>;
  batchPollMs?: number;
  requestTimeoutMs?: number;
  /** Run directory: cache, batch state and result file. Without it the cache lives in memory only. */
  outDir?: string;
  /** USD per million tokens, overriding the built-in table (Llama servers have no list price). */
  prices?: { input: number; output: number };
  log?: (line: string) => void;
}

export interface CostEstimate {
  pairs_to_ask: number;
  prompt_tokens: number;
  completion_tokens: number;
  cost_usd: number | null;
  method: string;
}

export interface JudgeProvenance {
  name: string;
  model: string;
  provider: string;
  route: 'chat' | 'batch' | 'local';
  prompt_sha256: string;
  sampling: SamplingMode;
  sampling_params: Record<string, number>;
  temperature: number | null;
  parse: ParseMode;
}

export interface JudgeMagqaResult {
  benchmark: 'magqa';
  protocol: Protocol;
  /** False when the stage is incomplete, a failure guard tripped, or the run was a dry run. */
  valid: boolean;
  /** True when some pairs got no reply (and missing judgements were not allowed): no in_span_score is given. */
  incomplete: boolean;
  dry_run: boolean;
  metrics: { in_span_score: number | null; turns: number | null; turns_dedup: number | null };
  scale: string;
  counts: Record<string, number>;
  judge: JudgeProvenance;
  estimate: CostEstimate;
  usage: TokenUsage & { requests_answered: number };
  cost_usd: number | null;
  retries: RetryStats;
  conventions: Pick<Conventions, 'padWithOne' | 'numExamples' | 'baselineAllMatch'> & FailurePolicy;
  notes: string[];
  /** Every failed pair: `kind` unparsable (raw replies in `reason`) or missing (the transport error). */
  failures: { gold: string; pred: string; question: string; kind: 'unparsable' | 'missing'; reason: string }[];
  inputs: { gold_sha256: string; predictions_sha256: string; predictions_kind: string };
  cache_file: string | null;
  per_example?: { id: string; score: number; turns: number; turnsDedup: number }[];
  created_at: string;
}

export interface JudgeRunStats {
  asked: number;
  /** Transport failures: key -> reason. Never cached; asked again by the next run. */
  missing: Map<string, string>;
  usage: TokenUsage;
  requestsAnswered: number;
  retries: RetryStats;
}

export function priceFor(s: JudgeSettings, prices?: { input: number; output: number }): [number, number] | null {
  if (s.judge === 'lexical') return [0, 0];
  if (prices) return [prices.input, prices.output];
  return PRICES_PER_MTOK[s.model] ?? null;
}

export function costOf(usage: TokenUsage, price: [number, number] | null, batch: boolean): number | null {
  if (!price) return null;
  return ((usage.prompt_tokens * price[0] + usage.completion_tokens * price[1]) / 1e6) * (batch ? 0.5 : 1);
}

/** Token estimate before asking: about 4 characters per token plus 4 tokens of framing per message, 1 reply token. */
export function estimateCost(tasks: PairTask[], s: JudgeSettings, price: [number, number] | null, batch: boolean): CostEstimate {
  if (s.judge === 'lexical') return { pairs_to_ask: tasks.length, prompt_tokens: 0, completion_tokens: 0, cost_usd: 0, method: 'local, no tokens' };
  let prompt = 0;
  for (const t of tasks) {
    const msgs = judgeMessages(s.judge, t.pair.question, t.pair.gold, t.pair.pred);
    prompt += msgs.reduce((a, m) => a + Math.ceil(m.content.length / 4) + 4, 0);
  }
  const usage = { prompt_tokens: prompt, completion_tokens: tasks.length };
  return { pairs_to_ask: tasks.length, ...usage, cost_usd: costOf(usage, price, batch), method: 'characters/4 + 4 per message; 1 reply token per pair; re-asks not included' };
}

function cacheRecord(task: PairTask, s: JudgeSettings, out: PairOutcome, route: CacheRecord['route'], price: [number, number] | null): CacheRecord {
  return {
    key: task.key,
    judge_model: s.model,
    provider: s.provider,
    prompt_sha256: s.promptSha256,
    sampling: JSON.stringify(s.samplingParams),
    ...task.pair,
    status: out.status,
    score: out.score,
    replies: out.replies,
    usage: out.usage,
    cost_usd: costOf(out.usage, price, route === 'batch'),
    route,
    at: new Date().toISOString(),
  };
}

export interface JudgePairsOptions {
  settings: JudgeSettings;
  apiKey?: string;
  concurrency: number;
  retry: RetryPolicy;
  batch: boolean;
  batchPollMs: number;
  requestTimeoutMs?: number;
  batchStateFile: string | null;
  price: [number, number] | null;
  log: (line: string) => void;
}

/**
 * `text` with every occurrence of the API key replaced: servers and proxies may echo the Authorization header
 * in an error body, and error texts end up in result files, logs and the console.
 */
export function redactSecret(text: string, secret: string | undefined): string {
  return secret && secret.length >= 4 ? text.split(secret).join('[REDACTED]') : text;
}

/** Judges `tasks` (none of which is cached yet), appending every reply to `cache` as it arrives. */
export async function judgePairs(tasks: PairTask[], cache: JudgeCache, o: JudgePairsOptions): Promise<JudgeRunStats> {
  try {
    const stats = await judgePairsUnredacted(tasks, cache, o);
    for (const [key, reason] of stats.missing) stats.missing.set(key, redactSecret(reason, o.apiKey));
    return stats;
  } catch (e) {
    const original = e instanceof Error ? e.message : String(e);
    const message = redactSecret(original, o.apiKey);
    if (message === original) throw e;
    throw e instanceof InputError ? new InputError(message) : new Error(message);
  }
}

async function judgePairsUnredacted(tasks: PairTask[], cache: JudgeCache, o: JudgePairsOptions): Promise<JudgeRunStats> {
  const stats: JudgeRunStats = {
    asked: 0,
    missing: new Map(),
    usage: { prompt_tokens: 0, completion_tokens: 0 },
    requestsAnswered: 0,
    retries: { retries: 0, rateLimited: 0, serverErrors: 0 },
  };
  const record = (task: PairTask, out: PairOutcome, route: CacheRecord['route']) => {
    cache.add(cacheRecord(task, o.settings, out, route, o.price));
    stats.asked++;
    stats.usage.prompt_tokens += out.usage.prompt_tokens;
    stats.usage.completion_tokens += out.usage.completion_tokens;
    stats.requestsAnswered += out.replies.length;
  };
  if (o.settings.judge === 'lexical') {
    for (const t of tasks) {
      const score = lexicalScore(t.pair.gold, t.pair.pred);
      record(t, { status: 'ok', score, replies: [String(score)], usage: { prompt_tokens: 0, completion_tokens: 0 } }, 'local');
    }
    return stats;
  }
  if (tasks.length === 0) return stats;
  const client = makeClient(o.settings, o.apiKey, o.requestTimeoutMs);
  let remaining = tasks;
  if (o.batch) {
    if (!o.batchStateFile) throw new InputError('--batch: expected --out RUN_DIR to keep the batch id for resuming, found none');
    remaining = await runBatch(client, tasks, o.settings, o.batchStateFile, o.batchPollMs, o.log, (t, out) => record(t, out, 'batch'), stats.missing);
  }
  const limit = pLimit(Math.max(1, o.concurrency));
  let fatal: unknown;
  let done = 0;
  const step = Math.max(1, Math.floor(remaining.length / 20));
  await Promise.all(
    remaining.map((t) =>
      limit(async () => {
        if (fatal) return;
        try {
          record(t, await askPair(client, o.settings, t.pair, o.retry, stats.retries), o.batch ? 'batch' : 'chat');
        } catch (e) {
          if (e instanceof FatalJudgeError) {
            // Queued tasks see `fatal` and return at once. (p-limit's clearQueue would leave their promises
            // pending forever, and Promise.all below would never settle.)
            fatal = e;
            return;
          }
          stats.missing.set(t.key, (e as Error).message.split('\n')[0]!.slice(0, 200));
        }
        if (++done % step === 0) o.log(`judged ${done}/${remaining.length} pairs`);
      }),
    ),
  );
  if (fatal) throw new InputError((fatal as Error).message);
  return stats;
}

/** The cell values of the in-span score for a set of pairs, from the cache and the transport failures. */
export function lookupFrom(pairs: PairSet, cache: JudgeCache, missing: Map<string, string>, parse: ParseMode = 'strict') {
  return (ex: Parameters<PairSet['keyOf']>[0], gold: string, pred: string): CellValue => {
    const key = pairs.keyOf(ex, gold, pred);
    const rec = cache.get(key);
    if (rec) return cachedScore(rec, parse) ?? 'unparsable';
    return missing.has(key) ? 'missing' : undefined;
  };
}

export function magqaConventions(protocol: Protocol, over: JudgeMagqaOptions['conventions']) {
  const col = protocolColumn(protocol);
  return {
    padWithOne: over?.padWithOne ?? col.padWithOne,
    numExamples: over?.numExamples ?? col.numExamples,
    baselineAllMatch: over?.baselineAllMatch ?? col.baselineAllMatch,
  };
}

export async function judgeMagqa(opts: JudgeMagqaOptions): Promise<JudgeMagqaResult> {
  const log = opts.log ?? (() => {});
  const protocol = opts.protocol ?? 'mmduet';
  const settings = resolveJudge({ judge: opts.judge, model: opts.model, baseUrl: opts.baseUrl, sampling: opts.sampling, parse: opts.parse });
  const apiKey = opts.apiKey ?? process.env.OPENAI_API_KEY;
  const conv = magqaConventions(protocol, opts.conventions);
  const policy = failurePolicy(protocol, {
    unparsableScore: opts.unparsableScore,
    allowMissingJudgements: opts.allowMissingJudgements,
    maxUnparsableRate: opts.maxUnparsableRate,
    maxJudgeFailures: opts.maxJudgeFailures,
  });
  const batch = !!opts.batch;
  if (batch && settings.judge === 'lexical') throw new InputError('--batch: expected an API judge (gpt-4o or llama-3.1-70b), found lexical');

  const inputs = loadMagqaInputs(opts.goldPath, opts.predictionsPath, opts.predictionsFormat);
  const pairs = collectPairs(inputs.examples, identityOf(settings), conv.baselineAllMatch, settings.samplingMode === 'original');
  const cacheFile = opts.outDir ? join(opts.outDir, CACHE_FILE) : null;
  if (opts.outDir && !opts.dryRun) mkdirSync(opts.outDir, { recursive: true });
  const cache = new JudgeCache(cacheFile, { readOnly: !!opts.dryRun });
  const unseen = pairs.tasks.filter((t) => !cache.get(t.key));
  const cacheHits = pairs.tasks.length - unseen.length;
  const price = priceFor(settings, opts.prices);
  const estimate = estimateCost(unseen, settings, price, batch);
  log(`${pairs.tasks.length} pair(s) to judge (${pairs.cellsBeforeDedup} before dedup), ${cacheHits} cached, ${unseen.length} to ask; ` +
    `estimate ${estimate.prompt_tokens} prompt + ${estimate.completion_tokens} completion tokens, ` +
    `${estimate.cost_usd === null ? 'cost unknown (no price for this model; pass prices)' : `$${estimate.cost_usd.toFixed(4)}`}`);
  if (settings.judge !== 'lexical' && !settings.baseUrl && !apiKey && unseen.length > 0 && !opts.dryRun) {
    throw new InputError('--judge gpt-4o: expected the OPENAI_API_KEY environment variable, found none');
  }

  const stats = opts.dryRun
    ? { asked: 0, missing: new Map<string, string>(), usage: { prompt_tokens: 0, completion_tokens: 0 }, requestsAnswered: 0, retries: { retries: 0, rateLimited: 0, serverErrors: 0 } }
    : await judgePairs(unseen, cache, {
        settings,
        apiKey,
        concurrency: opts.concurrency ?? 8,
        retry: { ...DEFAULT_RETRY, ...opts.retry },
        batch,
        batchPollMs: opts.batchPollMs ?? 30_000,
        requestTimeoutMs: opts.requestTimeoutMs,
        batchStateFile: opts.outDir ? join(opts.outDir, BATCH_STATE_FILE) : null,
        price,
        log,
      });

  const result = inSpanScore(inputs.examples, lookupFrom(pairs, cache, stats.missing, settings.parse), { ...conv, ...failedCellRules(protocol, policy) });
  const unparsable = pairs.tasks.filter((t) => {
    const rec = cache.get(t.key);
    return rec !== undefined && cachedScore(rec, settings.parse) === null;
  });
  const tally: PairTally = { judged: pairs.tasks.length, unparsable: unparsable.length, missing: stats.missing.size };
  const failures = [
    ...unparsable.map((t) => ({ ...t.pair, kind: 'unparsable' as const, reason: `unparsable reply(s): ${JSON.stringify(cache.get(t.key)!.replies)}` })),
    ...pairs.tasks.filter((t) => stats.missing.has(t.key)).map((t) => ({ ...t.pair, kind: 'missing' as const, reason: stats.missing.get(t.key)! })),
  ].map(({ question, gold, pred, kind, reason }) => ({ question, gold, pred, kind, reason }));
  const verdict = failureVerdict(protocol, policy, tally, noReplyFrom(settings.provider));
  const notes = magqaNotes({ inputs, result, protocol, judgeName: settings.judge, tally, policy, verdict });
  if (opts.dryRun) notes.push('dry run: nothing was asked; the scores use cached judgements only and are not valid.');

  const out: JudgeMagqaResult = {
    benchmark: 'magqa',
    protocol,
    valid: verdict.incomplete === null && verdict.invalid.length === 0 && !opts.dryRun,
    incomplete: verdict.incomplete !== null,
    dry_run: !!opts.dryRun,
    metrics: { in_span_score: verdict.headline ? result.inSpanScore : null, turns: result.turns, turns_dedup: result.turnsDedup },
    scale: 'in_span_score: judge scale 1–5 (not percent); turns, turns_dedup: mean count per example',
    counts: {
      ...magqaCounts(inputs, tally, result.counts),
      cells_before_dedup: pairs.cellsBeforeDedup,
      cache_hits: cacheHits,
      asked: stats.asked,
      dropped_cache_tail_bytes: cache.droppedTailBytes,
    },
    judge: {
      name: settings.judge,
      model: settings.model,
      provider: settings.provider,
      route: settings.judge === 'lexical' ? 'local' : batch ? 'batch' : 'chat',
      prompt_sha256: settings.promptSha256,
      sampling: settings.samplingMode,
      sampling_params: settings.samplingParams,
      temperature: settings.samplingParams.temperature ?? (settings.judge === 'lexical' ? null : 1),
      parse: settings.parse,
    },
    estimate,
    usage: { ...stats.usage, requests_answered: stats.requestsAnswered },
    cost_usd: costOf(stats.usage, price, batch),
    retries: stats.retries,
    conventions: { ...conv, ...policy },
    notes,
    failures,
    inputs: { gold_sha256: sha256File(opts.goldPath), predictions_sha256: sha256File(opts.predictionsPath), predictions_kind: inputs.kind },
    cache_file: cacheFile ? CACHE_FILE : null,
    per_example: result.perExample,
    created_at: new Date().toISOString(),
  };
  if (opts.outDir && !opts.dryRun && existsSync(opts.outDir)) writeFileAtomic(join(opts.outDir, RESULT_FILE), JSON.stringify(out, null, 2) + '\n');
  if (!opts.dryRun) throwOnVerdict(verdict, 'magqa judge', opts.outDir ? join(opts.outDir, RESULT_FILE) : 'the failures list');
  return out;
}
