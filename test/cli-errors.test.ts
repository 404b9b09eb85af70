import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { goldenDir, hasShared } from './helpers/golden.js';

const dir = mkdtempSync(join(tmpdir(), 'mmduet-cli-'));
function file(name: string, text: string): string {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
}

/** A bad input gives exactly one line on stderr naming the file, exit code 2, and no stack trace. */
function expectInputError(args: string[], pattern: RegExp): void {
  const r = runCli(args);
  expect(r.code, r.stderr).toBe(2);
  const lines = r.stderr.trim().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

describe('bad input to `mmduet score`', () => {
  it('a truncated JSON file names the file and the line', () => {
    const gold = file('gold-trunc.json', '{"1": ["a cat sits on a mat", "a cat"],\n "2": ["a dog"');
    const pred = file('pred.json', JSON.stringify([{ image_id: 1, caption: 'a cat' }]));
    expectInputError(['score', 'captions', '--gold', gold, '--predictions', pred], /^Error: .*gold-trunc\.json: line 2: invalid JSON \(the file ends before the JSON value is complete/);
  });

  it('a JSONL line with a wrong type names the line and field', () => {
    const gold = file(
      'qvh-gold.jsonl',
      JSON.stringify({ qid: 1, query: 'q', vid: 'v_0_150', duration: 150, relevant_windows: [[0, 4]], relevant_clip_ids: [0, 1], saliency_scores: [[4, 4, 4], [2, 2, 2]] }) + '\n',
    );
    const pred = file('qvh-pred.jsonl', JSON.stringify({ qid: 1, pred_saliency_scores: [1, 0] }) + '\n' + JSON.stringify({ qid: 2, pred_saliency_scores: 'high' }) + '\n');
    expectInputError(['score', 'qvh', '--gold', gold, '--predictions', pred], /^Error: .*qvh-pred\.jsonl: line 2: pred_saliency_scores: expected an array, found the string "high"$/);
  });

  it.skipIf(!hasShared)('a gold file of another benchmark is refused', () => {
    const dvcGold = join(goldenDir, 'dvc', 'dvc_01_typical_youcook2', 'gt.json');
    const qvhPred = join(goldenDir, 'qvh', 'qvh_01_typical', 'pred.jsonl');
    expectInputError(['score', 'qvh', '--gold', dvcGold, '--predictions', qvhPred], /gt\.json: line 1: expected a QVHighlights gold record/);
    const qvhGold = join(goldenDir, 'qvh', 'qvh_01_typical', 'gt.jsonl');
    expectInputError(['score', 'youcook2', '--gold', qvhGold, '--predictions', qvhPred], /gt\.jsonl: expected a single JSON document, found JSON Lines/);
  });

  it('an empty prediction file is refused', () => {
    const gold = file('cap-gold.json', JSON.stringify({ 1: ['a cat'] }));
    const empty = file('empty.json', '');
    expectInputError(['score', 'captions', '--gold', gold, '--predictions', empty], /empty\.json: expected JSON, found an empty file/);
    const emptyJsonl = file('empty.jsonl', '\n');
    const qvhGold = file('qvh-gold2.jsonl', readFileSync(join(dir, 'qvh-gold.jsonl'), 'utf8'));
    expectInputError(['score', 'qvh', '--gold', qvhGold, '--predictions', emptyJsonl], /empty\.jsonl: expected .*found an empty file$/);
  });

  it('a missing file and an unknown benchmark are usage errors', () => {
    expectInputError(['score', 'captions', '--gold', join(dir, 'nope.json'), '--predictions', join(dir, 'nope.json')], /nope\.json: file not found/);
    expectInputError(['score', 'imagenet', '--gold', 'x', '--predictions', 'y'], /Expected imagenet to be one of: youcook2, .*qvhighlights, qvh/);
  });
});
