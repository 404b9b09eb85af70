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
const ID_SPACE = 2 ** 30;
const wordInfo = new Map<string, WordInfo>();
let nextWordId = 0;

function infoOf(word: string): WordInfo {
  let info = wordInfo.get(word);
  if (!info) {
    if (wordInfo.size >= MEMO_LIMIT) wordInfo.clear();
    if (nextWordId >= ID_SPACE) {
      nextWordId = 0;
      synonymPairMemos = new WeakMap();
    }
    info = { id: nextWordId++, hash: javaHash(word), stemHash: javaHash(snowballEnglishStem(word)), functionWord: isFunctionWord(word) };
    wordInfo.set(word, info);
  }
  return info;
}

export function prepareSentence(words: string[]): Sentence {
  const infos = words.map(infoOf);
  return {
    words,
    hashes: Int32Array.from(infos, (x) => x.hash),
    stemHashes: Int32Array.from(infos, (x) => x.stemHash),
    functionWord: infos.map((x) => x.functionWord),
    wordIds: Int32Array.from(infos, (x) => x.id),
  };
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
let synonymPairMemos = new WeakMap<SynonymSets, Map<number, Map<number, boolean>>>();

function shareSynset(synonyms: SynonymSets, hypWord: string, hypId: number, refWord: string, refId: number): boolean {
  let memo = synonymPairMemos.get(synonyms);
  if (!memo) synonymPairMemos.set(synonyms, (memo = new Map()));
  let row = memo.get(hypId);
  if (!row) {
    if (memo.size >= MEMO_LIMIT) memo.clear();
    memo.set(hypId, (row = new Map()));
  }
  let shared = row.get(refId);
  if (shared === undefined) {
    shared = intersects(synonyms.of(hypWord), synonyms.of(refWord));
    row.set(refId, shared);
  }
  return shared;
}

/** Candidate lists per ref position, in stage order, plus the coverage counts of each word. */
function findCandidates(hyp: Sentence, ref: Sentence, matchers: Matchers): { byRef: Match[][]; covHyp: Int32Array; covRef: Int32Array } {
  const nHyp = hyp.words.length;
  const nRef = ref.words.length;
  const byRef: Match[][] = Array.from({ length: nRef }, () => []);
  const covHyp = new Int32Array(nHyp);
  const covRef = new Int32Array(nRef);
  const add = (i: number, j: number, module: number): void => {
    byRef[j]!.push({ i, j, module });
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
    for (let j = 0; j < nRef; j++) {
      for (let i = 0; i < nHyp; i++) {
        if (h[i] !== r[j] && shareSynset(synonyms, hyp.words[i]!, hyp.wordIds[i]!, ref.words[j]!, ref.wordIds[j]!)) add(i, j, MODULE_SYNONYM);
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
  /** Hyp words used, as a bitset. */
  usedHyp: Uint32Array;
  score: number;
  chunks: number;
  distance: number;
  lastEnd: number;
}

const comparePaths = (a: Path, b: Path): number => b.score - a.score || a.chunks - b.chunks || a.distance - b.distance;

/** The source adds `length * weight` to an int with `+=`, once per side: non-exact matches add 0. */
function addMatchScore(path: Path, module: number): void {
  path.score = Math.trunc(path.score + ALIGNER_WEIGHTS[module]!);
  path.score = Math.trunc(path.score + ALIGNER_WEIGHTS[module]!);
}

function extend(path: Path, m: Match): void {
  addMatchScore(path, m.module);
  if (path.lastEnd !== -1 && m.i !== path.lastEnd) path.chunks++;
  path.lastEnd = m.i + 1;
}

/** Chooses the alignment: definite matches first, then a 40-wide beam over ref positions. */
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

  let paths: Path[] = [start];
  for (let cur = 0; cur <= nRef; cur++) {
    paths.sort(comparePaths);
    if (paths.length > BEAM_SIZE) paths.length = BEAM_SIZE;
    const next: Path[] = [];
    for (const path of paths) {
      if (cur === nRef) {
        if (path.lastEnd !== -1) path.chunks++;
        next.push(path);
        continue;
      }
      const fixed = definite[cur];
      if (fixed) {
        extend(path, fixed);
        path.distance += Math.abs(cur - fixed.i);
        next.push(path);
        continue;
      }
      for (const m of byRef[cur]!) {
        if (path.usedHyp[m.i >>> 5]! & (1 << (m.i & 31))) continue;
        const child: Path = {
          matches: { match: m, prev: path.matches },
          usedHyp: path.usedHyp.slice(),
          score: path.score,
          chunks: path.chunks,
          distance: path.distance,
          lastEnd: path.lastEnd,
        };
        child.usedHyp[m.i >>> 5]! |= 1 << (m.i & 31);
        extend(child, m);
        // Source quirk: the distance goes to the parent, so later siblings and the skip path inherit it.
        path.distance += Math.abs(cur - m.i);
        next.push(child);
      }
      if (path.lastEnd !== -1) {
        path.chunks++;
        path.lastEnd = -1;
      }
      next.push(path);
    }
    paths = next;
  }
  paths.sort(comparePaths);
  const chosen: Match[] = [];
  for (let node = paths[0]!.matches; node; node = node.prev) chosen.push(node.match);
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
