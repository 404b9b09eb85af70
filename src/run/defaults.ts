/**
 * Inference settings per benchmark (benchmarks.md §1–§4 "Run" lines, protocol.md §2 and §6).
 */
import { getBenchmark } from '../benchmarks/registry.js';
import type { BenchmarkName } from '../benchmarks/types.js';
import type { ResponsePolicy } from '../engine/types.js';
import { InputError } from '../errors.js';

export type InferBenchmark = Exclude<BenchmarkName, 'captions'>;

export interface RunDefaults {
  fps: number;
  policy: ResponsePolicy;
}

export const RUN_DEFAULTS: Record<InferBenchmark, RunDefaults> = {
  youcook2: { fps: 0.5, policy: { kind: 'sum', s: 2 } },
  qvhighlights: { fps: 1, policy: { kind: 'never' } },
  'charades-sta': { fps: 2, policy: { kind: 'never' } },
  magqa: { fps: 2, policy: { kind: 'per-frame', t: 0.5 } },
};

/** Canonical benchmark name (aliases accepted) of a benchmark MMDuet can be run on. */
export function inferBenchmark(name: string): InferBenchmark {
  const b = getBenchmark(name).name;
  if (b === 'captions') throw new InputError(`infer: "${name}" is a scoring-only benchmark; expected youcook2, qvhighlights, charades-sta or magqa`);
  return b;
}

/**
 * The benchmark's policy with `--s` / `--t` applied. A parameter that does not belong to the
 * benchmark's policy is refused rather than silently ignored.
 */
export function resolvePolicy(benchmark: InferBenchmark, overrides: { s?: number; t?: number }): ResponsePolicy {
  const policy = RUN_DEFAULTS[benchmark].policy;
  for (const [key, kind] of [['s', 'sum'], ['t', 'per-frame']] as const) {
    const value = overrides[key];
    if (value === undefined) continue;
    if (!Number.isFinite(value)) throw new InputError(`--${key}: expected a number, found ${value}`);
    if (policy.kind !== kind) throw new InputError(`--${key}: expected only with the ${kind} policy, found the ${policy.kind} policy of ${benchmark}`);
  }
  if (policy.kind === 'sum') return { kind: 'sum', s: overrides.s ?? policy.s };
  if (policy.kind === 'per-frame') return { kind: 'per-frame', t: overrides.t ?? policy.t };
  return policy;
}

export function describePolicy(p: ResponsePolicy): string {
  return p.kind === 'sum' ? `sum s=${p.s}` : p.kind === 'per-frame' ? `per-frame t=${p.t}` : 'never';
}
