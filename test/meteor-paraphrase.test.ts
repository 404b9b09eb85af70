/**
 * METEOR 1.5's paraphrase stage (module 3) on small synthetic tables in the real paraphrase-en.gz format
 * (gzipped, 3 lines per entry: probability, phrase, paraphrase). Expected values are worked by hand from
 * ParaphraseMatcher / Aligner.resolve / MeteorScorer.computeMetrics of the METEOR 1.5 Java source.
 * Made-up words (zq*) keep the exact, stem and synonym stages out of the way where that matters.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../src/errors.js';
import { sha256File } from '../src/io/files.js';
import { createMeteorScorer, FULL_METEOR_NAME, NATIVE_METEOR_NAME } from '../src/metrics/meteor/index.js';
import { NativeMeteor } from '../src/metrics/meteor/native.js';
import { loadParaphraseTable, type ParaphraseTable } from '../src/metrics/meteor/paraphrase.js';
import { formatStats } from '../src/metrics/meteor/stats.js';
import { SynonymSets } from '../src/metrics/meteor/synonyms.js';
import { wordNetTables } from '../src/metrics/meteor/wordnet.js';

const work = mkdtempSync(join(tmpdir(), 'mmduet-paraphrase-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function writeTable(name: string, text: string): string {
  const file = join(work, name);
  writeFileSync(file, gzipSync(Buffer.from(text, 'utf8')));
  return file;
}

/** Entries [phrase, paraphrase] in the real format, with made-up probabilities. */
const tableText = (entries: [string, string][]): string => entries.map(([a, b], k) => `0.${k + 1}\n${a}\n${b}\n`).join('');

const TABLE = writeTable(
  'paraphrase-test.gz',
  tableText([
    ['zqa zqb', 'zqc'],
    // The real table holds both directions of a pair: the same candidate is then found twice.
    ['was', 'has been'],
    ['has been', 'was'],
    ['zqk zql zqm', 'zqn zqo'],
  ]),
);
/** A table whose words occur in none of the sentences below. */
const IRRELEVANT = writeTable('paraphrase-irrelevant.gz', tableText([['zzqqa', 'zzqqb zzqqc']]));

const synonyms = new SynonymSets(wordNetTables());
const withTable = (table: ParaphraseTable) => new NativeMeteor({ stem: true, synonyms, paraphrase: table });
const without = new NativeMeteor({ stem: true, synonyms });
const spans = (ms: readonly { i: number; j: number; module: number; hypLen?: number; refLen?: number }[]) =>
  ms.map((m) => [m.j, m.refLen ?? 1, m.i, m.hypLen ?? 1, m.module]);
/** computeMetrics by hand: weighted matches and lengths, chunks over the mean matched words. */
const meteorScore = (p: number, r: number, frag: number) => (1 / (0.15 / p + 0.85 / r)) * (1 - 0.6 * Math.pow(frag, 0.2));

