/**
 * Bench for native METEOR: WordNet table loading, then 10,000 seeded synthetic caption pairs (cooking
 * vocabulary with inflections and synonyms, so all three matching stages work), scored as one corpus
 * and as 2,500 small calls of 4 items, the way dense-captioning evaluation calls it.
 */
import { createMeteorScorer } from '../metrics/meteor/index.js';
import { loadWordNetTables, resolveWordNetSource } from '../metrics/meteor/wordnet.js';
import type { CaptionItem } from '../metrics/caption-types.js';
import { mulberry32 } from '../report/prng.js';

const PAIRS = 10_000;
const SMALL_CALL = 4;

const VERBS = ['add', 'adds', 'adding', 'cut', 'cuts', 'cutting', 'slice', 'slices', 'chop', 'chopped', 'mix', 'mixing', 'stir', 'stirs', 'pour', 'pouring', 'fry', 'fries', 'place', 'put', 'heat', 'season', 'whisk', 'combine', 'remove', 'dice', 'mince', 'bake'];
const NOUNS = ['onion', 'onions', 'garlic', 'pan', 'skillet', 'pot', 'bowl', 'oil', 'salt', 'pepper', 'water', 'chicken', 'beef', 'sauce', 'tomato', 'tomatoes', 'potatoes', 'butter', 'eggs', 'egg', 'flour', 'dough', 'carrots', 'cheese', 'knife', 'knives', 'mice', 'geese', 'car', 'automobile'];
const FILLER = ['the', 'a', 'in', 'to', 'and', 'of', 'on', 'with', 'into', 'some', 'then', 'until', 'golden', 'brown', 'large', 'big', 'small', 'well', 'slowly', "'s", ',', '.'];

function sentence(random: () => number): string {
  const pick = (xs: string[]): string => xs[Math.floor(random() * xs.length)]!;
  const words: string[] = [];
  const length = 5 + Math.floor(random() * 10);
  while (words.length < length) {
    const r = random();
    words.push(r < 0.25 ? pick(VERBS) : r < 0.6 ? pick(NOUNS) : pick(FILLER));
  }
  return words.join(' ');
}

function syntheticItems(seed: number, refsPerItem: number): CaptionItem[] {
  const random = mulberry32(seed);
  return Array.from({ length: PAIRS }, (_, k) => ({
    id: String(k),
    candidate: sentence(random),
    references: Array.from({ length: refsPerItem }, () => sentence(random)),
  }));
}

const seconds = (t0: number): number => (performance.now() - t0) / 1000;

export async function run(): Promise<Record<string, unknown>> {
  const source = resolveWordNetSource();
  let t0 = performance.now();
  loadWordNetTables(source);
  const wordnetLoadSeconds = seconds(t0);

  const { scorer } = await createMeteorScorer();
  if (!scorer) throw new Error('native METEOR unavailable');
  const single = syntheticItems(1, 1);
  const multi = syntheticItems(2, 3);

  t0 = performance.now();
  const corpusSingle = await scorer.score(single);
  const singleSeconds = seconds(t0);

  t0 = performance.now();
  const corpusMulti = await scorer.score(multi);
  const multiSeconds = seconds(t0);

  t0 = performance.now();
  for (let k = 0; k < PAIRS; k += SMALL_CALL) await scorer.score(single.slice(k, k + SMALL_CALL));
  const smallCallsSeconds = seconds(t0);

  return {
    wordnet: source.label,
    wordnet_load_s: wordnetLoadSeconds,
    pairs: PAIRS,
    one_ref_corpus_s: singleSeconds,
    one_ref_segments_per_s: PAIRS / singleSeconds,
    one_ref_aggregate: corpusSingle.corpus,
    three_refs_corpus_s: multiSeconds,
    three_refs_aggregate: corpusMulti.corpus,
    small_calls: PAIRS / SMALL_CALL,
    small_calls_s: smallCallsSeconds,
  };
}
