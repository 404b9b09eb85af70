/**
 * PRELIMINARY: Stanford PTB tokenizer port (CoreNLP 3.4.1, -preserveLines -lowerCase) followed by
 * coco-caption's punctuation filter. The API is final; the lexer is being completed.
 */
export interface PtbOptions {
  /** densevid/SODA preprocessing: every character >= U+0080 becomes a space first. */
  stripNonAscii?: boolean;
}

/** Tokens coco-caption's PTBTokenizer wrapper removes (exact match, after lowercasing by PTB). */
export const COCO_PUNCTUATIONS: ReadonlySet<string> = new Set([
  "''", "'", '``', '`', '-LRB-', '-RRB-', '-LCB-', '-RCB-', '.', '?', '!', ',', ':', '-', '--', '...', ';',
]);

/** Raw PTB tokens of one line (lower-cased), before the coco-caption filter. */
export function ptbTokens(line: string): string[] {
  return line
    .toLowerCase()
    .replace(/([(){}\[\],;:!?"])/g, ' $1 ')
    .split(/\s+/)
    .filter((t) => t !== '')
    .map((t) => ({ '(': '-lrb-', ')': '-rrb-', '{': '-lcb-', '}': '-rcb-', '[': '-lsb-', ']': '-rsb-' })[t] ?? t);
}

export function ptbTokenize(text: string, opts: PtbOptions = {}): string {
  let line = text.replace(/\n/g, ' ');
  if (opts.stripNonAscii) line = line.replace(/[^\x00-\x7f]/g, ' ');
  return ptbTokens(line)
    .filter((t) => !COCO_PUNCTUATIONS.has(t))
    .join(' ');
}

export function ptbTokenizeAll(texts: string[], opts: PtbOptions = {}): string[] {
  return texts.map((t) => ptbTokenize(t, opts));
}