describe('paraphrase stage', async () => {
  const table = await loadParaphraseTable(TABLE);
  const meteor = withTable(table);

  it('matches a two-word reference phrase to a one-word paraphrase (definite, one chunk)', () => {
    const s = meteor.scoreSegment('the cat zqc', ['the cat zqa zqb']);
    // [ref start, ref len, hyp start, hyp len, module], as METEOR prints its alignments.
    expect(spans(s.matches)).toEqual([[0, 1, 0, 1, 0], [1, 1, 1, 1, 0], [2, 2, 2, 1, 3]]);
    // the = function word. Module 3: hyp content 1 (zqc), ref content 2 (zqa zqb); 3 hyp and 4 ref words matched.
    expect(formatStats(s.stats)).toBe('3.0 4.0 1.0 1.0 1.0 1.0 1.0 1.0 0.0 0.0 0.0 0.0 0.0 0.0 0.0 0.0 1.0 2.0 0.0 0.0 1.0 3.0 4.0');
    // All words matched in one chunk: no penalty. P = (0.75 + 0.6*0.75 + 0.25) / 1.75, R = (0.75 + 2*0.6*0.75 + 0.25) / 2.5.
    expect(s.score).toBeCloseTo(meteorScore(1.45 / 1.75, 1.9 / 2.5, 0), 14);
  });

  it('without the table the same pair has no module-3 match and scores lower', () => {
    const s = without.scoreSegment('the cat zqc', ['the cat zqa zqb']);
    expect(spans(s.matches)).toEqual([[0, 1, 0, 1, 0], [1, 1, 1, 1, 0]]);
    expect(formatStats(s.stats)).toBe('3.0 4.0 1.0 1.0 1.0 1.0 1.0 1.0 0.0 0.0 0.0 0.0 0.0 0.0 0.0 0.0 0.0 0.0 0.0 0.0 1.0 2.0 2.0');
    expect(s.score).toBeCloseTo(meteorScore(1 / 1.75, 1 / 2.5, 1 / 2), 14);
  });

  it('"has been" ~ "was": a multi-word hyp phrase found from both directions, credited to paraphrase', () => {
    const s = meteor.scoreSegment('the house has been sold', ['the house was sold']);
    // C[2] holds the paraphrase candidate twice (entry was->has been, and entry has been->was), so it is
    // not definite; in the beam it adds floor(2*0.5) + floor(1*0.5) = 1 to the ranking total and continues
    // the chunk, beating the synonym been~was (adds 0, opens a chunk) and the skip.
    expect(spans(s.matches)).toEqual([[0, 1, 0, 1, 0], [1, 1, 1, 1, 0], [2, 1, 2, 2, 3], [3, 1, 4, 1, 0]]);
    // Function words: the has been / the was. Module 3: hyp function 2 (has been), ref function 1 (was).
    expect(formatStats(s.stats)).toBe('5.0 4.0 3.0 2.0 2.0 2.0 1.0 1.0 0.0 0.0 0.0 0.0 0.0 0.0 0.0 0.0 0.0 0.0 2.0 1.0 1.0 5.0 4.0');
    expect(s.score).toBeCloseTo(meteorScore(2.05 / 2.25, 1.9 / 2.0, 0), 14);
    const plain = without.scoreSegment('the house has been sold', ['the house was sold']);
    expect(plain.matches.some((m) => m.module === 3)).toBe(false);
    expect(plain.score).toBeLessThan(s.score);
  });

  it('an overlapping exact word beats a 2-word-ref / 1-word-hyp phrase in the beam (hand-worked)', () => {
    // ref "zqa zqb zqy", hyp "zqc zqb": phrase (ref 0-1, hyp 0) and exact zqb (ref 1, hyp 1) both cover
    // ref word 1, so neither is definite. Beam, cur 0: phrase child (total 0 + floor(1*0.5) + floor(2*0.5)
    // = 1, lastEnd 1, idx 2) and the skip (total 0). cur 1: the phrase path is inside its match (1 < idx)
    // and continues unchanged (total 1); the skip path takes exact zqb (total 2). Ranking by total puts
    // the exact path first, and nothing later changes the totals: the phrase is dropped although it
    // covers 3 words against 2.
    const s = meteor.scoreSegment('zqc zqb', ['zqa zqb zqy']);
    expect(spans(s.matches)).toEqual([[1, 1, 1, 1, 0]]);
    expect(formatStats(s.stats)).toBe(`2.0 3.0 0.0 0.0 1.0 1.0 0.0 0.0 ${Array(12).fill('0.0').join(' ')} 1.0 1.0 1.0`);
  });

  it('a 3-word-ref / 2-word-hyp phrase ties an exact word on total, chunks and distance and wins by append order (hand-worked)', () => {
    // ref "zqk zql zqm", hyp "zqn zqo zql": phrase (ref 0-2, hyp 0-1) totals floor(2*0.5) + floor(3*0.5)
    // = 2, the same as exact zql (ref 1, hyp 2). cur 0: [phrase child (2, chunks 0, distance 0), skip (0)].
    // cur 1: [phrase path continuing (2, 0, 0), skip path + exact zql (2, 0, 0: its distance |1-2| goes
    // to the parent, per the source's quirk), skip (0)]: a full tie, the stable sort keeps the phrase
    // path first. cur 2: the phrase path continues (2, 0, 0); the exact path skips zqm and closes its
    // chunk (2, 1, 0). End: the phrase path closes its chunk (2, 1, 0): a tie again, the phrase path
    // still comes first and is the alignment.
    const s = meteor.scoreSegment('zqn zqo zql', ['zqk zql zqm']);
    expect(spans(s.matches)).toEqual([[0, 3, 0, 2, 3]]);
    // Module 3: 2 hyp and 3 ref content words; 1 chunk over (2 + 3) / 2 matched words: frag 0.4.
    expect(formatStats(s.stats)).toBe(`3.0 3.0 0.0 0.0 ${Array(12).fill('0.0').join(' ')} 2.0 3.0 0.0 0.0 1.0 2.0 3.0`);
    expect(s.score).toBeCloseTo(meteorScore((2 * 0.6 * 0.75) / 2.25, (3 * 0.6 * 0.75) / 2.25, 0.4), 14);
  });

  it('identical sentences run only the exact stage', () => {
    const s = meteor.scoreSegment('has been', ['has been']);
    expect(spans(s.matches)).toEqual([[0, 1, 0, 1, 0], [1, 1, 1, 1, 0]]);
    expect(s.score).toBe(1);
  });
});

