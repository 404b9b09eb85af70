/**
 * METEOR's synonym sets (spec meteor.md §5): S(w) = syn(w) ∪ base(w), where base(w) comes from the
 * exception lists, or else from the first morphology rule whose result is a WordNet word.
 */
import type { SynsetIndex, WordNetTables } from './wordnet.js';

/** (suffix, replacement) in METEOR's order; rules 1/9 and 8/10 repeat in the source and stay harmless. */
const MORPHOLOGY_RULES: readonly [string, string][] = [
  ['s', ''], ['ses', 's'], ['xes', 'x'], ['zes', 'z'], ['ches', 'ch'], ['shes', 'sh'], ['men', 'man'],
  ['ies', 'y'], ['s', ''], ['ies', 'y'], ['es', 'e'], ['es', ''], ['ed', 'e'], ['ed', ''], ['ing', 'e'],
  ['ing', ''], ['er', ''], ['est', ''], ['er', 'e'], ['est', 'e'],
];

const EMPTY = new Int32Array(0);

/** METEOR's `morph`: the base form, or "" when no rule yields a WordNet word. */
export function morphBaseForm(word: string, synsets: SynsetIndex): string {
  if (word.endsWith('ss') || word.length <= 2) return word;
  for (const [suffix, replacement] of MORPHOLOGY_RULES) {
    if (!word.endsWith(suffix)) continue;
    const base = word.slice(0, word.length - suffix.length) + replacement;
    if (synsets.has(base)) return base;
  }
  return '';
}

function sortedUnion(sets: Int32Array[]): Int32Array {
  const nonEmpty = sets.filter((s) => s.length > 0);
  if (nonEmpty.length <= 1) return nonEmpty[0] ?? EMPTY;
  return Int32Array.from(new Set(nonEmpty.flatMap((s) => [...s]))).sort();
}

export class SynonymSets {
  private readonly memo = new Map<string, Int32Array>();
  constructor(private readonly tables: WordNetTables) {}

  /** syn(w): the word's own synset ids. */
  own(word: string): Int32Array {
    return this.tables.synsets.get(word) ?? EMPTY;
  }

  /** base(w): synset ids of the word's base forms (exceptions first, else morphology). */
  viaBaseForm(word: string): Int32Array {
    const bases = this.tables.exceptions.get(word);
    if (bases) return sortedUnion(bases.map((b) => this.own(b)));
    return this.own(morphBaseForm(word, this.tables.synsets));
  }

  /** S(w), memoised per process. */
  of(word: string): Int32Array {
    let set = this.memo.get(word);
    if (!set) {
      if (this.memo.size >= 500_000) this.memo.clear();
      set = sortedUnion([this.own(word), this.viaBaseForm(word)]);
      this.memo.set(word, set);
    }
    return set;
  }
}

/** Whether two sorted id arrays share an element. */
export function intersects(a: Int32Array, b: Int32Array): boolean {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) return true;
    if (a[i]! < b[j]!) i++;
    else j++;
  }
  return false;
}
