/**
 * Bench for native METEOR: WordNet table loading, then 10,000 seeded synthetic caption pairs (cooking
 * vocabulary with inflections and synonyms, so all three matching stages work), scored as one corpus
 * and as 2,500 small calls of 4 items, the way dense-captioning evaluation calls it.
 */
import { createMeteorScorer } from '../metrics/meteor/index.js';
import { loadWordNetTables, resolveWordNetSource } from '../metrics/meteor/wordnet.js';
import type { CaptionItem } from '../metrics/caption-types.js';
import { mulberry32 } from '../util/prng.js';

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

/** Wall and CPU seconds of `work` (CPU time is the steadier figure on a shared machine). */
async function timed<T>(work: () => Promise<T> | T): Promise<{ result: T; wall_s: number; cpu_s: number }> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const result = await work();
  const cpu = process.cpuUsage(cpu0);
  return { result, wall_s: (performance.now() - t0) / 1000, cpu_s: (cpu.user + cpu.system) / 1e6 };
}

export async function run(): Promise<Record<string, unknown>> {
  const source = resolveWordNetSource();
  const load = await timed(() => loadWordNetTables(source));

  const { scorer } = await createMeteorScorer();
  if (!scorer) throw new Error('native METEOR unavailable');
  const single = syntheticItems(1, 1);
  const multi = syntheticItems(2, 3);

  const oneRef = await timed(() => scorer.score(single));
  const threeRefs = await timed(() => scorer.score(multi));
  // The same pairs again in small calls: sentences and word pairs are now memoised, as in an evaluation.
  const smallCalls = await timed(async () => {
    for (let k = 0; k < PAIRS; k += SMALL_CALL) await scorer.score(single.slice(k, k + SMALL_CALL));
  });
  const figures = (t: { wall_s: number; cpu_s: number }) => ({ wall_s: t.wall_s, cpu_s: t.cpu_s });
  return {
    wordnet: source.label,
    wordnet_load_from_cache: figures(load),
    pairs: PAIRS,
    one_ref_corpus: { ...figures(oneRef), segments_per_cpu_s: PAIRS / oneRef.cpu_s, aggregate: oneRef.result.corpus },
    three_refs_corpus: { ...figures(threeRefs), aggregate: threeRefs.result.corpus },
    small_calls_of_4: { calls: PAIRS / SMALL_CALL, ...figures(smallCalls) },
  };
}