describe('exact, stem and synonym with a table loaded', async () => {
  const meteor = withTable(await loadParaphraseTable(IRRELEVANT));
  const pairs: [string, string, number][] = [
    // Spec meteor.md §7 and §11: values printed by METEOR 1.5.
    ['a person is running', 'a person runs', 0.2672277829495527],
    ['a man is cutting onions', 'a man cuts onions', 0.41413724392083395],
    ['the mice ran away', 'the mouse ran away', 0.94],
    ['dogs', 'dog', 0],
  ];
  it.each(pairs)('%s / %s: the same stats and score as without paraphrase', (hyp, ref, expected) => {
    const a = meteor.scoreSegment(hyp, [ref]);
    const b = without.scoreSegment(hyp, [ref]);
    expect(formatStats(a.stats)).toBe(formatStats(b.stats));
    expect(a.score).toBe(b.score);
    expect(a.score).toBeCloseTo(expected, 12);
  });
  it('keeps the spec §10 stats line', () => {
    expect(formatStats(meteor.scoreSegment('a man is cutting onions', ['a man cuts onions']).stats)).toBe(
      '5.0 4.0 2.0 1.0 2.0 2.0 1.0 1.0 1.0 1.0 0.0 0.0 0.0 0.0 0.0 0.0 0.0 0.0 0.0 0.0 2.0 4.0 4.0',
    );
  });
});

describe('createMeteorScorer with a paraphrase table', () => {
  it('names all four modules, the table and its sha256; the name becomes METEOR', async () => {
    const { scorer } = await createMeteorScorer({ paraphraseTable: TABLE });
    expect(scorer!.name).toBe(FULL_METEOR_NAME);
    expect(scorer!.modules).toEqual(['exact', 'stem', 'synonym', 'paraphrase']);
    expect(scorer!.description).toContain(`paraphrase table ${TABLE} (sha256 ${sha256File(TABLE)}, 4 entries)`);
    expect(scorer!.description).toContain('weights exact 1.0 stem 0.6 synonym 0.8 paraphrase 0.6');
    const out = await scorer!.score([{ id: 'a', candidate: 'the cat zqc', references: ['the cat zqa zqb'] }]);
    expect(out.perItem[0]).toBeCloseTo(meteorScore(1.45 / 1.75, 1.9 / 2.5, 0), 14);
    // One scorer (and one table load) per table per process.
    expect((await createMeteorScorer({ paraphraseTable: TABLE })).scorer).toBe(scorer);
  });

  it('reads MMDUET_METEOR_PARAPHRASE; without a table the name and description say paraphrase did not run', async () => {
    const saved = process.env.MMDUET_METEOR_PARAPHRASE;
    try {
      process.env.MMDUET_METEOR_PARAPHRASE = TABLE;
      expect((await createMeteorScorer()).scorer!.name).toBe(FULL_METEOR_NAME);
      delete process.env.MMDUET_METEOR_PARAPHRASE;
      const { scorer } = await createMeteorScorer();
      expect(scorer!.name).toBe(NATIVE_METEOR_NAME);
      expect(scorer!.modules).toEqual(['exact', 'stem', 'synonym']);
      expect(scorer!.description).toContain('paraphrase did not run');
    } finally {
      if (saved === undefined) delete process.env.MMDUET_METEOR_PARAPHRASE;
      else process.env.MMDUET_METEOR_PARAPHRASE = saved;
    }
  });
});

describe('bad paraphrase tables', () => {
  const rejects = async (file: string, message: RegExp) => {
    const load = loadParaphraseTable(file);
    await expect(load).rejects.toBeInstanceOf(InputError);
    await expect(load).rejects.toThrow(message);
  };
  const escaped = (file: string) => file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

  it('names the file and line of an entry out of step (a 2-line entry)', async () => {
    const file = writeTable('two-line.gz', '0.5\nzqa\nzqb\nzqc\nzqd\n');
    await rejects(file, new RegExp(`^${escaped(file)}: line 4: expected a probability line .*found "zqc"`));
  });

  it('names the file and line of an empty phrase', async () => {
    const file = writeTable('empty-phrase.gz', '0.5\nzqa\nzqb\n0.2\n \nzqb\n');
    await rejects(file, new RegExp(`^${escaped(file)}: line 5: expected a phrase of one or more words`));
  });

  it('names the last line of a file that ends inside an entry', async () => {
    const file = writeTable('truncated.gz', '0.5\nzqa\nzqb\n0.2\nzqc\n');
    await rejects(file, new RegExp(`^${escaped(file)}: line 5: expected .*the file ends inside an entry, found 2 of its 3 lines`));
  });

  it('rejects a file that is not gzip, and an empty table', async () => {
    const plain = join(work, 'plain.gz');
    writeFileSync(plain, '0.5\nzqa\nzqb\n');
    await rejects(plain, new RegExp(`^${escaped(plain)}: expected a gzip-compressed METEOR paraphrase table`));
    await rejects(writeTable('empty.gz', ''), /: expected paraphrase-en\.gz entries .*found no entries/);
  });

  it('createMeteorScorer reports the table error and can retry after it', async () => {
    const file = writeTable('bad-for-scorer.gz', 'prob\nzqa\nzqb\n');
    await expect(createMeteorScorer({ paraphraseTable: file })).rejects.toThrow(new RegExp(`${escaped(file)}: line 1: expected a probability line`));
    writeFileSync(file, gzipSync('0.1\nzqa\nzqb\n'));
    expect((await createMeteorScorer({ paraphraseTable: file })).scorer!.name).toBe(FULL_METEOR_NAME);
  });
});
