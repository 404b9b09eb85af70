/**
 * The stdio protocol the reference wrappers (coco-caption / pycocoevalcap / densevid_eval `Meteor`) speak
 * to METEOR, and how METEOR parses it (spec meteor.md §3). The native scorer goes through the same line so
 * that `|||` inside captions behaves as it does with the jar.
 */
import { javaTrim } from './normalize.js';

/** The wrapper's `_stat`: strip `|||` from the hypothesis, collapse double spaces once, join with refs. */
export function wrapperScoreLine(candidate: string, references: readonly string[]): string {
  const hypothesis = candidate.replaceAll('|||', '').replaceAll('  ', ' ');
  return ['SCORE', references.join(' ||| '), hypothesis].join(' ||| ');
}

/** Java `line.split("\\|\\|\\|")` (trailing empty pieces dropped), each piece trimmed. */
function splitFields(line: string): string[] {
  const pieces = line.split('|||');
  while (pieces.length > 0 && pieces[pieces.length - 1] === '') pieces.pop();
  return pieces.map(javaTrim);
}

/** METEOR's reading of a `SCORE ||| ref_1 ||| … ||| ref_k ||| hyp` line. */
export function parseScoreLine(line: string): { references: string[]; hypothesis: string } {
  const fields = splitFields(line);
  return { references: fields.slice(1, -1), hypothesis: fields[fields.length - 1] ?? '' };
}

/** Line breaks would split a protocol line; -norm treats them as spaces anyway, so this is exact. */
export function singleLine(text: string): string {
  return text.replace(/[\r\n]/g, ' ');
}
