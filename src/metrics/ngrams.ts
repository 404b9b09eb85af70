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
 * The n-grams of one text (words from `pySplit`) as interned integer ids, unique across orders.
 * Order n (1-based) occupies `ids[start[n-1]] .. ids[start[n]-1]`: its distinct n-grams in order of
 * first occurrence (the iteration order of `ngramCountsByOrder`'s maps, which fixes the order of
 * floating-point sums), with their counts at the same positions of `counts`.
 */
export interface NgramProfile {
  ids: Int32Array;
  counts: Int32Array;
  /** PROFILE_MAX_N + 1 offsets into `ids`/`counts`. */
  start: Int32Array;
  /** Number of words. */
  nWords: number;
}

// Bounds on memory of the process-wide caches; all are reset together, only between calls.
const MAX_INTERNED = 4_000_000;
const MAX_CACHED_TEXTS = 200_000;
const EMPTY = 0;

/**
 * Interning: a word gets an id from a Map; an n-gram of order >= 2 gets an id from the pair (id
 * of its first n-1 words, id of its last word), kept in an open-addressing table of int32 triples
 * (prefix, last, id + 1; 0 = empty) side by side, so a lookup touches one cache line and
 * allocates nothing.
 */
class Interner {
  readonly words = new Map<string, number>();
  size = 0;
  private cap = 1 << 18;
  private table = new Int32Array(this.cap * 3);
  private pairs = 0;

  word(w: string): number {
    let id = this.words.get(w);
    if (id === undefined) {
      id = this.size++;
      this.words.set(w, id);
    }
    return id;
  }

  pair(prefixId: number, lastId: number): number {
    const t = this.table;
    const mask = this.cap - 1;
    for (let i = hashPair(prefixId, lastId) & mask; ; i = (i + 1) & mask) {
      const v = t[3 * i + 2]!;
      if (v === EMPTY) break;
      if (t[3 * i] === prefixId && t[3 * i + 1] === lastId) return v - 1;
    }
    const id = this.size++;
    if (++this.pairs * 2 > this.cap) this.grow();
    this.put(prefixId, lastId, id);
    return id;
  }

  private put(prefixId: number, lastId: number, id: number): void {
    const t = this.table;
    const mask = this.cap - 1;
    let i = hashPair(prefixId, lastId) & mask;
    while (t[3 * i + 2] !== EMPTY) i = (i + 1) & mask;
    t[3 * i] = prefixId;
    t[3 * i + 1] = lastId;
    t[3 * i + 2] = id + 1;
  }

  private grow(): void {
    const old = this.table;
    this.cap *= 2;
    this.table = new Int32Array(this.cap * 3);
    for (let i = 0; i < old.length; i += 3) if (old[i + 2] !== EMPTY) this.put(old[i]!, old[i + 1]!, old[i + 2]! - 1);
  }
}

function hashPair(a: number, b: number): number {
  let h = Math.imul(a ^ Math.imul(b, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 15;
  return h >>> 0;
}

let interner = new Interner();
let profileCache = new Map<string, NgramProfile>();
/** Changes whenever ids are reassigned (callers keeping id-indexed state across calls check it). */
export let internerGeneration = 0;

// Dedupe scratch indexed by id: seenAt[id] === textStamp means the id sits at index posOf[id].
let seenAt = new Int32Array(1 << 16);
let posOf = new Int32Array(1 << 16);
let textStamp = 0;

function ensureScratch(size: number): void {
  if (seenAt.length >= size) return;
  const cap = Math.max(size, seenAt.length * 2);
  const grownSeen = new Int32Array(cap);
  const grownPos = new Int32Array(cap);
  grownSeen.set(seenAt);
  grownPos.set(posOf);
  seenAt = grownSeen;
  posOf = grownPos;
}

function buildProfile(text: string): NgramProfile {
  const words = pySplit(text);
  const nWords = words.length;
  const unigrams = new Int32Array(nWords);
  for (let i = 0; i < nWords; i++) unigrams[i] = interner.word(words[i]!);
  // grams[i] = id of the n-gram starting at word i, for the current order n.
  const grams = unigrams.slice();
  let total = 0;
  for (let n = 1; n <= PROFILE_MAX_N; n++) total += Math.max(0, nWords - n + 1);
  const ids = new Int32Array(total);
  const counts = new Int32Array(total);
  const start = new Int32Array(PROFILE_MAX_N + 1);
  if (textStamp >= 0x7fffffff) {
    seenAt.fill(0);
    textStamp = 0;
  }
  const stamp = ++textStamp;
  let out = 0;
  for (let n = 1; n <= PROFILE_MAX_N; n++) {
    start[n - 1] = out;
    const len = nWords - n + 1;
    for (let i = 0; i < len; i++) {
      const g = n === 1 ? grams[i]! : (grams[i] = interner.pair(grams[i]!, unigrams[i + n - 1]!));
      if (g >= seenAt.length) ensureScratch(interner.size);
      if (seenAt[g] === stamp) counts[posOf[g]!]!++;
      else {
        seenAt[g] = stamp;
        posOf[g] = out;
        ids[out] = g;
        counts[out] = 1;
        out++;
      }
    }
  }
  start[PROFILE_MAX_N] = out;
  return { ids: ids.slice(0, out), counts: counts.slice(0, out), start, nWords };
}

/** Largest id handed out so far + 1 (size for arrays indexed by n-gram id). */
export function internedCount(): number {
  return interner.size;
}

/**
 * Runs `fn` with a profile lookup. Profiles are memoised process-wide by text (a text's n-grams do
 * not depend on the call; the scorers derive everything call-specific from them), so a caption
 * seen by BLEU, CIDEr per tIoU, SODA_c and so on is split and interned once. Ids are only
 * comparable within one `withNgramProfiles` scope: the caches may be reset before `fn` runs.
 */
export function withNgramProfiles<T>(fn: (profile: (text: string) => NgramProfile) => T): T {
  if (interner.size > MAX_INTERNED || profileCache.size > MAX_CACHED_TEXTS) {
    interner = new Interner();
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
