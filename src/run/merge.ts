/**
 * `mmduet merge`: combines the run directories of `--shard i/n` runs into one run directory that is
 * identical to an unsharded run (predictions in annotation-file order). Shards made with other
 * parameters, data or models are refused, and so are incomplete or missing shards.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import { writeFileAtomic } from '../io/files.js';
import { toolkitVersion } from '../version.js';
import { ERRORS_FILE, PREDICTIONS_FILE, RUN_FILE, RunDir, TIMINGS_FILE, type ErrorRecord, type RunFile, type RunIdentity } from './rundir.js';

export interface MergeSummary {
  outDir: string;
  shards: number;
  predictions: number;
  errors: number;
}

interface Indexed {
  index: number;
  line: string;
}

function withoutShard(id: RunIdentity): string {
  return JSON.stringify({ ...id, shard: null });
}

function itemIndex(record: Record<string, any>, dir: string): number {
  const i = record.provenance?.item_index ?? record.index;
  if (typeof i !== 'number') throw InputError.at(join(dir, PREDICTIONS_FILE), `question_id ${JSON.stringify(record.question_id)}`, 'provenance.item_index (written by mmduet infer)', 'none');
  return i;
}

function writeLines(file: string, rows: Indexed[]): void {
  rows.sort((a, b) => a.index - b.index);
  writeFileAtomic(file, rows.map((r) => r.line + '\n').join(''));
}

export function mergeRuns(dirs: string[], outDir: string): MergeSummary {
  if (dirs.length === 0) throw new InputError('merge: expected at least one run directory');
  const runs = dirs.map((d) => RunDir.read(d));
  const first = runs[0]!;
  const ref = withoutShard(first.run.identity);
  const counts = new Set<number>();
  const seenShards = new Map<number, string>();
  for (const r of runs) {
    const id = r.run.identity;
    if (withoutShard(id) !== ref) {
      const keys = (Object.keys(id) as (keyof RunIdentity)[]).filter((k) => k !== 'shard' && JSON.stringify(id[k]) !== JSON.stringify(first.run.identity[k]));
      throw new InputError(`merge: ${r.dir} was made with other parameters or another model than ${first.dir} (differs in ${keys.join(', ')})`);
    }
    const m = id.shard === null ? null : /^(\d+)\/(\d+)$/.exec(id.shard);
    if (!m) throw new InputError(`merge: ${r.dir} is not a shard (made without --shard); nothing to merge it with`);
    const [k, n] = [Number(m[1]), Number(m[2])];
    counts.add(n);
    if (seenShards.has(k)) throw new InputError(`merge: shard ${k}/${n} given twice (${seenShards.get(k)} and ${r.dir})`);
    seenShards.set(k, r.dir);
    const errors = r.errors().length;
    if (r.done.size + errors < r.run.items_planned) {
      throw new InputError(`merge: shard ${id.shard} in ${r.dir} is incomplete (${r.done.size} predicted + ${errors} failed of ${r.run.items_planned} items); rerun its infer command to finish it`);
    }
  }
  if (counts.size !== 1) throw new InputError(`merge: expected shards of one split, found shard counts ${[...counts].join(', ')}`);
  const n = [...counts][0]!;
  const missing = Array.from({ length: n }, (_, i) => i + 1).filter((k) => !seenShards.has(k));
  if (missing.length > 0) throw new InputError(`merge: expected all ${n} shards, missing ${missing.map((k) => `${k}/${n}`).join(', ')}`);

  const predictions: Indexed[] = [];
  const errors: Indexed[] = [];
  const timings: Indexed[] = [];
  const owner = new Map<string, string>();
  for (const r of runs) {
    for (const rec of r.predictions<Record<string, any>>()) {
      const qid = String(rec.question_id);
      if (owner.has(qid)) throw new InputError(`merge: question_id ${JSON.stringify(qid)} is in both ${owner.get(qid)} and ${r.dir}`);
      owner.set(qid, r.dir);
      predictions.push({ index: itemIndex(rec, r.dir), line: JSON.stringify(rec) });
    }
    for (const e of r.errors()) errors.push({ index: (e as ErrorRecord).index, line: JSON.stringify(e) });
    for (const t of r.timings<Record<string, any>>()) timings.push({ index: Number(t.index), line: JSON.stringify(t) });
  }
  const merged: RunFile = {
    format: 'mmduet-eval-run/1',
    toolkit_version: toolkitVersion(),
    created_at: new Date().toISOString(),
    identity: { ...first.run.identity, shard: null },
    provenance: {
      ...first.run.provenance,
      merged_from: runs.map((r) => ({ dir: r.dir, shard: r.run.identity.shard, toolkit_version: r.run.toolkit_version, created_at: r.run.created_at, provider: r.run.provenance.provider })),
    },
    items_planned: runs.reduce((s, r) => s + r.run.items_planned, 0),
  };
  if (existsSync(join(outDir, RUN_FILE))) {
    const existing = RunDir.read(outDir);
    if (withoutShard(existing.run.identity) !== ref || existing.run.identity.shard !== null) {
      throw new InputError(`merge: ${outDir} already holds another run; expected an empty or new folder`);
    }
  }
  mkdirSync(outDir, { recursive: true });
  writeLines(join(outDir, PREDICTIONS_FILE), predictions);
  writeLines(join(outDir, ERRORS_FILE), errors);
  writeLines(join(outDir, TIMINGS_FILE), timings);
  writeFileAtomic(join(outDir, RUN_FILE), JSON.stringify(merged, null, 2) + '\n');
  return { outDir, shards: runs.length, predictions: predictions.length, errors: errors.length };
}
