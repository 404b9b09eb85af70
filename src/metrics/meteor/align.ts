/**
 * METEOR 1.5's candidate matching (exact, stem, synonym) and its beam-search aligner, with the source's
 * int ranking total, tie-breaks and distance quirk (spec meteor.md §5, §7, §8).
 */
import { isFunctionWord } from './function-words.js';
import { snowballEnglishStem } from './stemmer.js';
import { intersects, type SynonymSets } from './synonyms.js';

export const MODULE_EXACT = 0;
export const MODULE_STEM = 1;
export const MODULE_SYNONYM = 2;
export const MODULE_NAMES = ['exact', 'stem', 'synonym', 'paraphrase'] as const;
/** Hard-coded aligner weights used only for ranking beam paths (not the scoring weights). */
const ALIGNER_WEIGHTS = [1.0, 0.5, 0.5, 0.5];
const BEAM_SIZE = 40;

/** Java `String.hashCode`: METEOR compares words by hash. */
export function javaHash(s: string): number {
  let h = 0;
  for (let k = 0; k < s.length; k++) h = (Math.imul(h, 31) + s.charCodeAt(k)) | 0;
  return h;
}

/** A sentence after normalisation and lowercasing, with what the matchers need per word. */
export interface Sentence {
  words: string[];
  hashes: Int32Array;
  stemHashes: Int32Array;
  functionWord: boolean[];
  /** Process-wide small integer per distinct word (keys the synonym memo). */
  wordIds: Int32Array;
}

/** Per-word facts shared by every sentence of the process. */
interface WordInfo {
  id: number;
  hash: number;
  stemHash: number;
  functionWord: boolean;
}

const MEMO_LIMIT = 500_000;
/** Word ids only grow (a cleared table never reuses one), so ids held by live sentences stay unique. */
const wordInfo = new Map<string, WordInfo>();
let nextWordId = 0;

function infoOf(word: string): WordInfo {
  let info = wordInfo.get(word);
  if (!info) {
    if (wordInfo.size >= MEMO_LIMIT) wordInfo.clear();
    info = { id: nextWordId++, hash: javaHash(word), stemHash: javaHash(snowballEnglishStem(word)), functionWord: isFunctionWord(word) };
    wordInfo.set(word, info);
  }
  return info;
}

export function prepareSentence(words: string[]): Sentence {
  const n = words.length;
  const sentence: Sentence = { words, hashes: new Int32Array(n), stemHashes: new Int32Array(n), functionWord: new Array<boolean>(n), wordIds: new Int32Array(n) };
  for (let k = 0; k < n; k++) {
    const info = infoOf(words[k]!);
    sentence.hashes[k] = info.hash;
    sentence.stemHashes[k] = info.stemHash;
    sentence.functionWord[k] = info.functionWord;
    sentence.wordIds[k] = info.id;
  }
  return sentence;
}

/** One-word candidate match: hyp word `i`, ref word `j`, found by `module`. */
export interface Match {
  i: number;
  j: number;
  module: number;
}

export interface Matchers {
  stem: boolean;
  synonyms?: SynonymSets;
}

/** Per synonym resource, per hyp word id: whether it shares a synset with a ref word id. */
const synonymPairMemos = new WeakMap<SynonymSets, Map<number, Map<number, boolean>>>();

function synonymMemo(synonyms: SynonymSets): Map<number, Map<number, boolean>> {
  let memo = synonymPairMemos.get(synonyms);
  if (!memo) synonymPairMemos.set(synonyms, (memo = new Map()));
  if (memo.size >= MEMO_LIMIT) memo.clear();
  return memo;
}

/** Matches are immutable: those of sentences up to 64 words are shared, not allocated per call. */
const SHARED_MATCH_SIDE = 64;
const sharedMatches: (Match | undefined)[] = new Array(SHARED_MATCH_SIDE * SHARED_MATCH_SIDE * 3);

function matchOf(i: number, j: number, module: number): Match {
  if (i >= SHARED_MATCH_SIDE || j >= SHARED_MATCH_SIDE || module > 2) return { i, j, module };
  const k = (i * SHARED_MATCH_SIDE + j) * 3 + module;
  return (sharedMatches[k] ??= Object.freeze({ i, j, module }));
}

