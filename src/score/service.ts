/**
 * `mmduet score` as a plain service: resolve the protocol, run the benchmark's scorer, and wrap the
 * numbers with provenance. Knows nothing about oclif.
 */
import { resolveConventions, type ConventionKey, type Conventions, type Protocol, type ResolvedConventions } from '../benchmarks/conventions.js';
import { getBenchmark } from '../benchmarks/registry.js';
import type { BenchmarkName, ScoreResult } from '../benchmarks/types.js';
import { InputError } from '../errors.js';
import { sha256File, writeFileAtomic } from '../io/files.js';
import { toolkitVersion } from '../version.js';

export interface ScoreOptions {
  benchmark: string;
  goldPath: string;
  goldFormat?: string;
  predictionsPath: string;
  predictionsFormat?: string;
  protocol?: Protocol;
  /** Per-row convention flags; undefined = the protocol's column. */
  overrides?: Partial<Conventions>;
  /** Benchmark parameters (w, threshold, baselineFormat, judge, ...); undefined = the module default. */
  params?: Record<string, string | number | boolean | undefined>;
}

/** Each convention row: the flag that sets it and the benchmarks whose scorer reads it (metrics.md §7). */
const CONVENTION_ROWS: Record<ConventionKey, { flag: string; benchmarks: BenchmarkName[] }> = {
  f1: { flag: '--f1', benchmarks: ['youcook2'] },
  missingVideos: { flag: '--missing-videos', benchmarks: ['youcook2'] },
  stripNonAscii: { flag: '--strip-non-ascii', benchmarks: ['youcook2', 'captions'] },
  rawSpans: { flag: '--raw-spans', benchmarks: ['youcook2'] },
  sodaVariant: { flag: '--soda-variant', benchmarks: ['youcook2'] },
  sodaScorer: { flag: '--soda-scorer', benchmarks: ['youcook2'] },
  dvcFirstCaption: { flag: '--dvc-first-caption', benchmarks: ['youcook2'] },
  qvhClipScore: { flag: '--qvh-clip-score', benchmarks: ['qvhighlights'] },
  qvhStrict: { flag: '--qvh-strict', benchmarks: ['qvhighlights'] },
  charadesBaselineMetric: { flag: '--charades-baseline-metric', benchmarks: ['charades-sta'] },
  scoreRounding: { flag: '--score-rounding', benchmarks: ['qvhighlights', 'charades-sta'] },
  padWithOne: { flag: '--pad-with-one', benchmarks: ['magqa'] },
  numExamples: { flag: '--num-examples', benchmarks: ['magqa'] },
  baselineAllMatch: { flag: '--baseline-all-match', benchmarks: ['magqa'] },
};

/** One note per overridden row, by flag name; a row the benchmark does not read is said to have no effect. */
function overrideNotes(benchmark: BenchmarkName, conventions: ResolvedConventions): string[] {
  return conventions.overridden.map((o) => {
    const row = CONVENTION_ROWS[o.key];
    const flag = typeof o.value === 'boolean' ? (o.value ? row.flag : row.flag.replace(/^--/, '--no-')) : `${row.flag} ${String(o.value)}`;
    const setting = `${flag} (convention ${o.key})`;
    return row.benchmarks.includes(benchmark)
      ? `${setting} differs from the ${conventions.protocol} protocol (${JSON.stringify(o.protocolValue)})`
      : `${setting} has no effect on ${benchmark}: it applies to ${row.benchmarks.join(', ')} only`;
  });
}

export async function scoreToResult(opts: ScoreOptions): Promise<ScoreResult> {
  const module = getBenchmark(opts.benchmark);
  const protocol = opts.protocol ?? 'mmduet';
  if (protocol !== 'mmduet' && protocol !== 'standard') throw new InputError(`--protocol: expected mmduet or standard, found ${protocol}`);
  if (opts.goldFormat && !module.goldFormats.includes(opts.goldFormat)) {
    throw new InputError(`--gold-format: expected one of ${module.goldFormats.join(', ')} for ${module.name}, found ${opts.goldFormat}`);
  }
  if (opts.predictionsFormat && !module.predictionFormats.includes(opts.predictionsFormat)) {
    throw new InputError(`--pred-format: expected one of ${module.predictionFormats.join(', ')} for ${module.name}, found ${opts.predictionsFormat}`);
  }
  const conventions = resolveConventions(protocol, opts.overrides ?? {});
  const params: Record<string, string | number | boolean | undefined> = { ...module.defaults };
  for (const [k, v] of Object.entries(opts.params ?? {})) if (v !== undefined) params[k] = v;
  const goldSha = sha256File(opts.goldPath);
  const predSha = sha256File(opts.predictionsPath);
  const score = await module.score({
    goldPath: opts.goldPath,
    goldFormat: opts.goldFormat,
    predictionsPath: opts.predictionsPath,
    predictionsFormat: opts.predictionsFormat,
    conventions,
    params,
  });
  const notes = [...overrideNotes(module.name, conventions), ...score.notes];
  const result: ScoreResult = {
    benchmark: module.name,
    protocol,
    metrics: score.metrics,
    counts: score.counts,
    notes,
    provenance: {
      toolkit_version: toolkitVersion(),
      gold_sha256: goldSha,
      predictions_sha256: predSha,
      parameters: {
        gold: opts.goldPath,
        predictions: opts.predictionsPath,
        gold_format: opts.goldFormat ?? 'auto',
        predictions_format: opts.predictionsFormat ?? 'auto',
        conventions: conventions.conventions,
        overridden_conventions: conventions.overridden.map((o) => o.key),
        ...score.params,
      },
      created_at: new Date().toISOString(),
      node_version: process.version,
    },
  };
  if (score.details !== undefined) result.details = score.details;
  if (score.perItem !== undefined) result.perItem = score.perItem;
  if (score.perItemVideo !== undefined) result.perItemVideo = score.perItemVideo;
  return result;
}

export function writeResult(file: string, result: ScoreResult | ScoreResult[]): void {
  writeFileAtomic(file, JSON.stringify(result, null, 2) + '\n');
}
