import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync, existsSync, statSync } from 'node:fs';
import { dirname, basename, join, resolve } from 'node:path';
import { InputError, describeValue } from '../errors.js';

/**
 * Within `withParsedFileCache`, each file is read, hashed and parsed once, however many times it is
 * asked for: a sweep scores the same gold and predictions once per value, a comparison table reads
 * one gold file per prediction file. Parsed values are deep-frozen, so a reader that mutated its
 * input would fail loudly instead of corrupting the next use. Entries are keyed by path, size and
 * modification time, so a rewritten file is read again.
 */
const parsedFiles = new AsyncLocalStorage<Map<string, unknown>>();

export function withParsedFileCache<T>(fn: () => Promise<T>): Promise<T> {
  return parsedFiles.run(new Map(), fn);
}

function cachedByFile<T>(kind: string, file: string, compute: () => T): T {
  const cache = parsedFiles.getStore();
  if (!cache) return compute();
  assertReadableFile(file);
  const st = statSync(file);
  const key = `${kind}\0${resolve(file)}\0${st.size}\0${st.mtimeMs}`;
  if (cache.has(key)) return cache.get(key) as T;
  const value = deepFreeze(compute());
  cache.set(key, value);
  return value;
}

function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const child of Object.values(v as object)) deepFreeze(child);
  }
  return v;
}

/** Reads a file as UTF-8, turning a missing file into an InputError naming it. */
export function readText(file: string): string {
  return cachedByFile('text', file, () => {
    assertReadableFile(file);
    return readFileSync(file, 'utf8');
  });
}

export function assertReadableFile(file: string): void {
  if (!existsSync(file)) throw new InputError(`${file}: file not found`);
  if (statSync(file).isDirectory()) throw new InputError(`${file}: expected a file, found a directory`);
}

/** Line and column of a character offset, 1-based. */
function lineCol(text: string, offset: number): { line: number; col: number } {
  let line = 1;
  let last = -1;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      last = i;
    }
  }
  return { line, col: offset - last };
}

/** Parses JSON text; a syntax error names the file, line and column. */
export function parseJsonText(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const msg = (e as Error).message;
    const m = /position (\d+)/.exec(msg);
    if (text.trim() === '') throw new InputError(`${file}: expected JSON, found an empty file`);
    if (/after JSON/.test(msg) && looksLikeJsonl(text)) {
      throw new InputError(`${file}: expected a single JSON document, found JSON Lines (one object per line): is this the right file for this benchmark?`);
    }
    if (/Unexpected end of JSON input/.test(msg) || (m && Number(m[1]) >= text.trimEnd().length)) {
      const { line } = lineCol(text, text.trimEnd().length);
      throw new InputError(`${file}: line ${line}: invalid JSON (the file ends before the JSON value is complete: truncated?)`);
    }
    if (m) {
      const { line, col } = lineCol(text, Number(m[1]));
      throw new InputError(`${file}: line ${line}, column ${col}: invalid JSON (${msg.replace(/ in JSON at position \d+.*$/, '')})`);
    }
    throw new InputError(`${file}: invalid JSON (${msg})`);
  }
}

export function readJson(file: string): unknown {
  return cachedByFile('json', file, () => parseJsonText(readText(file), file));
}

export interface JsonlRecord {
  line: number;
  value: unknown;
}

/** Reads JSON Lines; blank lines are skipped, a bad line names its number. */
export function readJsonl(file: string): JsonlRecord[] {
  return cachedByFile('jsonl', file, () => parseJsonlText(readText(file), file));
}

export function parseJsonlText(text: string, file: string): JsonlRecord[] {
  const out: JsonlRecord[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.trim();
    if (raw === '') continue;
    try {
      out.push({ line: i + 1, value: JSON.parse(raw) });
    } catch (e) {
      throw new InputError(`${file}: line ${i + 1}: invalid JSON (${(e as Error).message.replace(/ in JSON at position \d+.*$/, '')})`);
    }
  }
  return out;
}

/** True when the file's first non-blank character and line structure look like JSON Lines. */
export function looksLikeJsonl(text: string): boolean {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  if (lines.length === 0) return false;
  if (lines.length === 1) {
    const t = lines[0]!.trim();
    return t.startsWith('{') && t.endsWith('}') && !t.includes('\n');
  }
  try {
    JSON.parse(lines[0]!);
    return true;
  } catch {
    return false;
  }
}

export function sha256Text(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

export function sha256File(file: string): string {
  return cachedByFile('sha256', file, () => {
    assertReadableFile(file);
    return sha256Text(readFileSync(file));
  });
}

/** Writes a file atomically: temp file in the same folder, fsync, rename. */
export function writeFileAtomic(file: string, data: string | Buffer): void {
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.${Date.now()}.tmp`);
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}

/** Appends one JSON record as a line and flushes it to disk before returning. */
export function appendJsonlSync(file: string, record: unknown): void {
  const fd = openSync(file, 'a');
  try {
    writeSync(fd, JSON.stringify(record) + '\n');
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Path-aware type checks for validating parsed JSON. `path` is a JSON path such as `$.results["v1"][0]`. */
export class Shape {
  constructor(readonly file: string) {}

  fail(path: string, expected: string, found: unknown): never {
    throw InputError.at(this.file, path, expected, describeValue(found));
  }

  object(v: unknown, path: string): Record<string, unknown> {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) this.fail(path, 'an object', v);
    return v as Record<string, unknown>;
  }

  array(v: unknown, path: string): unknown[] {
    if (!Array.isArray(v)) this.fail(path, 'an array', v);
    return v;
  }

  string(v: unknown, path: string): string {
    if (typeof v !== 'string') this.fail(path, 'a string', v);
    return v;
  }

  number(v: unknown, path: string): number {
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(path, 'a finite number', v);
    return v;
  }

  /** A number, or a numeric string (several public files store times as strings). */
  numeric(v: unknown, path: string): number {
    if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
    return this.number(v, path);
  }

  /** `[start, end]` with two finite numbers. */
  span(v: unknown, path: string): [number, number] {
    const a = this.array(v, path);
    if (a.length < 2) this.fail(path, 'a [start, end] pair', v);
    return [this.numeric(a[0], `${path}[0]`), this.numeric(a[1], `${path}[1]`)];
  }

  /** A question id: string or number, compared as a string. */
  id(v: unknown, path: string): string {
    if (typeof v === 'string') return v;
    if (typeof v === 'number' && Number.isFinite(v)) return String(v);
    this.fail(path, 'a string or number id', v);
  }
}

export function jsonPath(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `${base}.${key}` : `${base}[${JSON.stringify(key)}]`;
}