/** Candidate lists per ref position, in stage order, plus the coverage counts of each word (spec §5). */
export function findCandidates(hyp: Sentence, ref: Sentence, matchers: Matchers): { byRef: Match[][]; covHyp: Int32Array; covRef: Int32Array } {
  const nHyp = hyp.words.length;
  const nRef = ref.words.length;
  const byRef: Match[][] = Array.from({ length: nRef }, () => []);
  const covHyp = new Int32Array(nHyp);
  const covRef = new Int32Array(nRef);
  const add = (i: number, j: number, module: number): void => {
    byRef[j]!.push(matchOf(i, j, module));
    covHyp[i]!++;
    covRef[j]!++;
  };
  const h = hyp.hashes;
  const r = ref.hashes;
  for (let j = 0; j < nRef; j++) for (let i = 0; i < nHyp; i++) if (h[i] === r[j]) add(i, j, MODULE_EXACT);
  const identical = nHyp === nRef && h.every((x, k) => x === r[k]);
  if (identical) return { byRef, covHyp, covRef };
  if (matchers.stem) {
    const hs = hyp.stemHashes;
    const rs = ref.stemHashes;
    for (let j = 0; j < nRef; j++) for (let i = 0; i < nHyp; i++) if (hs[i] === rs[j] && h[i] !== r[j]) add(i, j, MODULE_STEM);
  }
  const synonyms = matchers.synonyms;
  if (synonyms) {
    // Hyp-major loop: each byRef[j] still receives its candidates in increasing i.
    const memo = synonymMemo(synonyms);
    for (let i = 0; i < nHyp; i++) {
      const hypSet = synonyms.of(hyp.words[i]!);
      if (hypSet.length === 0) continue;
      let row = memo.get(hyp.wordIds[i]!);
      if (!row) memo.set(hyp.wordIds[i]!, (row = new Map()));
      for (let j = 0; j < nRef; j++) {
        if (h[i] === r[j]) continue;
        let shared = row.get(ref.wordIds[j]!);
        if (shared === undefined) {
          shared = intersects(hypSet, synonyms.of(ref.words[j]!));
          row.set(ref.wordIds[j]!, shared);
        }
        if (shared) add(i, j, MODULE_SYNONYM);
      }
    }
  }
  return { byRef, covHyp, covRef };
}

/** Chosen matches as a persistent list, so copying a path is O(1) in its matches. */
interface MatchNode {
  match: Match;
  prev: MatchNode | undefined;
}

interface Path {
  matches: MatchNode | undefined;
  /** Hyp words used, as a bitset (shared between a parent and its skip path, copied for children). */
  usedHyp: Uint32Array;
  score: number;
  chunks: number;
  distance: number;
  lastEnd: number;
}

/** The source adds `length * weight` to an int with `+=`, once per side: non-exact matches add 0. */
function matchScore(score: number, module: number): number {
  const w = ALIGNER_WEIGHTS[module]!;
  return Math.trunc(Math.trunc(score + w) + w);
}

/**
 * The expansions of one beam step, as parallel arrays in the order the source appends them (per parent
 * in rank order: its candidates in list order, then the skip path). Only the best 40 become paths.
 */
class Expansions {
  parent: number[] = [];
  match: (Match | undefined)[] = [];
  /** Whether `match` is a new candidate (a child) rather than the parent kept or extended in place. */
  isChild: boolean[] = [];
  score: number[] = [];
  chunks: number[] = [];
  distance: number[] = [];
  lastEnd: number[] = [];
  count = 0;

  clear(): void {
    this.count = 0;
  }

  push(parent: number, match: Match | undefined, isChild: boolean, score: number, chunks: number, distance: number, lastEnd: number): void {
    const k = this.count++;
    this.parent[k] = parent;
    this.match[k] = match;
    this.isChild[k] = isChild;
    this.score[k] = score;
    this.chunks[k] = chunks;
    this.distance[k] = distance;
    this.lastEnd[k] = lastEnd;
  }

