import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import { Shape, jsonPath, readJson } from '../io/files.js';
import type { MetricValue } from '../benchmarks/types.js';

/**
 * The parts of a ScoreResult (src/benchmarks/types.ts) that a comparison uses, validated.
 * `perItemVideo` is an optional top-level field (itemId -> videoId) that groups items sharing a video
 * into one bootstrap cluster; without it every item is its own cluster.
 */
export interface ComparableResult {
  /** The file actually read (DIR/result.json for a run directory). */
  file: string;
  benchmark: string;
  protocol: string;
  metrics: Record<string, MetricValue>;
  /** itemId -> metric -> value; per-item nulls are dropped here and counted in `perItemNulls`. */
  perItem: Record<string, Record<string, number>> | undefined;
  perItemVideo: Record<string, string> | undefined;
  /** How many per-item values were null (not computable) and therefore left out of the pairing. */
  perItemNulls: number;
  goldSha256: string;
  predictionsSha256: string | undefined;
  toolkitVersion: string | undefined;
  parameters: Record<string, unknown>;
}

/** A run directory stands for its DIR/result.json. */
export function resolveResultPath(path: string): string {
  if (!existsSync(path)) throw new InputError(`${path}: file not found`);
  if (!statSync(path).isDirectory()) return path;
  const file = join(path, 'result.json');
  if (!existsSync(file)) {
    throw new InputError(`${path}: expected a run directory containing result.json (written by mmduet eval), found none`);
  }
  return file;
}

function optionalString(shape: Shape, v: unknown, path: string): string | undefined {
  return v === undefined ? undefined : shape.string(v, path);
}

function readMetrics(shape: Shape, v: unknown): Record<string, MetricValue> {
  const obj = shape.object(v, '$.metrics');
  const out: Record<string, MetricValue> = {};
  for (const [name, value] of Object.entries(obj)) {
    out[name] = value === null ? null : shape.number(value, jsonPath('$.metrics', name));
  }
  return out;
}

function readPerItem(shape: Shape, v: unknown): { perItem: Record<string, Record<string, number>>; nulls: number } {
  const obj = shape.object(v, '$.perItem');
  const perItem: Record<string, Record<string, number>> = {};
  let nulls = 0;
  for (const [id, values] of Object.entries(obj)) {
    const itemPath = jsonPath('$.perItem', id);
    const row: Record<string, number> = {};
    for (const [metric, value] of Object.entries(shape.object(values, itemPath))) {
      if (value === null) {
        nulls++;
        continue;
      }
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        // Videos belong in the top-level perItemVideo map, not among the metric values.
        shape.fail(jsonPath(itemPath, metric), 'a finite number or null (put item videos in the top-level perItemVideo map)', value);
      }
      row[metric] = value;
    }
    perItem[id] = row;
  }
  return { perItem, nulls };
}

function readPerItemVideo(shape: Shape, v: unknown): Record<string, string> {
  const obj = shape.object(v, '$.perItemVideo');
  const out: Record<string, string> = {};
  for (const [id, video] of Object.entries(obj)) out[id] = shape.id(video, jsonPath('$.perItemVideo', id));
  return out;
}

/** Validates parsed JSON as a result; every error names the file and the JSON path. */
export function parseResult(json: unknown, file: string): ComparableResult {
  const shape = new Shape(file);
  if (Array.isArray(json)) {
    // `mmduet score` with several --predictions writes one result per file, as an array.
    throw InputError.at(file, '$', 'one result object (score one predictions file per result to compare)', `an array of ${json.length} results`);
  }
  const root = shape.object(json, '$');
  const provenance = shape.object(root.provenance, '$.provenance');
  const parameters = provenance.parameters === undefined ? {} : shape.object(provenance.parameters, '$.provenance.parameters');
  const items = root.perItem === undefined ? undefined : readPerItem(shape, root.perItem);
  return {
    file,
    benchmark: shape.string(root.benchmark, '$.benchmark'),
    protocol: shape.string(root.protocol, '$.protocol'),
    metrics: readMetrics(shape, root.metrics),
    perItem: items?.perItem,
    perItemVideo: root.perItemVideo === undefined ? undefined : readPerItemVideo(shape, root.perItemVideo),
    perItemNulls: items?.nulls ?? 0,
    goldSha256: shape.string(provenance.gold_sha256, '$.provenance.gold_sha256'),
    predictionsSha256: optionalString(shape, provenance.predictions_sha256, '$.provenance.predictions_sha256'),
    toolkitVersion: optionalString(shape, provenance.toolkit_version, '$.provenance.toolkit_version'),
    parameters,
  };
}

/** Reads a result file, or DIR/result.json for a run directory. */
export function loadResult(path: string): ComparableResult {
  const file = resolveResultPath(path);
  return parseResult(readJson(file), file);
}
