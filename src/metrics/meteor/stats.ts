/**
 * METEOR's 23-number statistics line, its score (`computeMetrics`) and the corpus aggregate
 * (spec meteor.md §1, §9–§12). English `rank` task parameters (the same with or without paraphrase);
 * modules exact, stem, synonym, and paraphrase when a table is loaded.
 */
import { countChunks, hypSpan, refSpan, type Match, type Sentence } from './align.js';

export const METEOR_PARAMETERS = { alpha: 0.85, beta: 0.2, gamma: 0.6, delta: 0.75 } as const;
/** Scoring weights of exact, stem, synonym: the `rank` weights cut to the three modules configured. */
export const MODULE_WEIGHTS = [1.0, 0.6, 0.8] as const;
/** The full English default (Constants.WEIGHT_RANK): exact, stem, synonym, paraphrase. */
export const FULL_MODULE_WEIGHTS = [1.0, 0.6, 0.8, 0.6] as const;
export type ModuleWeights = readonly number[];
const MODULE_COUNT = 4;

/**
 * The stats line, in METEOR's field order:
 * tstLen refLen tstFunc refFunc | (tstC refC tstF refF) x 4 modules | chunks tstWordMatches refWordMatches
 */
export type MeteorStats = number[];
export const STATS_LENGTH = 23;
const TST_LEN = 0;
const REF_LEN = 1;
const TST_FUNC = 2;
const REF_FUNC = 3;
const moduleField = (k: number, field: 0 | 1 | 2 | 3): number => 4 + 4 * k + field; // tstC refC tstF refF
const CHUNKS = 20;
const TST_WORD_MATCHES = 21;
const REF_WORD_MATCHES = 22;

export function computeStats(hyp: Sentence, ref: Sentence, matches: readonly Match[]): MeteorStats {
  const s = new Array<number>(STATS_LENGTH).fill(0);
  s[TST_LEN] = hyp.words.length;
  s[REF_LEN] = ref.words.length;
  s[TST_FUNC] = hyp.functionWord.filter(Boolean).length;
  s[REF_FUNC] = ref.functionWord.filter(Boolean).length;
  // Every word of a phrase match counts, as content or function word, on its own side.
  for (const m of matches) {
    for (let i = m.i; i < m.i + hypSpan(m); i++) s[moduleField(m.module, hyp.functionWord[i] ? 2 : 0)]!++;
    for (let j = m.j; j < m.j + refSpan(m); j++) s[moduleField(m.module, ref.functionWord[j] ? 3 : 1)]!++;
    s[TST_WORD_MATCHES]! += hypSpan(m);
    s[REF_WORD_MATCHES]! += refSpan(m);
  }
  s[CHUNKS] = countChunks(matches, ref.words.length);
  return s;
}

/** All words matched, in a single chunk: no fragmentation penalty, and no chunks in the aggregate. */
export function isFullSingleChunkMatch(s: MeteorStats): boolean {
  let tstMatched = 0;
  let refMatched = 0;
  for (let k = 0; k < MODULE_COUNT; k++) {
    tstMatched += s[moduleField(k, 0)]! + s[moduleField(k, 2)]!;
    refMatched += s[moduleField(k, 1)]! + s[moduleField(k, 3)]!;
  }
  return tstMatched === s[TST_LEN] && refMatched === s[REF_LEN] && s[CHUNKS] === 1;
}

export interface MeteorScoreParts {
  precision: number;
  recall: number;
  fmean: number;
  fragPenalty: number;
  score: number;
}

/**
 * `computeMetrics` with the source's operation order (bit-exact up to Math.pow). Only the configured
 * modules' fields count: `weights` has one entry per module that ran.
 */
export function scoreParts(s: MeteorStats, weights: ModuleWeights = MODULE_WEIGHTS): MeteorScoreParts {
  const { alpha, beta, gamma, delta } = METEOR_PARAMETERS;
  const weighted = (contentField: 0 | 1, functionField: 2 | 3): number => {
    let total = 0;
    for (let k = 0; k < weights.length; k++) total += s[moduleField(k, contentField)]! * weights[k]! * delta;
    for (let k = 0; k < weights.length; k++) total += s[moduleField(k, functionField)]! * weights[k]! * (1 - delta);
    return total;
  };
  const tstWeightedLen = delta * (s[TST_LEN]! - s[TST_FUNC]!) + (1 - delta) * s[TST_FUNC]!;
  const refWeightedLen = delta * (s[REF_LEN]! - s[REF_FUNC]!) + (1 - delta) * s[REF_FUNC]!;
  const precision = weighted(0, 2) / tstWeightedLen;
  const recall = weighted(1, 3) / refWeightedLen;
  const fmean = 1 / ((1 - alpha) / precision + alpha / recall);
  const frag = isFullSingleChunkMatch(s) ? 0 : s[CHUNKS]! / ((s[TST_WORD_MATCHES]! + s[REF_WORD_MATCHES]!) / 2);
  const fragPenalty = gamma * Math.pow(frag, beta);
  const raw = fmean * (1 - fragPenalty);
  const score = Number.isNaN(raw) ? 0 : Math.max(raw, 0);
  return { precision, recall, fmean, fragPenalty, score };
}

export function scoreStats(s: MeteorStats, weights: ModuleWeights = MODULE_WEIGHTS): number {
  return scoreParts(s, weights).score;
}

/** Sum of segment stats as the aggregate uses it: full single-chunk segments add no chunks. */
export function sumStats(all: readonly MeteorStats[]): MeteorStats {
  const total = new Array<number>(STATS_LENGTH).fill(0);
  for (const s of all) {
    const skipChunks = isFullSingleChunkMatch(s);
    for (let f = 0; f < STATS_LENGTH; f++) if (!(f === CHUNKS && skipChunks)) total[f]! += s[f]!;
  }
  return total;
}

/** Java `Double.toString` for the small whole numbers of a stats line ("7.0"). */
export function formatStats(s: MeteorStats): string {
  return s.map((v) => (Number.isInteger(v) ? v.toFixed(1) : String(v))).join(' ');
}

export function parseStats(line: string): MeteorStats {
  const s = line.trim().split(/\s+/).map(Number);
  if (s.length !== STATS_LENGTH || s.some((v) => !Number.isFinite(v))) {
    throw new Error(`METEOR stats line: expected ${STATS_LENGTH} numbers, found ${JSON.stringify(line.slice(0, 80))}`);
  }
  return s;
}
