/**
 * Native METEOR against the golden values of METEOR 1.5 (exact+stem+synonym): the `meteor` family
 * (stats lines, segment scores, alignments, aggregate; normaliser, stems, function words, synsets) and
 * the METEOR(exact+stem+synonym) values of the `cap` family, on its stored PTB-tokenized captions.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createMeteorScorer, NATIVE_METEOR_NAME } from '../src/metrics/meteor/index.js';
import { NativeMeteor } from '../src/metrics/meteor/native.js';
import { meteorWords, normalizeLine } from '../src/metrics/meteor/normalize.js';
import { isFunctionWord } from '../src/metrics/meteor/function-words.js';
import { snowballEnglishStem } from '../src/metrics/meteor/stemmer.js';
import { formatStats } from '../src/metrics/meteor/stats.js';
import { SynonymSets } from '../src/metrics/meteor/synonyms.js';
import { wordNetTables } from '../src/metrics/meteor/wordnet.js';
import { expectClose, goldenCases, goldenDir, hasShared, readJsonFile } from './helpers/golden.js';

const STATS_KEY = 'METEOR(exact+stem+synonym)_stats';
const SCORE_KEY = 'METEOR(exact+stem+synonym)';

function nativeMeteor(): NativeMeteor {
  return new NativeMeteor({ stem: true, synonyms: new SynonymSets(wordNetTables()) });
}

describe.skipIf(!hasShared)('golden meteor_01_matching_stages', () => {
  const expected = hasShared ? readJsonFile(join(goldenDir, 'meteor', 'meteor_01_matching_stages', 'expected.json')).references.meteor : undefined;

  it('reproduces every stats line, segment score, alignment and the aggregate', () => {
    const items = Object.entries<any>(expected.per_item).map(([id, v]) => ({ id, candidate: v.hyp as string, references: v.refs as string[], v }));
    const result = nativeMeteor().scoreCorpus(items);
    let checked = 0;
    result.segments.forEach((seg, k) => {
      const { id, v } = items[k]!;
      const alignment = v.alignment_best_ref;
      expect(formatStats(seg.stats), `${id} stats`).toBe(v.stats);
      expectClose(seg.score, v.score, 1e-12, `${id} score`);
      expectClose(seg.precision, alignment.precision, 1e-12, `${id} precision`);
      expectClose(seg.recall, alignment.recall, 1e-12, `${id} recall`);
      expectClose(seg.fragPenalty, alignment.frag_penalty, 1e-12, `${id} frag penalty`);
      expect(seg.hypWords, `${id} test words`).toEqual(alignment.test_words);
      expect(seg.refWords, `${id} reference words`).toEqual(alignment.reference_words);
      expect(seg.matches.map((m) => [m.j, 1, m.i, 1, m.module]), `${id} matches`).toEqual(
        alignment['matches[ref_start,ref_len,test_start,test_len,module]'],
      );
      checked += 9;
    });
    expect(formatStats(result.aggregateStats)).toBe(expected.aggregate_stats);
    expectClose(result.aggregate, expected.aggregate, 1e-12, 'aggregate');
    expect(items).toHaveLength(15);
    expect(checked).toBe(15 * 9);
  });

  it('gives the same numbers through the CaptionScorer API', async () => {
    const { scorer } = await createMeteorScorer();
    expect(scorer!.name).toBe(NATIVE_METEOR_NAME);
    expect(scorer!.description).toContain('WordNet 3.0 (Princeton release');
    const entries = Object.entries<any>(expected.per_item);
    const out = await scorer!.score(entries.map(([id, v]) => ({ id, candidate: v.hyp, references: v.refs })));
    expectClose(out.corpus, expected.aggregate, 1e-6, 'aggregate');
    entries.forEach(([id, v], k) => expectClose(out.perItem[k], v.score, 1e-6, id));
  });
});

describe.skipIf(!hasShared)('golden meteor_04_component_vectors', () => {
  const probe = hasShared
    ? readJsonFile(join(goldenDir, 'meteor', 'meteor_04_component_vectors', 'expected.json')).references.meteor_probe
    : undefined;

  it('normalises all 979 sentences as -norm does', () => {
    const entries = Object.entries<any>(probe.normalized);
    expect(entries).toHaveLength(979);
    for (const [input, v] of entries) {
      expect(normalizeLine(input), JSON.stringify(input)).toBe(v.normalizeLine);
      expect(meteorWords(input), JSON.stringify(input)).toEqual(v.tokens_lowercased);
    }
  });

  it('gives the stem, function-word flag and synset ids of all 435 tokens', () => {
    const tables = wordNetTables();
    expect(tables.source.label).toContain('WordNet 3.0 (Princeton release');
    const synonyms = new SynonymSets(tables);
    const words = Object.entries<any>(probe.words);
    expect(words).toHaveLength(435);
    for (const [word, v] of words) {
      expect(snowballEnglishStem(word), `stem ${word}`).toBe(v.stem);
      expect(isFunctionWord(word), `function word ${word}`).toBe(v.function_word);
      expect([...synonyms.own(word)], `synsets ${word}`).toEqual(v.synsets);
      expect([...synonyms.viaBaseForm(word)], `synsets via base form ${word}`).toEqual(v.synsets_via_base_form);
    }
  });
});

describe.skipIf(!hasShared)('golden cap: METEOR(exact+stem+synonym) on the tokenized captions', () => {
  const cases = goldenCases('cap');

  it('has cap cases', () => expect(cases.length).toBeGreaterThanOrEqual(3));

  for (const c of cases) {
    it(c.name, async () => {
      const coco = readJsonFile(join(c.dir, 'expected.json')).references.coco;
      const items = Object.entries<any>(coco.tokenized).map(([id, v]) => {
        expect(v.hyp, `${id}: one candidate`).toHaveLength(1);
        return { id, candidate: v.hyp[0] as string, references: v.refs as string[] };
      });
      const result = nativeMeteor().scoreCorpus(items);
      items.forEach((it, k) => {
        expect(formatStats(result.segments[k]!.stats), `${it.id} stats`).toBe(coco.per_item[it.id][STATS_KEY]);
        expectClose(result.segments[k]!.score, coco.per_item[it.id][SCORE_KEY], 1e-12, `${it.id} score`);
      });
      expectClose(result.aggregate, coco.corpus[SCORE_KEY], 1e-6, 'corpus');
      const { scorer } = await createMeteorScorer();
      expectClose((await scorer!.score(items)).corpus, coco.corpus[SCORE_KEY], 1e-6, 'corpus via scorer');
    });
  }
});
