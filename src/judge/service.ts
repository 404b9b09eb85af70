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
import { loadMagqaInputs, type MagqaInputs } from '../benchmarks/magqa/data.js';
import { inSpanScore, type CellValue, type InSpanResult } from '../metrics/inspan.js';
import { JudgeCache, type CacheRecord, type TokenUsage } from './cache.js';
import { askPair, makeClient, type PairOutcome } from './chat.js';
import { identityOf, PRICES_PER_MTOK, resolveJudge, type JudgeSettings, type SamplingMode } from './config.js';
import { lexicalScore } from './lexical.js';
import { collectPairs, type PairSet, type PairTask } from './pairs.js';
import { parseJudgeReply, type ParseMode } from './parse.js';
import { judgeMessages } from './prompts.js';
import { DEFAULT_RETRY, FatalJudgeError, type RetryPolicy, type RetryStats } from './retry.js';
import { runBatch } from './batch.js';
import { CACHE_FILE_NAME } from './judgments.js';

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
  /** False when the failure guard tripped (standard protocol) or the run was a dry run. */
  valid: boolean;
  dry_run: boolean;
  metrics: { in_span_score: number | null; turns: number | null; turns_dedup: number | null };
  scale: string;
  counts: Record<string, number>;
  judge: JudgeProvenance;
  estimate: CostEstimate;
  usage: TokenUsage & { requests_answered: number };
  cost_usd: number | null;
  retries: RetryStats;
  conventions: Pick<Conventions, 'padWithOne' | 'numExamples' | 'baselineAllMatch'> & { failedCell: 'one' | 'exclude'; maxJudgeFailures: number };
  notes: string[];
  failures: { gold: string; pred: string; question: string; reason: string }[];
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

/**
 * The score of a cached record under the run's parse mode: the first of its raw replies that parses. The cache key
 * does not hold the parse mode (the raw reply is what is cached), so a record written under another mode is
 * re-parsed rather than trusted.
 */
export function cachedScore(rec: CacheRecord, parse: ParseMode): number | null {
  if (rec.route === 'local') return rec.score;
  for (const reply of rec.replies) {
    const score = parseJudgeReply(reply, parse);
    if (score !== null) return score;
  }
  return null;
}

/** The cell values of the in-span score for a set of pairs, from the cache and the transport failures. */
export function lookupFrom(pairs: PairSet, cache: JudgeCache, missing: Map<string, string>, parse: ParseMode = 'strict') {
  return (ex: Parameters<PairSet['keyOf']>[0], gold: string, pred: string): CellValue => {
    const key = pairs.keyOf(ex, gold, pred);
    const rec = cache.get(key);
    if (rec) return cachedScore(rec, parse) ?? 'failed';
    return missing.has(key) ? 'failed' : undefined;
  };
}

export interface ScoreSummaryInput {
  inputs: MagqaInputs;
  result: InSpanResult;
  protocol: Protocol;
  judgeName: string;
  failedPairs: number;
  judgedPairs: number;
  failedCell: 'one' | 'exclude';
}

/** Notes every user of the MAGQA numbers should see (shared by `mmduet judge` and `mmduet score`). */
export function magqaNotes(x: ScoreSummaryInput): string[] {
  const notes = ['in_span_score is on the judge scale 1–5 (not percent), turns and turns_dedup are mean counts per example, as in paper Table 4.'];
  if (x.judgeName === 'lexical') notes.push('judge "lexical" is an offline token-overlap F1 stand-in mapped to 1–5: not the paper\'s metric; do not compare with Table 4.');
  const c = x.result.counts;
  if (c.n_padded > 0) notes.push(`${c.n_padded} example(s) padded with in-span 1 and 0 turns up to ${c.scored + c.n_padded} (released scorer convention; ${x.inputs.missingPredictions} gold example(s) had no prediction line).`);
  else if (x.inputs.missingPredictions > 0) notes.push(`${x.inputs.missingPredictions} gold example(s) had no prediction line and are not in the mean (no padding).`);
  if (c.truncated > 0) notes.push(`${c.truncated} example(s) beyond the first ${c.scored} dropped (legacy "first N, pad to N").`);
  if (x.failedPairs > 0) {
    const how = x.failedCell === 'one' ? 'scored 1 (released scorer convention)' : 'excluded from the mean';
    notes.push(`${x.failedPairs} of ${x.judgedPairs} judged pair(s) failed (unparsable reply or no reply): ${c.failed_cells} cell(s) ${how}.`);
  }
  if (c.unjudged_cells > 0) notes.push(`${c.unjudged_cells} cell(s) had no judgement and scored 1.`);
  if (c.skipped_untimed > 0) notes.push(`${c.skipped_untimed} example(s) with an untimed baseline answer skipped (baselineAllMatch off).`);
  if (x.inputs.untimedBaselineAnswers > 0) notes.push(`${x.inputs.untimedBaselineAnswers} baseline response(s) had no parsable timestamp and were paired with every gold answer.`);
  if (x.inputs.unknownPredictions > 0) notes.push(`${x.inputs.unknownPredictions} prediction line(s) have a question_id absent from the gold file and were ignored.`);
  if (c.no_gold > 0) notes.push(`${c.no_gold} example(s) have no gold answer and contribute no score.`);
  if (x.protocol === 'standard' && c.gold_excluded > 0) notes.push(`${c.gold_excluded} gold answer(s) whose every cell failed were dropped; ${c.examples_excluded} example(s) dropped entirely.`);
  return notes;
}

