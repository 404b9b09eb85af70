/**
 * Helpers shared by the coco-caption scorers: Python's `str.split()` (split on any Unicode
 * whitespace, drop empties), n-gram counting with n-grams keyed by their space-joined words, and
 * interned n-gram profiles (integer ids instead of joined strings) for the fast BLEU/CIDEr paths.
 */

// Characters Python 3's str.split() treats as whitespace (str.isspace), incl. U+00A0 and U+001C..U+001F.
const PY_WHITESPACE = /[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/;

export function pySplit(s: string): string[] {
  return s.split(PY_WHITESPACE).filter((w) => w !== '');
}

/**
 * Counts of every n-gram of `words`, one map per order: result[n-1] maps each n-gram (its words
 * joined by a single space; words never contain one) to its count.
 */
export function ngramCountsByOrder(words: string[], maxN: number): Map<string, number>[] {
  const byOrder: Map<string, number>[] = [];
  for (let n = 1; n <= maxN; n++) {
    const counts = new Map<string, number>();
    for (let i = 0; i + n <= words.length; i++) {
      const g = n === 1 ? words[i]! : words.slice(i, i + n).join(' ');
      counts.set(g, (counts.get(g) ?? 0) + 1);
    }
    byOrder.push(counts);
  }
  return byOrder;
}

/** Highest n-gram order of the profiles (BLEU-4 and CIDEr-D both use n = 1..4). */
export const PROFILE_MAX_N = 4;

/**
 * The n-grams of one text (words from `pySplit`), per order n (index n-1): the distinct n-grams as
 * interned ids, in order of first occurrence (the iteration order of `ngramCountsByOrder`'s maps,
 * which fixes the order of floating-point sums), and their counts. Ids are unique across orders.
 */
export interface NgramProfile {
  ids: Int32Array[];
  counts: Int32Array[];
  /** Number of words. */
  nWords: number;
}

// Interning: a word gets an id; an n-gram of order >= 2 gets an id from (id of its first n-1
// words, id of its last word), packed into one exact integer key: ids stay below ID_SPACE, so
// prefixId * ID_SPACE + wordId < 2^52.
const ID_SPACE = 2 ** 26;
// Bounds on memory of the process-wide caches; both are reset together, only between calls.
const MAX_INTERNED = 4_000_000;
const MAX_CACHED_TEXTS = 200_000;

let wordIds = new Map<string, number>();
let gramIds = new Map<number, number>();
let nextId = 0;
let profileCache = new Map<string, NgramProfile>();
/** Changes whenever ids are reassigned (callers keeping id-indexed state across calls check it). */
export let internerGeneration = 0;

function newId(): number {
  // Unreachable in practice (the caches reset above MAX_INTERNED between calls); loud, not wrong.
  if (nextId >= ID_SPACE) throw new Error(`n-gram interner: more than ${ID_SPACE} distinct n-grams in one call`);
  return nextId++;
}

function wordId(w: string): number {
  let id = wordIds.get(w);
  if (id === undefined) {
    id = newId();
    wordIds.set(w, id);
  }
  return id;
}

function gramId(prefixId: number, lastWordId: number): number {
  const key = prefixId * ID_SPACE + lastWordId;
  let id = gramIds.get(key);
  if (id === undefined) {
    id = newId();
    gramIds.set(key, id);
  }
  return id;
}

/** Distinct values of `seq` in first-occurrence order with their counts. */
function countDistinct(seq: Int32Array, local: Map<number, number>): { ids: Int32Array; counts: Int32Array } {
  local.clear();
  const ids: number[] = [];
  const counts: number[] = [];
  for (let i = 0; i < seq.length; i++) {
    const g = seq[i]!;
    const at = local.get(g);
    if (at === undefined) {
      local.set(g, ids.length);
      ids.push(g);
      counts.push(1);
    } else counts[at]!++;
  }
  return { ids: Int32Array.from(ids), counts: Int32Array.from(counts) };
}

const scratchLocal = new Map<number, number>();

function buildProfile(text: string): NgramProfile {
  const words = pySplit(text);
  const ids: Int32Array[] = [];
  const counts: Int32Array[] = [];
  // grams[i] = id of the n-gram starting at word i (order n, updated in place from order n-1).
  const unigrams = Int32Array.from(words, wordId);
  let grams = unigrams;
  for (let n = 1; n <= PROFILE_MAX_N; n++) {
    if (n > 1) {
      const next = new Int32Array(Math.max(0, words.length - n + 1));
      for (let i = 0; i < next.length; i++) next[i] = gramId(grams[i]!, unigrams[i + n - 1]!);
      grams = next;
    }
    const d = countDistinct(grams, scratchLocal);
    ids.push(d.ids);
    counts.push(d.counts);
  }
  return { ids, counts, nWords: words.length };
}

/** Largest id handed out so far + 1 (size for arrays indexed by n-gram id). */
export function internedCount(): number {
  return nextId;
}

/**
 * Runs `fn` with a profile lookup. Profiles are memoised process-wide by text (a text's n-grams do
 * not depend on the call; the scorers derive everything call-specific from them), so a caption
 * seen by BLEU, CIDEr per tIoU, SODA_c and so on is split and interned once. Ids are only
 * comparable within one `withNgramProfiles` scope: the caches may be reset before `fn` runs.
 */
export function withNgramProfiles<T>(fn: (profile: (text: string) => NgramProfile) => T): T {
  if (nextId > MAX_INTERNED || profileCache.size > MAX_CACHED_TEXTS) {
    wordIds = new Map();
    gramIds = new Map();
    nextId = 0;
    profileCache = new Map();
    internerGeneration++;
  }
  return fn(profileOf);
}

function profileOf(text: string): NgramProfile {
  let p = profileCache.get(text);
  if (p === undefined) {
    p = buildProfile(text);
    profileCache.set(text, p);
  }
  return p;
}
