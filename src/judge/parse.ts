/**
 * Judge reply parsing (judge.md §5, §6). Default `strict`: the trimmed reply must be exactly one digit 1–5.
 * The original parsers are options; they are lenient in different ways and disagree on the same replies.
 */
export type ParseMode = 'strict' | 'first-char' | 'last-char' | 'int';
export const PARSE_MODES: ParseMode[] = ['strict', 'first-char', 'last-char', 'int'];

const DIGIT = /^[1-5]$/;

/** The score 1–5 a reply encodes under `mode`, or null when it is unparsable. */
export function parseJudgeReply(reply: string, mode: ParseMode = 'strict'): number | null {
  switch (mode) {
    case 'strict': {
      const t = reply.trim();
      return DIGIT.test(t) ? Number(t) : null;
    }
    // The originals fall back to 1 here; we report the reply as unparsable instead, so it is counted.
    case 'first-char':
      return DIGIT.test(reply.charAt(0)) ? Number(reply.charAt(0)) : null;
    case 'last-char':
      return DIGIT.test(reply.charAt(reply.length - 1)) ? Number(reply.charAt(reply.length - 1)) : null;
    case 'int': {
      // Python int(): surrounding whitespace, optional sign, digits (underscores between digits allowed).
      const t = reply.trim();
      if (!/^[+-]?\d+(_\d+)*$/.test(t)) return null;
      const v = Number(t.replace(/_/g, ''));
      return v >= 1 && v <= 5 ? v : null;
    }
  }
}
