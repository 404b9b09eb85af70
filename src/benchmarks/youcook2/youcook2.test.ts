import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../errors.js';
import { resolveConventions, type Conventions, type Protocol } from '../conventions.js';
import { mmduetGoldCaptions, readGold } from './gold.js';
import { parseBaselineResponse, turnsToSegments } from './predictions.js';
import { prepareYouCook2, scoreWithToolkit, youcook2 } from './index.js';
import type { Turn } from '../predictions.js';
import { ptbTokenize } from '../../metrics/ptb-tokenizer.js';
import { bleu } from '../../metrics/bleu.js';
import { rougeL } from '../../metrics/rouge.js';
import { ciderScorer } from '../../metrics/cider.js';

const dir = mkdtempSync(join(tmpdir(), 'yc2-test-'));
function write(name: string, content: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}
const a = (time: number, content: string): Turn => ({ role: 'assistant', time, content });

describe('MMDuet turns -> segments (benchmarks.md §1)', () => {
  const turns: Turn[] = [{ role: 'user', time: 0, content: 'narrate' }, a(2, 'A'), a(4, 'A'), a(6, 'B'), a(8, 'C'), a(10, 'A')];

  it('drops the first distinct caption (quirk Q8); groups span previous-last to own-last response', () => {
    const { segments, groups } = turnsToSegments(turns, 'drop');
    expect(groups).toBe(4);
    expect(segments).toEqual([
      { span: [4, 6], caption: 'B' },
      { span: [6, 8], caption: 'C' },
      { span: [8, 10], caption: 'A' },
    ]);
  });

  it('keeps the first caption from 0 s with firstCaption keep', () => {
    expect(turnsToSegments(turns, 'keep').segments[0]).toEqual({ span: [0, 4], caption: 'A' });
  });

  it('a single distinct caption yields no segment under drop', () => {
    expect(turnsToSegments([a(2, 'A'), a(4, 'A')], 'drop').segments).toEqual([]);
  });
});

describe('baseline responses', () => {
  it('TimeChat format needs decimal points; "." does not cross a line break', () => {
    const r = parseBaselineResponse('0.0 - 5.5 seconds, cut onion\n5.5 - 9.0  seconds,  fry it\n12 - 15 seconds, no match', 'tc', null);
    expect(r).toEqual([
      { span: [0, 5.5], caption: 'cut onion' },
      { span: [5.5, 9], caption: 'fry it' },
    ]);
  });

  it('VTimeLLM format is in percent of the video duration', () => {
    expect(parseBaselineResponse('From 0 to 50, a.\nFrom 50 to 100, b.', 'vt', 200)).toEqual([
      { span: [0, 100], caption: 'a.' },
      { span: [100, 200], caption: 'b.' },
    ]);
  });
});

describe('gold formats', () => {
  it('MMDuet gold handling replaces ". " by ", " and appends "."', () => {
    expect(mmduetGoldCaptions(['Cut it. Then fry', 'stir.'])).toEqual({ captions: ['Cut it, Then fry.', 'stir..'], replaced: 1 });
  });

  it('official YouCook2 file: validation subset only', () => {
    const f = write('official.json', {
      database: {
        v1: { duration: 100, subset: 'validation', annotations: [{ id: 0, segment: [1, 5], sentence: 'cut' }] },
        v2: { duration: 100, subset: 'training', annotations: [{ id: 0, segment: [1, 5], sentence: 'fry' }] },
      },
    });
    const g = readGold(f);
    expect(g.format).toBe('youcook2');
    expect(g.videos.map((v) => v.id)).toEqual(['v1']);
    expect(g.counts.gold_videos_other_subsets).toBe(1);
  });

  it('a segment/caption count mismatch is an input error naming the JSON path', () => {
    const f = write('bad.json', { v1: { duration: 10, timestamps: [[0, 1], [1, 2]], sentences: ['one'] } });
    expect(() => readGold(f)).toThrow(/bad\.json: \$\.v1\.timestamps: expected as many captions as segments/);
  });
});

