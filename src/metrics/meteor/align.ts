/**
 * METEOR 1.5's candidate matching (exact, stem, synonym, paraphrase) and its beam-search aligner, with the
 * source's int ranking totals, tie-breaks and distance quirk (spec meteor.md §5, §7, §8; the paraphrase
 * stage follows edu.cmu.meteor.aligner.ParaphraseMatcher and Aligner.resolve of METEOR 1.5).
 */
import { isFunctionWord } from './function-words.js';
import type { ParaphraseTable } from './paraphrase.js';
import { snowballEnglishStem } from './stemmer.js';
import { intersects, type SynonymSets } from './synonyms.js';

export const MODULE_EXACT = 0;
export const MODULE_STEM = 1;
export const MODULE_SYNONYM = 2;
/** The paraphrase stage's module index: its position in the English default list exact stem synonym paraphrase. */
export const MODULE_PARAPHRASE = 3;
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

/**
 * Candidate match: hyp words from `i`, ref words from `j`, found by `module`. Only paraphrase matches span
 * several words (`hypLen` / `refLen`, 1 when absent).
 */
export interface Match {
  i: number;
  j: number;
  module: number;
  hypLen?: number;
  refLen?: number;
}

export const hypSpan = (m: Match): number => m.hypLen ?? 1;
export const refSpan = (m: Match): number => m.refLen ?? 1;