/** Under `standard`, too many failed pairs invalidate the run: the message saying so, else null. */
export function failureGuard(protocol: Protocol, failedPairs: number, judgedPairs: number, maxJudgeFailures: number): string | null {
  const rate = judgedPairs === 0 ? 0 : failedPairs / judgedPairs;
  if (protocol !== 'standard' || rate <= maxJudgeFailures) return null;
  return `${failedPairs} of ${judgedPairs} judged pairs failed (${(100 * rate).toFixed(2)} % > ${(100 * maxJudgeFailures).toFixed(2)} % allowed by maxJudgeFailures under --protocol standard)`;
}

export function magqaConventions(protocol: Protocol, over: JudgeMagqaOptions['conventions']) {
  const col = protocolColumn(protocol);
  return {
    padWithOne: over?.padWithOne ?? col.padWithOne,
    numExamples: over?.numExamples ?? col.numExamples,
    baselineAllMatch: over?.baselineAllMatch ?? col.baselineAllMatch,
    failedCell: (protocol === 'mmduet' ? 'one' : 'exclude') as 'one' | 'exclude',
  };
}

export async function judgeMagqa(opts: JudgeMagqaOptions): Promise<JudgeMagqaResult> {
  const log = opts.log ?? (() => {});
  const protocol = opts.protocol ?? 'mmduet';
  const settings = resolveJudge({ judge: opts.judge, model: opts.model, baseUrl: opts.baseUrl, sampling: opts.sampling, parse: opts.parse });
  const apiKey = opts.apiKey ?? process.env.OPENAI_API_KEY;
  const conv = magqaConventions(protocol, opts.conventions);
  const maxJudgeFailures = opts.maxJudgeFailures ?? 0.01;
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

  const result = inSpanScore(inputs.examples, lookupFrom(pairs, cache, stats.missing, settings.parse), { ...conv });
  const unparsable = pairs.tasks.filter((t) => {
    const rec = cache.get(t.key);
    return rec !== undefined && cachedScore(rec, settings.parse) === null;
  });
  const failedPairs = unparsable.length + stats.missing.size;
  const failures = [
    ...unparsable.map((t) => ({ ...t.pair, reason: `unparsable reply(s): ${JSON.stringify(cache.get(t.key)!.replies)}` })),
    ...pairs.tasks.filter((t) => stats.missing.has(t.key)).map((t) => ({ ...t.pair, reason: stats.missing.get(t.key)! })),
  ].map(({ question, gold, pred, reason }) => ({ question, gold, pred, reason }));
  const notes = magqaNotes({ inputs, result, protocol, judgeName: settings.judge, failedPairs, judgedPairs: pairs.tasks.length, failedCell: conv.failedCell });
  const guard = failureGuard(protocol, failedPairs, pairs.tasks.length, maxJudgeFailures);
  const guardTripped = guard !== null;
  if (guard) notes.push(`INVALID: ${guard}`);
  if (opts.dryRun) notes.push('dry run: nothing was asked; the scores use cached judgements only and are not valid.');

  const out: JudgeMagqaResult = {
    benchmark: 'magqa',
    protocol,
    valid: !guardTripped && !opts.dryRun,
    dry_run: !!opts.dryRun,
    metrics: { in_span_score: result.inSpanScore, turns: result.turns, turns_dedup: result.turnsDedup },
    scale: 'in_span_score: judge scale 1–5 (not percent); turns, turns_dedup: mean count per example',
    counts: {
      gold_examples: inputs.goldExamples,
      examples_with_predictions: inputs.examples.length,
      missing_predictions: inputs.missingPredictions,
      unknown_predictions: inputs.unknownPredictions,
      judged_pairs: pairs.tasks.length,
      cells_before_dedup: pairs.cellsBeforeDedup,
      cache_hits: cacheHits,
      asked: stats.asked,
      failures: failedPairs,
      unparsable: unparsable.length,
      missing: stats.missing.size,
      dropped_cache_tail_bytes: cache.droppedTailBytes,
      ...result.counts,
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
    conventions: { padWithOne: conv.padWithOne, numExamples: conv.numExamples, baselineAllMatch: conv.baselineAllMatch, failedCell: conv.failedCell, maxJudgeFailures },
    notes,
    failures,
    inputs: { gold_sha256: sha256File(opts.goldPath), predictions_sha256: sha256File(opts.predictionsPath), predictions_kind: inputs.kind },
    cache_file: cacheFile ? CACHE_FILE : null,
    per_example: result.perExample,
    created_at: new Date().toISOString(),
  };
  if (opts.outDir && !opts.dryRun && existsSync(opts.outDir)) writeFileAtomic(join(opts.outDir, RESULT_FILE), JSON.stringify(out, null, 2) + '\n');
  if (guard) throw new InputError(`magqa judge: ${guard}; see ${opts.outDir ? join(opts.outDir, RESULT_FILE) : 'the failures list'}`);
  return out;
}
