/**
 * Helpers shared by the coco-caption scorers: Python's `str.split()` (split on any Unicode
 * whitespace, drop empties) and n-gram counting with n-grams keyed by their space-joined words.
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
