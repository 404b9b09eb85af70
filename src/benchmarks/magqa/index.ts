/**
 * Shot2Story-MAGQA (benchmarks.md §4): in-span score from an LLM judge (judge.md), # turns, # turns w/ dedup.
 * `score` reads judgements saved by `mmduet judge magqa` (`params.judgments`: its run directory, result JSON or
 * cache JSONL; `params.model` picks one judge if the cache holds several) or runs a judge (`params.judge`, with
 * `params.judgeRunDir` for the cache unless the judge is `lexical`; `model`, `baseUrl`, `concurrency`, `batch`,
 * `parse`, `maxJudgeFailures`, `unparsableScore`, `maxUnparsableRate`, `allowMissingJudgements` pass through; the
 * last four apply to saved judgements too, whose raw replies are re-parsed under `parse`). in_span_score is on the judge's 1–5 scale, NOT percent (the paper
 * prints it that way); turns and turns_dedup are mean counts per example.
 */
import type { BenchmarkModule, BenchmarkScore, ScoreRequest } from '../types.js';
import { InputError } from '../../errors.js';
import { inSpanScore, type InSpanExampleScore } from '../../metrics/inspan.js';
import { loadMagqaInputs } from './data.js';
import { judgeMagqa, type JudgeMagqaResult } from '../../judge/service.js';
import { loadJudgments, savedPairStats } from '../../judge/judgments.js';
import { JUDGE_NAMES } from '../../judge/prompts.js';
import { PARSE_MODES, type ParseMode } from '../../judge/parse.js';
import { failedCellRules, failurePolicy, failureVerdict, magqaCounts, magqaNotes, throwOnVerdict, type UnparsableScore } from '../../judge/outcome.js';
import { booleanParam as bool, numberParam, stringParam as str } from '../params.js';

const num = (v: string | number | boolean | undefined, name: string) => numberParam('magqa', name, v);

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
  const policy = failurePolicy(protocol, {
    maxJudgeFailures: num(p.maxJudgeFailures, 'maxJudgeFailures'),
    maxUnparsableRate: num(p.maxUnparsableRate, 'maxUnparsableRate'),
    unparsableScore: str(p.unparsableScore) as UnparsableScore | undefined,
    allowMissingJudgements: bool(p.allowMissingJudgements),
  });
  const parse = (str(p.parse) ?? 'strict') as ParseMode;
  if (!PARSE_MODES.includes(parse)) throw new InputError(`magqa: --judge-parse: expected one of ${PARSE_MODES.join(', ')}, found ${JSON.stringify(parse)}`);
  const conventions = { padWithOne: c.padWithOne, numExamples: c.numExamples, baselineAllMatch: c.baselineAllMatch };
  const judgmentsPath = str(p.judgments);
  const judge = str(p.judge);
  const params = { ...p, protocol, parse, ...policy, ...conventions };
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
      parse,
      ...policy,
      outDir: runDir,
    });
    return fromJudgeResult(r, { ...params, judge_model: r.judge.model });
  }
  const saved = loadJudgments(judgmentsPath!, str(p.model), parse);
  const inputs = loadMagqaInputs(req.goldPath, req.predictionsPath, predictionsKind(req));
  const tally = savedPairStats(inputs.examples, saved, conventions.baselineAllMatch);
  const result = inSpanScore(inputs.examples, saved.lookup, { ...conventions, ...failedCellRules(protocol, policy) });
  const judgeName = saved.model.startsWith('lexical') ? 'lexical' : saved.model;
  const verdict = failureVerdict(protocol, policy, tally, `have no saved judgement in ${saved.file} (judge ${saved.model} @ ${saved.provider}): run "mmduet judge magqa" with the same judge and run directory to ask for them`);
  throwOnVerdict(verdict, 'magqa', `the failures of ${saved.file}`);
  const notes = magqaNotes({ inputs, result, protocol, judgeName, tally, policy, verdict });
  notes.push(`judge: ${saved.model} @ ${saved.provider} (prompt sha256 ${saved.promptSha256.slice(0, 12)}…, sampling ${saved.sampling}, replies re-parsed with --judge-parse ${parse}) from ${saved.file}.`);
  return {
    metrics: { in_span_score: result.inSpanScore, turns: result.turns, turns_dedup: result.turnsDedup },
    counts: { ...magqaCounts(inputs, tally, result.counts), saved_judgements_used: tally.used, saved_judgements_in_file: saved.records },
    notes,
    details: { judge: { model: saved.model, provider: saved.provider, prompt_sha256: saved.promptSha256, sampling: saved.sampling, parse, file: saved.file } },
    perItem: perItemOf(result.perExample),
    perItemVideo: perItemVideoOf(result.perExample),
    params: { ...params, judge_model: saved.model },
  };
}

export const magqa: BenchmarkModule = {
  name: 'magqa',
  aliases: ['shot2story-magqa', 'shot2story'],
  summary: 'Shot2Story-MAGQA multi-answer grounded video QA (test): in-span score (1–5, LLM judge), # turns',
  defaults: { concurrency: 8, maxJudgeFailures: 0.01, maxUnparsableRate: 0.01 },
  goldFormats: ['mmduetit'],
  predictionFormats: ['mmduet', 'baseline'],
  score,
};
