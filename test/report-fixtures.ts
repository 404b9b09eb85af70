/** Hand-built result pairs for the report tests (imported by test/report.test.ts and src/report/*.test.ts). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseResult, type ComparableResult } from '../src/report/result-file.js';

export interface FixtureItem {
  id: string;
  video?: string;
  values: Record<string, number>;
}

export interface FixtureOptions {
  items?: FixtureItem[];
  /** Metrics computed as the mean of per-item values times this scale (1 or 100). */
  itemMeanMetrics?: Record<string, 1 | 100>;
  /** Metrics given directly (corpus metrics, metrics without per-item values, nulls). */
  metrics?: Record<string, number | null>;
  benchmark?: string;
  protocol?: string;
  gold?: string;
  predictions?: string;
  toolkit?: string;
  parameters?: Record<string, unknown>;
}

/** A ScoreResult-shaped object, as `mmduet score --json` writes it. */
export function makeResult(o: FixtureOptions): Record<string, unknown> {
  const items = o.items ?? [];
  const metrics: Record<string, number | null> = {};
  for (const [metric, scale] of Object.entries(o.itemMeanMetrics ?? {})) {
    const values = items.map((it) => it.values[metric]).filter((v): v is number => v !== undefined);
    metrics[metric] = (values.reduce((a, b) => a + b, 0) / values.length) * scale;
  }
  Object.assign(metrics, o.metrics ?? {});
  const result: Record<string, unknown> = {
    benchmark: o.benchmark ?? 'magqa',
    protocol: o.protocol ?? 'mmduet',
    metrics,
    counts: { items: items.length },
    notes: [],
    provenance: {
      toolkit_version: o.toolkit ?? '0.1.0',
      gold_sha256: o.gold ?? 'gold-aaaa',
      predictions_sha256: o.predictions ?? 'pred-1111',
      parameters: o.parameters ?? { judge_model: 'gpt-4o-2024-08-06', t: 0.5 },
      created_at: '2026-01-01T00:00:00Z',
      node_version: 'v20.0.0',
    },
  };
  if (items.length > 0) {
    result.perItem = Object.fromEntries(items.map((it) => [it.id, it.values]));
    const videos = items.filter((it) => it.video !== undefined);
    if (videos.length > 0) result.perItemVideo = Object.fromEntries(videos.map((it) => [it.id, it.video!]));
  }
  return result;
}

export function comparable(o: FixtureOptions, file: string): ComparableResult {
  return parseResult(JSON.parse(JSON.stringify(makeResult(o))), file);
}

export function writeResult(dir: string, name: string, o: FixtureOptions | Record<string, unknown>): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify('provenance' in o ? o : makeResult(o as FixtureOptions)));
  return file;
}

/** `count` items, `perVideo` to a video, with values from `value(i)`. */
export function itemsOf(count: number, perVideo: number, value: (i: number) => Record<string, number>): FixtureItem[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `v${String(Math.floor(i / perVideo)).padStart(2, '0')}.${i % perVideo}`,
    video: `v${String(Math.floor(i / perVideo)).padStart(2, '0')}`,
    values: value(i),
  }));
}
