import type { ResolvedConventions } from './conventions.js';

export type BenchmarkName = 'youcook2' | 'qvhighlights' | 'charades-sta' | 'magqa' | 'captions';

/** Everything a benchmark's scorer needs: plain data, no oclif. */
export interface ScoreRequest {
  goldPath: string;
  /** Force a gold format instead of auto-detecting it (names are benchmark-specific). */
  goldFormat?: string;
  predictionsPath: string;
  predictionsFormat?: string;
  conventions: ResolvedConventions;
  /** Benchmark parameters (e.g. window w, threshold, baseline format). Defaults come from the module. */
  params: Record<string, string | number | boolean | undefined>;
}

/** A metric value: a number on the percent scale, or null when it cannot be computed (with a note saying why). */
export type MetricValue = number | null;

export interface BenchmarkScore {
  metrics: Record<string, MetricValue>;
  /** How many items were read, scored, dropped, malformed, padded, ... */
  counts: Record<string, number>;
  /** Human-readable notes: quirks that changed a number (with counts), unavailable metrics, dropped items. */
  notes: string[];
  /** Benchmark-specific nested detail (e.g. the QVHighlights evaluator's full result). */
  details?: unknown;
  /** Per-item values (id -> metric -> value) for regression reports and bootstraps. */
  perItem?: Record<string, Record<string, number>>;
  /** Item id -> video id where several items share a video (grounding, MAGQA): the bootstrap resamples videos. */
  perItemVideo?: Record<string, string>;
  /** Parameters actually used (defaults filled in). */
  params: Record<string, unknown>;
}

export interface BenchmarkModule {
  name: BenchmarkName;
  aliases: string[];
  /** One line for help texts. */
  summary: string;
  /** Default parameters (benchmarks.md), e.g. { w: 2 } for QVHighlights. */
  defaults: Record<string, string | number | boolean>;
  /** Gold and prediction format names accepted by --gold-format / --pred-format. */
  goldFormats: string[];
  predictionFormats: string[];
  score(req: ScoreRequest): Promise<BenchmarkScore>;
}

export interface Provenance {
  toolkit_version: string;
  gold_sha256: string;
  predictions_sha256: string;
  parameters: Record<string, unknown>;
  created_at: string;
  node_version: string;
}

/** What `mmduet score` writes: a benchmark's score plus what it is and where it came from. */
export type ScoreResult = Omit<BenchmarkScore, 'params'> & {
  benchmark: BenchmarkName;
  protocol: string;
  provenance: Provenance;
};