  /** Indices of the best `limit`: higher score, then fewer chunks, then less distance, then append order (a stable sort). */
  best(limit: number): number[] {
    const order = new Array<number>(this.count);
    for (let k = 0; k < this.count; k++) order[k] = k;
    const { score, chunks, distance } = this;
    order.sort((x, y) => score[y]! - score[x]! || chunks[x]! - chunks[y]! || distance[x]! - distance[y]! || x - y);
    if (order.length > limit) order.length = limit;
    return order;
  }
}

/** Chooses the alignment: definite matches first, then a 40-wide beam over ref positions (spec §7). */
export function align(hyp: Sentence, ref: Sentence, matchers: Matchers): Match[] {
  const nRef = ref.words.length;
  const { byRef, covHyp, covRef } = findCandidates(hyp, ref, matchers);
  const definite: (Match | undefined)[] = byRef.map((c, j) =>
    c.length === 1 && covRef[j] === 1 && covHyp[c[0]!.i] === 1 ? c[0] : undefined,
  );
  const start: Path = { matches: undefined, usedHyp: new Uint32Array((hyp.words.length + 31) >>> 5), score: 0, chunks: 0, distance: 0, lastEnd: -1 };
  for (const m of definite) {
    if (!m) continue;
    start.usedHyp[m.i >>> 5]! |= 1 << (m.i & 31);
    start.matches = { match: m, prev: start.matches };
  }

  // `paths` is always in rank order here: each step's expansions are ranked before they become paths.
  let paths: Path[] = [start];
  const next = new Expansions();
  for (let cur = 0; cur < nRef; cur++) {
    next.clear();
    const fixed = definite[cur];
    paths.forEach((path, p) => {
      const chunksIfContinued = (i: number): number => (path.lastEnd !== -1 && i !== path.lastEnd ? path.chunks + 1 : path.chunks);
      if (fixed) {
        const chunks = chunksIfContinued(fixed.i);
        next.push(p, fixed, false, matchScore(path.score, fixed.module), chunks, path.distance + Math.abs(cur - fixed.i), fixed.i + 1);
        return;
      }
      let distance = path.distance;
      for (const m of byRef[cur]!) {
        if (path.usedHyp[m.i >>> 5]! & (1 << (m.i & 31))) continue;
        next.push(p, m, true, matchScore(path.score, m.module), chunksIfContinued(m.i), distance, m.i + 1);
        // Source quirk: the distance goes to the parent, so later siblings and the skip path inherit it.
        distance += Math.abs(cur - m.i);
      }
      next.push(p, undefined, false, path.score, path.lastEnd !== -1 ? path.chunks + 1 : path.chunks, distance, -1);
    });
    paths = next.best(BEAM_SIZE).map((k) => {
      const parent = paths[next.parent[k]!]!;
      const m = next.match[k];
      let usedHyp = parent.usedHyp;
      let matches = parent.matches;
      if (next.isChild[k] && m) {
        usedHyp = usedHyp.slice();
        usedHyp[m.i >>> 5]! |= 1 << (m.i & 31);
        matches = { match: m, prev: matches };
      }
      return { matches, usedHyp, score: next.score[k]!, chunks: next.chunks[k]!, distance: next.distance[k]!, lastEnd: next.lastEnd[k]! };
    });
  }
  // Last step: close open chunks, then rank once more (stable) and take the first.
  next.clear();
  paths.forEach((path, p) => next.push(p, undefined, false, path.score, path.lastEnd !== -1 ? path.chunks + 1 : path.chunks, path.distance, -1));
  const best = paths[next.parent[next.best(1)[0]!]!]!;
  const chosen: Match[] = [];
  for (let node = best.matches; node; node = node.prev) chosen.push(node.match);
  return chosen.sort((a, b) => a.j - b.j);
}

/** Chunks of an alignment (spec §8): runs adjacent in the ref and adjacent, in order, in the hyp. */
export function countChunks(matches: readonly Match[], nRef: number): number {
  const byRef = new Array<Match | undefined>(nRef);
  for (const m of matches) byRef[m.j] = m;
  let chunks = 0;
  let open = false;
  let lastHyp = -2;
  for (let j = 0; j < nRef; j++) {
    const m = byRef[j];
    if (!m) {
      if (open) chunks++;
      open = false;
      continue;
    }
    if (open && m.i !== lastHyp + 1) chunks++;
    open = true;
    lastHyp = m.i;
  }
  return open ? chunks + 1 : chunks;
}
