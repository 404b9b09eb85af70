/**
 * Python's `difflib.SequenceMatcher(None, a, b).ratio()` over strings, which VTimeLLM's evaluator uses
 * to merge near-duplicate adjacent captions (ratio > 0.98). Reproduced exactly: no junk function, the
 * "autojunk" heuristic for b of 200+ characters, and find_longest_match's tie-breaking (earliest in a,
 * then earliest in b), since the matched total depends on which block is taken first.
 */
function b2jOf(b: readonly string[]): Map<string, number[]> {
  const b2j = new Map<string, number[]>();
  for (let i = 0; i < b.length; i++) {
    const list = b2j.get(b[i]!);
    if (list) list.push(i);
    else b2j.set(b[i]!, [i]);
  }
  const n = b.length;
  if (n >= 200) {
    // autojunk: characters occurring more than 1% (+1) of the time are dropped from the index.
    const ntest = Math.floor(n / 100) + 1;
    for (const [ch, idxs] of [...b2j]) if (idxs.length > ntest) b2j.delete(ch);
  }
  return b2j;
}

function longestMatch(a: readonly string[], b2j: Map<string, number[]>, alo: number, ahi: number, blo: number, bhi: number): [number, number, number] {
  let besti = alo;
  let bestj = blo;
  let bestsize = 0;
  let j2len = new Map<number, number>();
  for (let i = alo; i < ahi; i++) {
    const next = new Map<number, number>();
    for (const j of b2j.get(a[i]!) ?? []) {
      if (j < blo) continue;
      if (j >= bhi) break;
      const k = (j2len.get(j - 1) ?? 0) + 1;
      next.set(j, k);
      if (k > bestsize) {
        besti = i - k + 1;
        bestj = j - k + 1;
        bestsize = k;
      }
    }
    j2len = next;
  }
  return [besti, bestj, bestsize];
}

/** difflib's extension passes: equal characters next to the block extend it (no junk is defined, so
 * only characters dropped by autojunk can be adjacent and equal). */
function extend(a: readonly string[], b: readonly string[], m: [number, number, number], alo: number, ahi: number, blo: number, bhi: number): [number, number, number] {
  let [i, j, k] = m;
  while (i > alo && j > blo && a[i - 1] === b[j - 1]) {
    i--;
    j--;
    k++;
  }
  while (i + k < ahi && j + k < bhi && a[i + k] === b[j + k]) k++;
  return [i, j, k];
}

/** Sum of the sizes of difflib's matching blocks. */
function matchedTotal(a: readonly string[], b: readonly string[]): number {
  const b2j = b2jOf(b);
  const queue: [number, number, number, number][] = [[0, a.length, 0, b.length]];
  let total = 0;
  while (queue.length > 0) {
    const [alo, ahi, blo, bhi] = queue.pop()!;
    const m = extend(a, b, longestMatch(a, b2j, alo, ahi, blo, bhi), alo, ahi, blo, bhi);
    const [i, j, k] = m;
    if (k === 0) continue;
    total += k;
    if (alo < i && blo < j) queue.push([alo, i, blo, j]);
    if (i + k < ahi && j + k < bhi) queue.push([i + k, ahi, j + k, bhi]);
  }
  return total;
}

/** `SequenceMatcher(None, a, b).ratio()`: 2·M / (len(a) + len(b)), 1.0 for two empty strings. */
export function sequenceRatio(a: string, b: string): number {
  // Python indexes code points, not UTF-16 units.
  const ca = Array.from(a);
  const cb = Array.from(b);
  const t = ca.length + cb.length;
  return t === 0 ? 1 : (2 * matchedTotal(ca, cb)) / t;
}