describe('youcook2.score', () => {
  const gold = write('val-random_prompt.json', [
    { question_id: 'v1', video: 'v1.mp4', conversation: [], answer: [{ content: 'cut the onion. slowly', time: [0, 10] }, { content: 'fry the onion', time: [10, 20] }] },
    { question_id: 'v2', video: 'v2.mp4', conversation: [], answer: [{ content: 'boil water', time: [0, 30] }] },
  ]);
  const turnsV1 = [
    { role: 'user', time: 0, content: 'narrate' },
    { role: 'assistant', time: 0, content: 'hello' },
    { role: 'assistant', time: 10, content: 'cut the onion, slowly.' },
    { role: 'assistant', time: 20, content: 'fry the onion' },
  ];
  const mmduetPreds = write(
    'mmduet.jsonl',
    [
      { question_id: 'v1', model_response_list: turnsV1, video_duration: 20 },
      { question_id: 'zz', model_response_list: [], video_duration: 5 },
    ]
      .map((r) => JSON.stringify(r))
      .join('\n'),
  );
  const score = (preds: string, protocol: Protocol, overrides: Partial<Conventions> = {}, params: Record<string, string> = {}) =>
    youcook2.score({ goldPath: gold, predictionsPath: preds, conventions: resolveConventions(protocol, { sodaScorer: 'cider', ...overrides }), params });

  it('MMDuet path: Q8, missing videos dropped, unknown ids counted, perfect segments score P = R = 1', async () => {
    const s = await score(mmduetPreds, 'mmduet');
    expect(s.counts).toMatchObject({ videos_first_caption_dropped: 1, missing_videos_dropped: 1, unknown_prediction_ids: 1, videos_scored: 1, gold_captions_period_replaced: 1 });
    expect(s.metrics.Precision).toBe(100);
    expect(s.metrics.Recall).toBe(100);
    expect(s.metrics.F1).toBe(100);
    expect(s.metrics.n_preds).toBe(2);
    expect(s.notes.some((n) => n.startsWith('quirk Q8'))).toBe(true);
    expect(s.notes.some((n) => n.includes('1 gold videos have no prediction line and were dropped'))).toBe(true);
    expect(Object.keys(s.perItem!)).toEqual(['v1']);
  });

  it('--missing-videos zero halves the averages', async () => {
    const s = await score(mmduetPreds, 'mmduet', { missingVideos: 'zero' });
    expect(s.metrics.Precision).toBe(50);
    expect(s.metrics.SODA_c).toBe(s.perItem!.v1!.SODA_c! / 2);
  });

  it('SODA_c with the METEOR scorer is null with a note when METEOR is unavailable', async () => {
    const req = { goldPath: gold, predictionsPath: mmduetPreds, conventions: resolveConventions('mmduet', { sodaScorer: 'meteor' }), params: {} };
    const noMeteor = { tokenize: ptbTokenize, bleu, rougeL, cider: ciderScorer, meteor: null };
    const s = await scoreWithToolkit(req, prepareYouCook2(req), noMeteor, 'no METEOR in this test');
    expect(s.metrics.SODA_c).toBeNull();
    expect(s.metrics.METEOR).toBeNull();
    expect(s.notes.some((n) => n.includes('--soda-scorer cider'))).toBe(true);
  });

  it('METEOR, Para_METEOR and SODA_c(METEOR) are numbers when METEOR is available', async () => {
    const s = await score(mmduetPreds, 'mmduet', { sodaScorer: 'meteor' });
    // The predictions equal the gold captions up to punctuation, so METEOR is close to 1.
    expect(s.metrics.METEOR).toBeGreaterThan(90);
    expect(s.metrics.SODA_c).toBeGreaterThan(50);
    expect(typeof s.metrics.Para_METEOR).toBe('number');
    expect(s.notes.some((n) => n.startsWith('METEOR computed with'))).toBe(true);
  });

  it('baseline files need an explicit format; lines without a segment are counted', async () => {
    const f = write(
      'baseline.jsonl',
      [
        { question_id: 'v1', model_response: ['0.0 - 10.0 seconds, cut the onion\n10.0 - 20.0 seconds, fry the onion'], video_duration: 20 },
        { question_id: 'v2', model_response: ['I cannot tell.'], video_duration: 30 },
      ]
        .map((r) => JSON.stringify(r))
        .join('\n'),
    );
    await expect(score(f, 'mmduet')).rejects.toThrow(InputError);
    await expect(score(f, 'mmduet')).rejects.toThrow(/--baseline-format tc .* or vt/);
    const s = await score(f, 'mmduet', {}, { baselineFormat: 'tc' });
    expect(s.counts.baseline_lines_without_segment).toBe(1);
    expect(s.counts.empty_prediction_videos).toBe(1);
    expect(s.metrics.Precision).toBe(50);
  });

  it('no overlap between prediction and gold ids is an input error', async () => {
    const f = write('other.json', { results: { x: [{ sentence: 'a', timestamp: [0, 1] }] } });
    await expect(score(f, 'standard')).rejects.toThrow(/no prediction matches a gold video/);
  });
});
