/**
 * METEOR's `-norm` for English (edu.cmu.meteor.util.Normalizer.normalizeLine, keepPunctuation), then the
 * scorer's lowercasing and whitespace tokenisation. Spec meteor.md §4. Every "replace all" is one global,
 * left-to-right, non-overlapping pass, never repeated until stable.
 */

const ALPHA = 'A-Za-z\\u0160\\u017D\\u0161\\u017E\\u0178\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u017E\\u0400-\\u04FF\\u0500-\\u0527\\uA640-\\uA66E\\uA67E-\\uA697\\u1D00-\\u1D7F';
const ALNUM = `0-9${ALPHA}`;
/** Java regex `\s`. */
const WS = ' \\t\\n\\x0B\\f\\r';

const re = (source: string): RegExp => new RegExp(source, 'gu');

const ISOLATE_SYMBOL = re(`([^${ALNUM}${WS}.'\`,\\-\\u2018\\u2019])`);
const DOT_RUN = /\.{2,}/g;
const DOT_RUN_MARK = '\uE000';
const DOT_RUN_MARKS = /\uE000+/g;
const COMMA_RULES: [RegExp, string][] = [
  [re('([^0-9]),([^0-9])'), '$1 , $2'],
  [re('([0-9]),([^0-9])'), '$1 , $2'],
  [re('([^0-9]),([0-9])'), '$1 , $2'],
];
const INNER_DASH = re(`([${ALNUM}.])-([${ALNUM}])`);
const APOSTROPHE_RULES: [RegExp, string][] = [
  [re(`([^${ALPHA}])'([^${ALPHA}])`), "$1 ' $2"],
  [re(`([^${ALPHA}0-9])'([${ALPHA}])`), "$1 ' $2"],
  [re(`([${ALPHA}])'([^${ALPHA}])`), "$1 ' $2"],
  [re(`([${ALPHA}])'([${ALPHA}])`), "$1 '$2"],
  [re("([0-9])'(s)"), "$1 's"],
];
const HAS_ALPHA = new RegExp(`[${ALPHA}]`, 'u');
const TOKEN_SEPARATOR = /[ \t\n\r\f]/;
const SPACE_RUN = /[ \u2000-\u200A\u202F\u205F\u3000\u00A0]+/g;

/** Moses' English non-breaking prefixes as METEOR ships them (spec §16). */
const ANY_PREFIXES = new Set(
  ('A B C D E F G H I J K L M N O P Q R S T U V W X Y Z Adj Adm Adv Asst Bart Bldg Brig Bros Capt Cmdr Col ' +
    'Comdr Con Corp Cpl DR Dr Drs Ens Gen Gov Hon Hr Hosp Insp Lt MM MR MRS MS Maj Messrs Mlle Mme Mr Mrs Ms ' +
    'Msgr Op Ord Pfc Ph Prof Pvt Rep Reps Res Rev Rt Sen Sens Sfc Sgt Sr St Supt Surg v vs i.e rev e.g Nos Nr').split(' '),
);
const NUMERIC_ONLY_PREFIXES = new Set(['No', 'Art', 'pp']);

/** Java `String.trim`: strips code units <= U+0020 at both ends. */
export function javaTrim(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && s.charCodeAt(start) <= 0x20) start++;
  while (end > start && s.charCodeAt(end - 1) <= 0x20) end--;
  return s.slice(start, end);
}

function replaceAll(s: string, rules: [RegExp, string][]): string {
  return rules.reduce((acc, [pattern, replacement]) => acc.replace(pattern, replacement), s);
}

/** Step 9: split a sentence-final dot from a token unless it is an abbreviation or a prefix. */
function separateSentenceDots(line: string): string {
  const tokens = line.split(/[ \t\n\r\f]/);
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (t.length <= 1 || !t.endsWith('.')) continue;
    const p = t.slice(0, -1);
    const next = tokens[k + 1] ?? '';
    if (p.includes('.') && HAS_ALPHA.test(p)) tokens[k] = t.replace(/\./g, '');
    else if (ANY_PREFIXES.has(p) || /^[a-z]/.test(next)) continue;
    else if (NUMERIC_ONLY_PREFIXES.has(p) && /^[0-9]/.test(next)) continue;
    else tokens[k] = `${p} .`;
  }
  return tokens.join(' ');
}

/** METEOR `-norm` (English) of one line, before lowercasing. */
export function normalizeLine(input: string): string {
  let s = ` ${input} `;
  s = s.replace(ISOLATE_SYMBOL, ' $1 ');
  // Runs of dots become one protected token; the marks are restored after the sentence-dot step.
  s = s.replace(DOT_RUN, (dots) => ` ${DOT_RUN_MARK.repeat(dots.length)} `);
  s = replaceAll(s, COMMA_RULES);
  s = s.replace(/[`\u2018\u2019]/g, "'").replace(/\u201C|\u201D|''/g, ' " ');
  s = s.replace(/\u2013/g, '-').replace(/--/g, '-');
  s = s.replace(INNER_DASH, '$1 $2');
  s = replaceAll(s, APOSTROPHE_RULES);
  s = separateSentenceDots(s);
  s = s.replace(DOT_RUN_MARKS, (marks) => '.'.repeat(marks.length));
  return javaTrim(s.replace(SPACE_RUN, ' '));
}

/** Lowercase and split into words as METEOR's scorer does after normalisation. */
export function tokenize(normalized: string): string[] {
  return normalized.toLowerCase().split(TOKEN_SEPARATOR).filter((w) => w.length > 0);
}

/** Letters, digits and spaces only: no normalisation rule applies, beyond collapsing spaces. */
const PLAIN_LINE = /^[A-Za-z0-9 ]*$/;

/** `-norm`, lowercase, tokenise. */
export function meteorWords(line: string): string[] {
  if (PLAIN_LINE.test(line)) return line.toLowerCase().split(' ').filter((w) => w.length > 0);
  return tokenize(normalizeLine(line));
}
