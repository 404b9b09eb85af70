/** The sweep file (`sweep.json`): one row per parameter value, with every metric, counts and time. */
import type { Conventions, Protocol } from '../benchmarks/conventions.js';
import type { MetricValue } from '../benchmarks/types.js';
import { toolkitVersion } from '../version.js';

export type SweepParam = 'w' | 'threshold' | 's' | 't';

export const SWEEP_FORMAT = 'mmduet-eval-sweep/1';

export interface SweepRow {
  value: number;
  metrics: Record<string, MetricValue>;
  counts: Record<string, number>;
  /** Wall-clock seconds spent on this value (scoring, plus generation for s/t sweeps). */
  seconds: number;
  notes: string[];
}

export interface SweepFile {
  format: typeof SWEEP_FORMAT;
  toolkit_version: string;
  created_at: string;
  benchmark: string;
  param: SweepParam;
  rows: SweepRow[];
  /** What was reused instead of recomputed (e.g. "no model call: …"). */
  reused: string;
  /** Model work done for the whole sweep (all zero for a post-processing sweep). */
  model_calls: { scoring_passes: number; generations: number };
  source: Record<string, unknown>;
  notes: string[];
}

/** Axis wording per parameter (x axis of the plots). */
export const PARAM_AXIS: Record<SweepParam, string> = {
  w: 'smoothing window w (frames each side)',
  threshold: 'frame threshold τ (on min-max normalised scores, 0–1)',
  s: 'sum threshold s (accumulated informative score)',
  t: 'per-frame threshold t (informative + relevance score)',
};

/** How every value of a sweep is scored: the same gold, protocol and fixed parameters for all values. */
export interface SweepScoring {
  benchmark: string;
  goldPath: string;
  goldFormat?: string;
  protocol?: Protocol;
  overrides?: Partial<Conventions>;
  /** Other benchmark parameters, held fixed across the sweep. */
  params?: Record<string, string | number | boolean | undefined>;
}

/** The fields every sweep file starts with. */
export function sweepFileHeader(benchmark: string, param: SweepParam): Pick<SweepFile, 'format' | 'toolkit_version' | 'created_at' | 'benchmark' | 'param'> {
  return { format: SWEEP_FORMAT, toolkit_version: toolkitVersion(), created_at: new Date().toISOString(), benchmark, param };
}
