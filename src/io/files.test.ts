import { mkdtempSync, readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appendJsonlSync, readJson, readJsonl, Shape, withParsedFileCache, writeFileAtomic } from './files.js';

const dir = mkdtempSync(join(tmpdir(), 'mmduet-files-'));

describe('JSON readers', () => {
  it('reports line and column of a truncated JSON file', () => {
    const f = join(dir, 'trunc.json');
    writeFileSync(f, '{\n  "a": [1, 2,\n');
    expect(() => readJson(f)).toThrow(new RegExp(`^${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: line 2: invalid JSON \\(the file ends before the JSON value is complete`));
  });

  it('reports the line number of a bad JSONL line and skips blank lines', () => {
    const f = join(dir, 'bad.jsonl');
    writeFileSync(f, '{"a":1}\n\n{"a":\n');
    expect(() => readJsonl(f)).toThrow(`${f}: line 3: invalid JSON`);
    writeFileSync(f, '{"a":1}\n\n{"a":2}\n');
    expect(readJsonl(f)).toEqual([
      { line: 1, value: { a: 1 } },
      { line: 3, value: { a: 2 } },
    ]);
  });

  it('names a missing file', () => {
    expect(() => readJson(join(dir, 'nope.json'))).toThrow(/nope\.json: file not found/);
  });
});

describe('Shape', () => {
  it('names the JSON path, what was expected and what was found', () => {
    const s = new Shape('g.json');
    expect(() => s.span([1], '$.v.timestamps[0]')).toThrow('g.json: $.v.timestamps[0]: expected a [start, end] pair, found an array of 1');
    expect(s.numeric('2.5', '$.x')).toBe(2.5);
    expect(() => s.number('2.5', '$.x')).toThrow('g.json: $.x: expected a finite number, found the string "2.5"');
  });
});

describe('atomic writes', () => {
  it('replaces the file whole and leaves no temp file', () => {
    const f = join(dir, 'out.json');
    writeFileAtomic(f, 'first');
    writeFileAtomic(f, 'second');
    expect(readFileSync(f, 'utf8')).toBe('second');
    expect(readdirSync(dir).filter((n) => n.includes('.tmp'))).toEqual([]);
  });

  it('appends one flushed JSON line per record', () => {
    const f = join(dir, 'log.jsonl');
    appendJsonlSync(f, { a: 1 });
    appendJsonlSync(f, { b: 2 });
    expect(readFileSync(f, 'utf8')).toBe('{"a":1}\n{"b":2}\n');
  });
});

describe('withParsedFileCache', () => {
  it('parses each file once inside the scope, freezes it, and re-reads a rewritten file', async () => {
    const f = join(dir, 'cached.jsonl');
    writeFileSync(f, '{"a":1}\n');
    const outside = readJsonl(f);
    expect(readJsonl(f)).not.toBe(outside); // no scope: a fresh parse every time
    await withParsedFileCache(async () => {
      const first = readJsonl(f);
      expect(readJsonl(f)).toBe(first);
      expect(Object.isFrozen(first[0]!.value)).toBe(true);
      expect(() => {
        (first[0]!.value as { a: number }).a = 2;
      }).toThrow(TypeError);
      writeFileSync(f, '{"a":10}\n{"b":2}\n'); // other size: a new entry
      expect(readJsonl(f).map((r) => r.value)).toEqual([{ a: 10 }, { b: 2 }]);
    });
  });
});
