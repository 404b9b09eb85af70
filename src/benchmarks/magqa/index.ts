/**
 * Shot2Story-MAGQA (benchmarks.md §4): in-span score from an LLM judge (judge.md), # turns, # turns w/ dedup.
 * `score` reads judgements saved by `mmduet judge magqa` (`params.judgments`: its run directory, result JSON or
 * cache JSONL; `params.model` picks one judge if the cache holds several) or runs a judge (`params.judge`, with
 * `params.judgeRunDir` for the cache unless the judge is `lexical`; `model`, `baseUrl`, `concurrency`, `batch`,
 * `parse`, `maxJudgeFailures` pass through). in_span_score is on the judge's 1–5 scale, NOT percent (the paper
 * prints it that way); turns and turns_dedup are mean counts per example.
 */
import type { BenchmarkModule, BenchmarkScore, ScoreRequest } from '../types.js';
import { InputError } from '../../errors.js';
import { inSpanScore, type InSpanExampleScore } from '../../metrics/inspan.js';
import { loadMagqaInputs } from './data.js';
import { failureGuard, judgeMagqa, magqaNotes, type JudgeMagqaResult } from '../../judge/service.js';
import { loadJudgments, savedPairStats } from '../../judge/judgments.js';
import { JUDGE_NAMES } from '../../judge/prompts.js';
import type { ParseMode } from '../../judge/parse.js';

const str = (v: unknown) => (v === undefined || v === '' ? undefined : String(v));
const num = (v: unknown, name: string) => {
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new InputError(`magqa: parameter ${name}: expected a number, found ${JSON.stringify(v)}`);
  return n;
};

function predictionsKind(req: ScoreRequest): 'mmduet' | 'baseline' | undefined {
  const f = req.predictionsFormat;
  if (f === undefined || f === 'auto') return undefined;
  if (f === 'mmduet' || f === 'baseline') return f;
  throw new InputError(`magqa: --pred-format: expected mmduet or baseline, found ${JSON.stringify(f)}`);
}

function perItemOf(list: InSpanExampleScore[]) {
  return Object.fromEntries(list.map((e) => [e.id, { in_span_score: e.score, turns: e.turns, turns_dedup: e.turnsDedup }]));
}

/**
 * Shot2Story clip ids are `<YouTube id>.<clip>.mp4`; clips of one video are correlated, so the
 * report's bootstrap resamples by the YouTube id (which never contains a dot).
 */
function perItemVideoOf(list: InSpanExampleScore[]): Record<string, string> {
  return Object.fromEntries(list.map((e) => [e.id, e.id.split('.')[0]!]));
}

function fromJudgeResult(r: JudgeMagqaResult, params: Record<string, unknown>): BenchmarkScore {
  return {
    metrics: { ...r.metrics },
    counts: r.counts,
    notes: r.notes,
    details: { judge: r.judge, usage: r.usage, cost_usd: r.cost_usd, estimate: r.estimate, retries: r.retries, conventions: r.conventions, failures: r.failures },
    perItem: perItemOf(r.per_example ?? []),
    perItemVideo: perItemVideoOf(r.per_example ?? []),
    params,
  };
}

async function score(req: ScoreRequest): Promise<BenchmarkScore> {
  const p = req.params;
  const c = req.conventions.conventions;
  const protocol = req.conventions.protocol;
  const maxJudgeFailures = num(p.maxJudgeFailures, 'maxJudgeFailures') ?? 0.01;
  const conventions = { padWithOne: c.padWithOne, numExamples: c.numExamples, baselineAllMatch: c.baselineAllMatch };
  const judgmentsPath = str(p.judgments);
  const judge = str(p.judge);
  const params = { ...p, protocol, maxJudgeFailures, ...conventions };
  if (judgmentsPath && judge) throw new InputError('magqa: expected either params.judgments (saved judgements) or params.judge (run a judge), found both');
  if (!judgmentsPath && !judge) {
    throw new InputError(`magqa: expected params.judgments (a judge cache / result file from "mmduet judge magqa") or params.judge (${JUDGE_NAMES.join(', ')}), found neither`);
  }
  if (judge) {
    const runDir = str(p.judgeRunDir);
    if (judge !== 'lexical' && !runDir) {
      throw new InputError(`magqa: --judge ${judge}: expected params.judgeRunDir (a run directory for the judge cache, so that no pair is paid for twice), found none; or run "mmduet judge magqa" first and pass --judgments`);
    }
    const r = await judgeMagqa({
      goldPath: req.goldPath,
      predictionsPath: req.predictionsPath,
      predictionsFormat: predictionsKind(req),
      judge,
      model: str(p.model),
      baseUrl: str(p.baseUrl ?? p['base-url']),
      concurrency: num(p.concurrency, 'concurrency'),
      batch: p.batch === true,
      protocol,
      conventions,
      parse: str(p.parse) as ParseMode | undefined,
      maxJudgeFailures,
      outDir: runDir,
    });
    return fromJudgeResult(r, { ...params, judge_model: r.judge.model });
  }
  const saved = loadJudgments(judgmentsPath!, str(p.model));
  const inputs = loadMagqaInputs(req.goldPath, req.predictionsPath, predictionsKind(req));
  const failedCell = protocol === 'mmduet' ? 'one' : 'exclude';
  const pairs = savedPairStats(inputs.examples, saved, conventions.baselineAllMatch);
  const result = inSpanScore(inputs.examples, saved.lookup, { ...conventions, failedCell });
  const judgeName = saved.model.startsWith('lexical') ? 'lexical' : saved.model;
  const notes = magqaNotes({ inputs, result, protocol, judgeName, failedPairs: pairs.failed, judgedPairs: pairs.judged, failedCell });
  if (pairs.absent > 0) notes.push(`${pairs.absent} needed pair(s) have no judgement in ${saved.file} (rerun "mmduet judge magqa" to fill them); counted as failures.`);
  const guard = failureGuard(protocol, pairs.failed, pairs.judged, maxJudgeFailures);
  if (guard) throw new InputError(`magqa: ${guard}`);
  notes.push(`judge: ${saved.model} (prompt sha256 ${saved.promptSha256.slice(0, 12)}…, sampling ${saved.sampling}) from ${saved.file}.`);
  return {
    metrics: { in_span_score: result.inSpanScore, turns: result.turns, turns_dedup: result.turnsDedup },
    counts: { ...result.counts, judged_pairs: pairs.judged, failures: pairs.failed, missing: pairs.absent, cache_hits: pairs.judged - pairs.absent, saved_judgements: saved.records },
    notes,
    details: { judge: { model: saved.model, prompt_sha256: saved.promptSha256, sampling: saved.sampling, file: saved.file } },
    perItem: perItemOf(result.perExample),
    perItemVideo: perItemVideoOf(result.perExample),
    params: { ...params, judge_model: saved.model },
  };
}

export const magqa: BenchmarkModule = {
  name: 'magqa',
  aliases: ['shot2story-magqa', 'shot2story'],
  summary: 'Shot2Story-MAGQA multi-answer grounded video QA (test): in-span score (1–5, LLM judge), # turns',
  defaults: { concurrency: 8, maxJudgeFailures: 0.01 },
  goldFormats: ['mmduetit'],
  predictionFormats: ['mmduet', 'baseline'],
  score,
};