export interface Matchers {
  stem: boolean;
  synonyms?: SynonymSets;
  /** The paraphrase stage runs (as module 3) when a table is given; the source then has stem and synonym too. */
  paraphrase?: ParaphraseTable;
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
  const addPhrase = (i: number, j: number, hypLen: number, refLen: number): void => {
    byRef[j]!.push({ i, j, module: MODULE_PARAPHRASE, hypLen, refLen });
    for (let k = 0; k < hypLen; k++) covHyp[i + k]!++;
    for (let k = 0; k < refLen; k++) covRef[j + k]!++;
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
  if (matchers.paraphrase) paraphraseStage(matchers.paraphrase, hyp, ref, addPhrase);
  return { byRef, covHyp, covRef };
}

/** Whether `phrase` occurs in `ids` at `at` (never past the end). */
function occursAt(ids: Int32Array, at: number, phrase: Int32Array): boolean {
  if (at + phrase.length > ids.length) return false;
  for (let k = 0; k < phrase.length; k++) if (ids[at + k] !== phrase[k]) return false;
  return true;
}

/**
 * ParaphraseMatcher.match: first each ref position's table phrases whose paraphrase occurs in the hyp, then
 * each hyp position's table phrases whose paraphrase occurs in the ref. Words are compared as strings
 * (table word ids), not hashes, and nothing excludes pairs found by earlier stages or found twice (an
 * entry and its reverse both in the table): every find is a candidate and adds to the coverage counts.
 */
function paraphraseStage(
  table: ParaphraseTable,
  hyp: Sentence,
  ref: Sentence,
  add: (i: number, j: number, hypLen: number, refLen: number) => void,
): void {
  const hypIds = Int32Array.from(hyp.words, (w) => table.translate(w));
  const refIds = Int32Array.from(ref.words, (w) => table.translate(w));
  for (let j = 0; j < refIds.length; j++) {
    const paths = table.referencePaths(refIds, j);
    for (let p = 0; p < paths.length; p += 2) {
      const phrase = table.paraphrase(paths[p + 1]!);
      for (let i = 0; i < hypIds.length; i++) if (occursAt(hypIds, i, phrase)) add(i, j, phrase.length, paths[p]!);
    }
  }
  for (let i = 0; i < hypIds.length; i++) {
    const paths = table.referencePaths(hypIds, i);
    for (let p = 0; p < paths.length; p += 2) {
      const phrase = table.paraphrase(paths[p + 1]!);
      for (let j = 0; j < refIds.length; j++) if (occursAt(refIds, j, phrase)) add(i, j, paths[p]!, phrase.length);
    }
  }
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
  /** Ref position after the path's last match (the source's `idx`): steps before it continue that match. */
  idx: number;
}

const isSet = (bits: Uint32Array, k: number): boolean => (bits[k >>> 5]! & (1 << (k & 31))) !== 0;

function setSpan(bits: Uint32Array, from: number, length: number): void {
  for (let k = from; k < from + length; k++) bits[k >>> 5]! |= 1 << (k & 31);
}

function anySet(bits: Uint32Array, from: number, length: number): boolean {
  for (let k = from; k < from + length; k++) if (isSet(bits, k)) return true;
  return false;
}

/**
 * The source adds `length * weight` to two ints with `+=` (hyp side, ref side) and ranks by their sum:
 * each side adds floor(length * weight). One-word stem/synonym matches add 0, a two-word paraphrase side 1.
 */
function matchScore(score: number, m: Match): number {
  const w = ALIGNER_WEIGHTS[m.module]!;
  return score + Math.floor(hypSpan(m) * w) + Math.floor(refSpan(m) * w);
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
  idx: number[] = [];
  count = 0;

  clear(): void {
    this.count = 0;
  }

  push(parent: number, match: Match | undefined, isChild: boolean, score: number, chunks: number, distance: number, lastEnd: number, idx: number): void {
    const k = this.count++;
    this.parent[k] = parent;
    this.match[k] = match;
    this.isChild[k] = isChild;
    this.score[k] = score;
    this.chunks[k] = chunks;
    this.distance[k] = distance;
    this.lastEnd[k] = lastEnd;
    this.idx[k] = idx;
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

/**
 * Definite matches: a ref position's only candidate whose words (all of them, for a phrase) are covered
 * by no other candidate. They are fixed in the start state, before the beam.
 */
function definiteMatches(byRef: Match[][], covHyp: Int32Array, covRef: Int32Array): (Match | undefined)[] {
  const onlyOnce = (cov: Int32Array, from: number, length: number): boolean => {
    for (let k = from; k < from + length; k++) if (cov[k] !== 1) return false;
    return true;
  };
  return byRef.map((c, j) => {
    const m = c.length === 1 ? c[0]! : undefined;
    return m && onlyOnce(covRef, j, refSpan(m)) && onlyOnce(covHyp, m.i, hypSpan(m)) ? m : undefined;
  });
}

/** Chooses the alignment: definite matches first, then a 40-wide beam over ref positions (spec §7). */
export function align(hyp: Sentence, ref: Sentence, matchers: Matchers): Match[] {
  const nRef = ref.words.length;
  const { byRef, covHyp, covRef } = findCandidates(hyp, ref, matchers);
  const definite = definiteMatches(byRef, covHyp, covRef);
  // Ref words of definite matches: the source's start-state `line2UsedWords` (chosen matches never lie ahead).
  const usedRef = new Uint32Array((nRef + 31) >>> 5);
  const start: Path = { matches: undefined, usedHyp: new Uint32Array((hyp.words.length + 31) >>> 5), score: 0, chunks: 0, distance: 0, lastEnd: -1, idx: 0 };
  for (const m of definite) {
    if (!m) continue;
    setSpan(start.usedHyp, m.i, hypSpan(m));
    setSpan(usedRef, m.j, refSpan(m));
    start.matches = { match: m, prev: start.matches };
  }

  // `paths` is always in rank order here: each step's expansions are ranked before they become paths.
  let paths: Path[] = [start];
  const next = new Expansions();
  for (let cur = 0; cur < nRef; cur++) {
    next.clear();
    const fixed = definite[cur];
    paths.forEach((path, p) => {
      if (cur < path.idx) {
        // Inside a phrase match this path chose (or fixed) at an earlier position: nothing to decide.
        next.push(p, undefined, false, path.score, path.chunks, path.distance, path.lastEnd, path.idx);
        return;
      }
      const chunksIfContinued = (i: number): number => (path.lastEnd !== -1 && i !== path.lastEnd ? path.chunks + 1 : path.chunks);
      if (fixed) {
        const chunks = chunksIfContinued(fixed.i);
        next.push(p, fixed, false, matchScore(path.score, fixed), chunks, path.distance + Math.abs(cur - fixed.i), fixed.i + hypSpan(fixed), cur + refSpan(fixed));
        return;
      }
      let distance = path.distance;
      for (const m of byRef[cur]!) {
        if (anySet(path.usedHyp, m.i, hypSpan(m)) || anySet(usedRef, m.j, refSpan(m))) continue;
        next.push(p, m, true, matchScore(path.score, m), chunksIfContinued(m.i), distance, m.i + hypSpan(m), cur + refSpan(m));
        // Source quirk: the distance goes to the parent, so later siblings and the skip path inherit it.
        distance += Math.abs(cur - m.i);
      }
      next.push(p, undefined, false, path.score, path.lastEnd !== -1 ? path.chunks + 1 : path.chunks, distance, -1, cur + 1);
    });
    paths = next.best(BEAM_SIZE).map((k) => {
      const parent = paths[next.parent[k]!]!;
      const m = next.match[k];
      let usedHyp = parent.usedHyp;
      let matches = parent.matches;
      if (next.isChild[k] && m) {
        usedHyp = usedHyp.slice();
        setSpan(usedHyp, m.i, hypSpan(m));
        matches = { match: m, prev: matches };
      }
      return { matches, usedHyp, score: next.score[k]!, chunks: next.chunks[k]!, distance: next.distance[k]!, lastEnd: next.lastEnd[k]!, idx: next.idx[k]! };
    });
  }
  // Last step: close open chunks, then rank once more (stable) and take the first.
  next.clear();
  paths.forEach((path, p) => next.push(p, undefined, false, path.score, path.lastEnd !== -1 ? path.chunks + 1 : path.chunks, path.distance, -1, nRef));
  const best = paths[next.parent[next.best(1)[0]!]!]!;
  const chosen: Match[] = [];
  for (let node = best.matches; node; node = node.prev) chosen.push(node.match);
  return chosen.sort((a, b) => a.j - b.j);
}

/**
 * Chunks of an alignment (spec §8, the source's getCountAndChunks): walking the ref, a match continues the
 * open chunk only when it starts in the hyp right after the previous match ends; an unmatched ref word
 * closes it.
 */
export function countChunks(matches: readonly Match[], nRef: number): number {
  const byRef = new Array<Match | undefined>(nRef);
  for (const m of matches) byRef[m.j] = m;
  let chunks = 0;
  let lastEnd = -1;
  for (let j = 0; j < nRef; ) {
    const m = byRef[j];
    if (!m) {
      if (lastEnd !== -1) chunks++;
      lastEnd = -1;
      j++;
      continue;
    }
    if (lastEnd !== -1 && m.i !== lastEnd) chunks++;
    lastEnd = m.i + hypSpan(m);
    j += refSpan(m);
  }
  return lastEnd !== -1 ? chunks + 1 : chunks;
}
