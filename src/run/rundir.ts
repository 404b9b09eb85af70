/**
 * Run directories (design.md): `run.json` (parameters + provenance), `predictions.jsonl` (one
 * record per finished item, appended and flushed), `errors.jsonl` (failed items with the reason),
 * `timings.jsonl` (wall-clock per item; kept apart so predictions stay reproducible byte for byte).
 * Resume: a half-written last line (the process was killed) is cut off, finished items are skipped,
 * failed items are retried, and nothing is duplicated.
 */
import { closeSync, existsSync, ftruncateSync, mkdirSync, openSync, readFileSync, readSync, fstatSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import { appendJsonlSync, parseJsonlText, readJson, writeFileAtomic } from '../io/files.js';

export const RUN_FILE = 'run.json';
export const PREDICTIONS_FILE = 'predictions.jsonl';
export const ERRORS_FILE = 'errors.jsonl';
export const TIMINGS_FILE = 'timings.jsonl';
export const RESULT_FILE = 'result.json';

/** Everything that decides what a prediction line contains: a resumed run must match it exactly. */
export interface RunIdentity {
  benchmark: string;
  data_sha256: string;
  model_sha256: string;
  profile: string;
  fps: number;
  max_frames: number;
  overflow: string;
  policy: Record<string, unknown>;
  remove_previous_responses: boolean;
  scoring: string;
  system_prompt: string;
  preprocess_version: string;
  /** `i/n`, or null for an unsharded run. */
  shard: string | null;
  /** Items the run covers (after --limit): part of the identity so that merged shards agree. */
  limit: number | null;
}

export interface RunFile {
  format: 'mmduet-eval-run/1';
  toolkit_version: string;
  created_at: string;
  identity: RunIdentity;
  /** Provenance that does not change results (paths, device, versions). */
  provenance: Record<string, unknown>;
  /** Number of items this run (shard) covers. */
  items_planned: number;
}

export interface ErrorRecord {
  question_id: string;
  index: number;
  video: string;
  reason: string;
}

/** Cuts a JSONL file back to its last complete line (a killed writer may leave half a line). Returns bytes removed. */
export function repairJsonl(file: string): number {
  if (!existsSync(file)) return 0;
  const fd = openSync(file, 'r+');
  try {
    const size = fstatSync(fd).size;
    if (size === 0) return 0;
    // Scan backwards in blocks for the last newline.
    const block = Buffer.alloc(64 * 1024);
    let end = size;
    while (end > 0) {
      const start = Math.max(0, end - block.length);
      const n = readSync(fd, block, 0, end - start, start);
      const nl = block.subarray(0, n).lastIndexOf(10);
      if (nl >= 0) {
        const keep = start + nl + 1;
        if (keep < size) ftruncateSync(fd, keep);
        return size - keep;
      }
      end = start;
    }
    ftruncateSync(fd, 0);
    return size;
  } finally {
    closeSync(fd);
  }
}

function readLines<T>(file: string): T[] {
  if (!existsSync(file)) return [];
  return parseJsonlText(readFileSync(file, 'utf8'), file).map((r) => r.value as T);
}

function differences(a: RunIdentity, b: RunIdentity): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]) as Set<keyof RunIdentity>;
  return [...keys].filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k])).map((k) => `${k}: ${JSON.stringify(a[k])} in the run, ${JSON.stringify(b[k])} now`);
}

export class RunDir {
  readonly predictionsFile: string;
  readonly errorsFile: string;
  readonly timingsFile: string;
  /** question_id of every item with a prediction line. */
  readonly done = new Set<string>();
  /** Bytes of half-written lines removed when the run was opened. */
  repairedBytes = 0;
  resumed = false;

  private constructor(
    readonly dir: string,
    readonly run: RunFile,
  ) {
    this.predictionsFile = join(dir, PREDICTIONS_FILE);
    this.errorsFile = join(dir, ERRORS_FILE);
    this.timingsFile = join(dir, TIMINGS_FILE);
  }

  /** Reads an existing run directory (for merge and eval). */
  static read(dir: string): RunDir {
    const rd = new RunDir(dir, RunDir.readRunFile(dir));
    for (const rec of readLines<{ question_id: string }>(rd.predictionsFile)) rd.done.add(String(rec.question_id));
    return rd;
  }

  private static readRunFile(dir: string): RunFile {
    const file = join(dir, RUN_FILE);
    if (!existsSync(file)) throw new InputError(`${dir}: expected a run directory with ${RUN_FILE} (written by mmduet infer), found none`);
    const run = readJson(file) as RunFile;
    if (run?.format !== 'mmduet-eval-run/1' || typeof run.identity !== 'object') throw InputError.at(file, '$.format', '"mmduet-eval-run/1"', JSON.stringify(run?.format));
    return run;
  }

  /**
   * Creates the run directory, or resumes it when it already holds a run with the same identity.
   * A different identity is refused with the list of what differs.
   */
  static open(dir: string, run: RunFile): RunDir {
    mkdirSync(dir, { recursive: true });
    const file = join(dir, RUN_FILE);
    if (!existsSync(file)) {
      // A folder with predictions but no run.json was not made by us: do not append to it.
      if (existsSync(join(dir, PREDICTIONS_FILE))) throw new InputError(`${dir}: expected an empty folder or a run directory, found ${PREDICTIONS_FILE} without ${RUN_FILE}`);
      writeFileAtomic(file, JSON.stringify(run, null, 2) + '\n');
      return new RunDir(dir, run);
    }
    const existing = RunDir.readRunFile(dir);
    const diff = differences(existing.identity, run.identity);
    if (diff.length > 0) {
      throw new InputError(`${dir}: cannot resume, the run was made with other parameters or another model (${diff.join('; ')}); use another --out folder`);
    }
    const rd = new RunDir(dir, existing);
    rd.resumed = true;
    rd.repairedBytes = repairJsonl(rd.predictionsFile) + repairJsonl(rd.errorsFile) + repairJsonl(rd.timingsFile);
    for (const rec of readLines<{ question_id: string }>(rd.predictionsFile)) rd.done.add(String(rec.question_id));
    // Failed items are retried: keep only the error lines of items that will not run again.
    const errors = readLines<ErrorRecord>(rd.errorsFile);
    const keep = errors.filter((e) => rd.done.has(e.question_id));
    if (keep.length !== errors.length) writeFileAtomic(rd.errorsFile, keep.map((e) => JSON.stringify(e) + '\n').join(''));
    const timings = readLines<{ question_id: string }>(rd.timingsFile);
    const keptTimings = timings.filter((t) => rd.done.has(String(t.question_id)));
    if (keptTimings.length !== timings.length) writeFileAtomic(rd.timingsFile, keptTimings.map((t) => JSON.stringify(t) + '\n').join(''));
    return rd;
  }

  appendPrediction<T extends { question_id: string }>(record: T, timing: Record<string, unknown>): void {
    appendJsonlSync(this.predictionsFile, record);
    appendJsonlSync(this.timingsFile, { question_id: record.question_id, ...timing });
    this.done.add(record.question_id);
  }

  appendError(error: ErrorRecord): void {
    appendJsonlSync(this.errorsFile, error);
  }

  errors(): ErrorRecord[] {
    return readLines<ErrorRecord>(this.errorsFile);
  }

  predictions<T = Record<string, unknown>>(): T[] {
    return readLines<T>(this.predictionsFile);
  }

  timings<T = Record<string, unknown>>(): T[] {
    return readLines<T>(this.timingsFile);
  }
}
