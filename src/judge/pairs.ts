/**
 * The judged pairs of a MAGQA run: only the cells the in-span score reads (judge.md §2), deduplicated across
 * the whole run by content key, so identical (question, gold, prediction) texts are asked once.
 */
import { cellsNeeded, type InSpanExample } from '../metrics/inspan.js';
import { cacheKey, type JudgeIdentity, type PairText } from './cache.js';

export interface PairTask {
  key: string;
  pair: PairText;
}

export interface PairSet {
  tasks: PairTask[];
  /** Cells (example, gold text, pred text) before cross-example dedup. */
  cellsBeforeDedup: number;
  keyOf(ex: InSpanExample, gold: string, pred: string): string;
}

/** `perExample`: keep pairs of different examples apart (sampling judges must not reuse across examples). */
export function collectPairs(examples: InSpanExample[], id: JudgeIdentity, baselineAllMatch: boolean, perExample: boolean): PairSet {
  const keyOf = (ex: InSpanExample, gold: string, pred: string) =>
    cacheKey(id, { question: ex.question, gold, pred, ...(perExample ? { scope: ex.id } : {}) });
  const byKey = new Map<string, PairTask>();
  let cells = 0;
  for (const { ex, gold, pred } of cellsNeeded(examples, baselineAllMatch)) {
    cells++;
    const key = keyOf(ex, gold, pred);
    if (!byKey.has(key)) byKey.set(key, { key, pair: { question: ex.question, gold, pred, ...(perExample ? { scope: ex.id } : {}) } });
  }
  return { tasks: [...byKey.values()], cellsBeforeDedup: cells, keyOf };
}
