/**
 * A TypeScript port of the Stanford PTB tokenizer as coco-caption runs it
 * (CoreNLP 3.4.1 `PTBTokenizer -preserveLines -lowerCase`, default options), followed by
 * coco-caption's punctuation filter. Validated against the Java tokenizer's output on the
 * golden `tok` probes (test/golden-tok.test.ts).
 *
 * The lexer mirrors JFlex semantics: at each position every rule is tried, the longest match
 * wins (a rule's trailing context `r1/r2` counts towards its length, as in JFlex), ties go to
 * the rule listed first, and a character no rule matches is deleted ("untokenizable",
 * PTBLexer's default firstDelete), which is what happens to emoji.
 */

export interface PtbOptions {
  /** densevid/SODA preprocessing: every character >= U+0080 becomes one space first. */
  stripNonAscii?: boolean;
}

/** Tokens coco-caption's wrapper removes (exact, case-sensitive match after PTB lower-casing). */
export const COCO_PUNCTUATIONS: ReadonlySet<string> = new Set([
  "''", "'", '``', '`', '-LRB-', '-RRB-', '-LCB-', '-RCB-', '.', '?', '!', ',', ':', '-', '--', '...', ';',
]);

/**
 * %caseless for a flex-style pattern: letters outside character classes match either case;
 * classes and escapes are left alone (JFlex's %caseless does not extend into classes either).
 */
function ci(pattern: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      const next = pattern[i + 1] ?? '';
      if (next === 'u') {
        out += pattern.slice(i, i + 6);
        i += 5;
      } else if (next === 'p' || next === 'P') {
        const end = pattern.indexOf('}', i);
        out += pattern.slice(i, end + 1);
        i = end;
      } else {
        out += c + next;
        i++;
      }
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === ']') inClass = false;
    if (!inClass && /[A-Za-z]/.test(c)) out += `[${c.toLowerCase()}${c.toUpperCase()}]`;
    else out += c;
  }
  return out;
}

// ---- Macros (PTBLexer.flex) ----
// Java's [:letter:] plus the flex file's explicit extra ranges (combining marks etc.), BMP only:
// JFlex worked on UTF-16 units, so a supplementary character (emoji, math letters) is untokenizable.
const LETTER =
  '(?![\\u{10000}-\\u{10FFFF}])[\\p{L}\\u00AD\\u0237-\\u024F\\u02C2-\\u02C5\\u02D2-\\u02DF\\u02E5-\\u02FF\\u0300-\\u036F\\u0370-\\u037D\\u0384\\u0385\\u03CF\\u03F6\\u03FC-\\u03FF\\u0483-\\u0487\\u04CF\\u04F6-\\u04FF\\u0510-\\u0525\\u055A-\\u055F\\u0591-\\u05BD\\u05BF\\u05C1\\u05C2\\u05C4\\u05C5\\u05C7\\u0615-\\u061A\\u063B-\\u063F\\u064B-\\u065E\\u0670\\u06D6-\\u06EF\\u06FA-\\u06FF\\u070F\\u0711\\u0730-\\u074F\\u0750-\\u077F\\u07A6-\\u07B1\\u07CA-\\u07F5\\u07FA\\u0900-\\u0903\\u093C\\u093E-\\u094E\\u0951-\\u0955\\u0962-\\u0963\\u0981-\\u0983\\u09BC-\\u09C4\\u09C7\\u09C8\\u09CB-\\u09CD\\u09D7\\u09E2\\u09E3\\u0A01-\\u0A03\\u0A3C\\u0A3E-\\u0A4F\\u0A81-\\u0A83\\u0ABC-\\u0ACF\\u0B82\\u0BBE-\\u0BC2\\u0BC6-\\u0BC8\\u0BCA-\\u0BCD\\u0C01-\\u0C03\\u0C3E-\\u0C56\\u0D3E-\\u0D44\\u0D46-\\u0D48\\u0E30-\\u0E3A\\u0E47-\\u0E4E\\u0EB1-\\u0EBC\\u0EC8-\\u0ECD]';
const DIGIT = '(?![\\u{10000}-\\u{10FFFF}])\\p{Nd}';
const SPACE = '[ \\t\\u00A0\\u2000-\\u200A\\u3000]';
const SPACES = `${SPACE}+`;
const NEWLINE = '(?:\\r\\n|[\\r\\n\\u2028\\u2029\\u000B\\u000C\\u0085])';
const SPACENL = `(?:${SPACE}|${NEWLINE})`;
const APOS = "(?:['\\u0092\\u2019]|&apos;)";
const APOSETC = `(?:${APOS}|[\\u0091\\u2018\\u201B])`;
const WORD = `${LETTER}(?:${LETTER}|${DIGIT})*(?:[.!?]${LETTER}(?:${LETTER}|${DIGIT})*)*`;
const REDAUX = `${APOS}(?:[msdMSD]|${ci('re|ve|ll')})`;
const SWORD = '[A-Za-z\\u00AD]*[A-MO-Za-mo-z]\\u00AD*';
const SREDAUX = `[nN]${APOSETC}[tT]`;
const NUM = `${DIGIT}*(?:[.:,\\u00AD\\u066B\\u066C]${DIGIT}+)+|${DIGIT}+`;
const NUMBER = `[-+]?(?:${NUM})`;
const ALNUM = `(?:${LETTER}|${DIGIT})`;
const HYPHEN = '[-_\\u058A\\u2010\\u2011]';
const THING_PART = `(?:[dDoOlL]${APOSETC}${ALNUM})?${ALNUM}+`;
const THING = `${THING_PART}(?:${HYPHEN}${THING_PART})*`;
const ACRO = `[A-Za-z](?:\\.[A-Za-z])+|${ci('(?:Canada|Sino|Korean|EU|Japan|non)-U\\.S|U\\.S\\.-(?:U\\.K|U\\.S\\.S\\.R)')}`;
const HTHING = `[A-Za-z0-9][A-Za-z0-9.,\\u00AD]*(?:-(?:[A-Za-z0-9\\u00AD]+|(?:${ACRO})\\.))+`;
const THINGA = '[A-Z]+(?:(?:[+&]|&amp;)[A-Z]+)+';
const THING3 = '[A-Za-z0-9]+(?:-[A-Za-z]+){0,2}(?:\\\\?\\/[A-Za-z0-9]+(?:-[A-Za-z]+){0,2}){1,2}';
const INSENTP = '[,;:\\u3001]';
// Abbreviations (case-insensitive except the bracketed first letters, as in the flex file).
const ABMONTH = 'Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec';
const ABDAYS = 'Mon|Tue|Tues|Wed|Thu|Thurs|Fri';
const ABSTATE =
  'Ala|Ariz|[A]rk|Calif|Colo|Conn|Dak|Del|Fla|Ga|[I]ll|Ind|Kans?|Ky|La|[M]ass|Md|Mich|Minn|[M]iss|Mo|Mont|Neb|Nev|Okla|[O]re|Pa|Penn|Tenn|Tex|Va|Vt|[W]ash|Wisc?|Wyo';
const ABCOMP = 'Inc|Cos?|Corp|Pp?tys?|Ltd|Plc|Bancorp|Dept|Bhd|Assn|Univ|Intl|Sys';
const ABNUM = 'Nos?|Prop|Ph|tel|est|ext|sq|ft';
const ABPTIT = 'Jr|Sr|Bros|(?:Ed|Ph)\\.D|Blvd|Rd|Esq';
const ABBREV1 = `${ci(`(?:${ABMONTH}|${ABDAYS}|${ABSTATE}|${ABCOMP}|${ABNUM}|${ABPTIT}|etc|al|seq)`)}\\.`;
const ABTITLE =
  'Mr|Mrs|Ms|[M]iss|Drs?|Profs?|Sens?|Reps?|Attys?|Lt|Col|Gen|Messrs|Govs?|Adm|Rev|Maj|Sgt|Cpl|Pvt|Mt|Capt|Ste?|Ave|Pres|Lieut|Hon|Brig|Co?mdr|Pfc|Spc|Supts?|Det';
const ABBREV4 = `${ci(`(?:${ABTITLE}|vs|Alex|Wm|Jos|Cie|a\\.k\\.a|cf|TREAS|Invt|Elec|Natl|M[ft]g)`)}|${ACRO}|[A-Za-z]`;
const ACRONYM_FOLLOWERS =
  '[A]bout|[A]ccording|[A]dditionally|[A]fter|[A]n|[A]|[A]s|[A]t|[B]ut|[E]arlier|[H]e|[H]er|[H]ere|[H]owever|[I]f|[I]n|[I]t|[L]ast|[M]any|[M]ore|[M]r\\.|[M]s\\.|[N]ow|[O]nce|[O]ne|[O]ther|[O]ur|[S]he|[S]ince|[S]o|[S]ome|[S]uch|[T]hat|[T]he|[T]hen|[T]here|[T]hese|[T]hey|[T]his|[W]e|[W]hen|[W]hile|[W]hat|[Y]et|[Y]ou';
const SENTEND = `${SPACENL}(?:${SPACENL}|[A-Z]|<\\/?[A-Za-z!?][^>\\r\\n]*>|$)`;
const DBLQUOT = '(?:"|&quot;)';
const QUOTES = `''|[\`\\u2018\\u2019\\u201A\\u201B\\u201C\\u201D\\u0091\\u0092\\u0093\\u0094\\u201E\\u201F\\u2039\\u203A\\u00AB\\u00BB]{1,2}`;
const MISCSYMBOL =
  '[+%&~\\^|\\\\\\u00A6\\u00A7\\u00A8\\u00A9\\u00AC\\u00AE\\u00AF\\u00B0-\\u00BA\\u00D7\\u00F7\\u0387\\u05BE\\u05C0\\u05C3\\u05C6\\u05F3\\u05F4\\u0600-\\u0603\\u0606-\\u060A\\u060C\\u0614\\u061B\\u061E\\u066A\\u066D\\u0703-\\u070D\\u07F6\\u07F7\\u07F8\\u0964\\u0965\\u0E4F\\u1FBD\\u2016\\u2017\\u2020-\\u2023\\u2030-\\u2038\\u203B\\u203E-\\u2042\\u2044\\u207A-\\u207F\\u208A-\\u208E\\u2100-\\u214F\\u2190-\\u21FF\\u2200-\\u2BFF\\u3012\\u30FB\\uFF01-\\uFF0F\\uFF1A-\\uFF20\\uFF3B-\\uFF40\\uFF5B-\\uFF65]';
const APOWORD_ALTERNATIVES = [
  `${APOS}[nN]${APOS}?`,
  `[lLdDjJ]${APOS}`,
  `${ci('Dunkin')}${APOS}`,
  `${ci('somethin')}${APOS}`,
  `${ci('ol')}${APOS}`,
  `${APOS}${ci('em')}`,
  `[A-HJ-XZn]${APOSETC}${LETTER}{2,}`,
  `${APOS}[2-9]0[sS]`,
  `${APOS}${ci('till?')}`,
  `${LETTER}+[aeiouyAEIOUY]${APOSETC}[aeiouA-Z]${LETTER}*`,
  `${APOS}${ci('cause')}`,
  `${ci("cont'd")}\\.?`,
  ci("nor'easter|c'mon|e'er|s'mores|ev'ry|li'l|nat'l"),
];

// ---- Token normalisations (PTBLexer's actions with the default options) ----
const OPEN_PAREN = '-LRB-';
const CLOSE_PAREN = '-RRB-';

function removeSoftHyphens(s: string): string {
  const r = s.replace(/\u00AD/g, '');
  return r === '' ? '-' : r;
}

/** latexQuotes: straight quotes by the left/right guess, curly ones by their direction. */
function latexQuotes(s: string, probablyLeft: boolean): string {
  let r = probablyLeft ? s.replace(/&apos;|'/g, '`').replace(/"|&quot;/g, '``') : s.replace(/&apos;|'/g, "'").replace(/"|&quot;/g, "''");
  r = r.replace(/[\u0091\u2018\u201B\u2039]/g, '`').replace(/[\u0092\u2019\u203A]/g, "'");
  return r.replace(/[\u0093\u201C\u00AB]/g, '``').replace(/[\u0094\u201D\u00BB]/g, "''");
}

function normalizeCurrency(s: string): string {
  return s.replace(/\u00A2/g, 'cents').replace(/\u00A3/g, '#').replace(/[\u0080\u00A4\u20A0\u20AC]/g, '$');
}

const FRACTIONS: Record<string, string> = {
  '\u00BC': '1/4', '\u00BD': '1/2', '\u00BE': '3/4', '\u2153': '1/3', '\u2154': '2/3',
};

// ---- Rules ----
/** What a rule emits for its matched text (`null`: skip, as for whitespace). */
type Action = (text: string) => string[] | null;

interface Rule {
  re: RegExp;
  /** Characters consumed; defaults to the whole match without trailing context. */
  consume?: (text: string) => number;
  action: Action;
}

const same: Action = (t) => [t];
const skip: Action = () => null;
const nbsp: Action = (t) => [t.replace(/ /g, '\u00A0')];

function rule(main: string, action: Action = same, trailing?: string, consume?: (text: string) => number): Rule {
  const src = trailing === undefined ? `(?<m>${main})` : `(?<m>${main})(?=(?<t>${trailing}))`;
  return { re: new RegExp(src, 'uy'), action, consume };
}

/** Keeps the word and "pushes back" its last `n` characters for the next token (JFlex yypushback). */
const pushback = (n: number) => (t: string) => t.length - n;

/** Acronym or sentence-final abbreviation: the token keeps its period and a "." token follows. */
const withExtraPeriod: Action = (t) => [t, '.'];

const RULES: Rule[] = [
  rule(ci('cannot'), (t) => [t.slice(0, 3)], undefined, pushback(3)),
  rule(`${APOS}${ci('tis')}|${ci('gonna|gotta|lemme|gimme|wanna')}`, (t) => [t.slice(0, t.length - 2)], undefined, pushback(2)),
  rule('<\\/?[A-Za-z!?][^>\\r\\n]*>', nbsp),
  rule(`${ci('&(?:MD|mdash|ndash);')}|[\\u0096\\u0097\\u2013\\u2014\\u2015]`, () => ['--']),
  rule(ci('&amp;'), () => ['&']),
  rule(ci('&(?:HT|TL|UR|LR|QC|QL|QR|odq|cdq|#[0-9]+);')),
  rule(WORD, (t) => [removeSoftHyphens(t)], REDAUX),
  rule(SWORD, (t) => [removeSoftHyphens(t)], SREDAUX),
  rule(WORD, (t) => [removeSoftHyphens(t)]),
  ...APOWORD_ALTERNATIVES.map((p) => rule(p)),
  rule(`[yY]${APOS}`, same, LETTER),
  rule('https?:\\/\\/[^ \\t\\n\\f\\r"<>|()]+[^ \\t\\n\\f\\r"<>|.!?(){},-]'),
  rule(
    "(?:(?:www\\.(?:[^ \\t\\n\\f\\r\"<>|.!?(){},]+\\.)+[a-zA-Z]{2,4})|(?:(?:[^ \\t\\n\\f\\r\"`'<>|.!?(){},\\-_$]+\\.)+(?:com|net|org|edu)))(?:\\/[^ \\t\\n\\f\\r\"<>|()]+[^ \\t\\n\\f\\r\"<>|.!?(){},-])?",
  ),
  rule('[a-zA-Z0-9][^ \\t\\n\\f\\r"<>|()\\u00A0]*@(?:[^ \\t\\n\\f\\r"<>|().\\u00A0]+\\.)*(?:[^ \\t\\n\\f\\r"<>|().\\u00A0]+)'),
  rule(`@[a-zA-Z_][a-zA-Z_0-9]*|#(?:${LETTER})+`),
  rule(REDAUX, (t) => [latexQuotes(t, false)], '[^A-Za-z]'),
  rule(SREDAUX, (t) => [latexQuotes(t, false)]),
  rule(`${DIGIT}{1,2}[-\\/]${DIGIT}{1,2}[-\\/]${DIGIT}{2,4}`),
  rule(NUMBER, (t) => [removeSoftHyphens(t)]),
  rule('[\\u207A\\u207B\\u208A\\u208B]?(?:[\\u2070\\u00B9\\u00B2\\u00B3\\u2074-\\u2079]+|[\\u2080-\\u2089]+)'),
  // FRAC: "2 1/2" is one token, its space becoming U+00A0 (normalizeSpace).
  rule(`(?:${DIGIT}{1,4}[- \\u00A0])?${DIGIT}{1,4}(?:\\\\?\\/|\\u2044)${DIGIT}{1,4}`, nbsp),
  rule('[\\u00BC\\u00BD\\u00BE\\u2153-\\u215E]', (t) => [FRACTIONS[t] ?? t]),
  rule(ci(`-(?:RRB|LRB|RCB|LCB|RSB|LSB)-|C\\.D\\.s|pro-|anti-|S(?:&|&amp;)P-500|S(?:&|&amp;)Ls|Cap${APOS}n|c${APOS}est`), (t) => [t.replace(/&amp;/gi, '&')]),
  rule(THING3),
  rule('[A-Z]*\\$|#'),
  rule('[\\u00A2\\u00A3\\u00A4\\u00A5\\u0080\\u20A0\\u20AC\\u060B\\u0E3F\\u20A4\\uFFE0\\uFFE1\\uFFE5\\uFFE6]', (t) => [normalizeCurrency(t)]),
  rule(`(?:${ACRO})\\.`, withExtraPeriod, `${SPACES}(?:${ci(ACRONYM_FOLLOWERS)})${SPACE}`),
  rule(ABBREV1, withExtraPeriod, SENTEND),
  rule(ABBREV1),
  rule(`(?:${ABBREV4})\\.`),
  rule(ABBREV4, same, SPACE),
  rule(ACRO, same, SPACENL),
  rule(`${APOS}[0-9][0-9]`, same, SPACENL),
  rule(`${WORD}\\.`, (t) => [removeSoftHyphens(t)], INSENTP),
  rule(
    '(?:\\([0-9]{2,3}\\)[ \\u00A0]?|(?:\\+\\+?)?(?:[0-9]{2,4}[- \\u00A0])?[0-9]{2,4}[- \\u00A0])[0-9]{3,4}[- \\u00A0]?[0-9]{3,5}|(?:(?:\\+\\+?)?[0-9]{2,4}\\.)?[0-9]{2,4}\\.[0-9]{3,4}\\.[0-9]{3,5}',
    (t) => [t.replace(/ /g, '\u00A0').replace(/\(/g, OPEN_PAREN).replace(/\)/g, CLOSE_PAREN)],
  ),
  rule(DBLQUOT, (t) => [latexQuotes(t, true)], '[A-Za-z0-9$]'),
  rule(DBLQUOT, (t) => [latexQuotes(t, false)]),
  rule('\\x7F', skip),
  rule('<<|>>'),
  rule('<|&lt;', () => ['<']),
  rule('>|&gt;', () => ['>']),
  rule('\\{', () => ['-LCB-']),
  rule('\\}', () => ['-RCB-']),
  rule('\\[', () => ['-LSB-']),
  rule('\\]', () => ['-RSB-']),
  rule('\\(', () => [OPEN_PAREN]),
  rule('\\)', () => [CLOSE_PAREN]),
  // ptb3Dashes: runs of 3 or 4 hyphens become "--"; other runs stay as they are.
  rule('-+', (t) => [t.length >= 3 && t.length <= 4 ? '--' : t]),
  rule('\\.{3,5}|(?:\\.[ \\u00A0]){2,4}\\.|[\\u0085\\u2026]', () => ['...']),
  rule('@+|#+|_+'),
  rule('\\*+|(?:\\\\\\*){1,3}'),
  rule(INSENTP),
  rule('[?!]+'),
  rule('[.\\u00A1\\u00BF\\u037E\\u0589\\u061F\\u06D4\\u0700-\\u0702\\u07FA\\u3002]'),
  rule('='),
  rule('\\/'),
  rule(`${HTHING}\\.`, (t) => [removeSoftHyphens(t)], INSENTP),
  rule(HTHING, (t) => [removeSoftHyphens(t)]),
  rule(`(?:${THING})\\.`, same, INSENTP),
  rule(THING),
  rule(`${THINGA}\\.`, (t) => [t.replace(/&amp;/gi, '&')], INSENTP),
  rule(THINGA, (t) => [t.replace(/&amp;/gi, '&')]),
  // A straight quote before a word is probably an opening quote.
  rule("'", (t) => [latexQuotes(t, true)], '[A-Za-z][^ \\t\\n\\r\\u00A0]'),
  rule(REDAUX, (t) => [latexQuotes(t, false)]),
  // QUOTES = APOS | '' | 1-2 quote characters; alternatives as separate rules so the longest wins.
  rule(APOS, (t) => [latexQuotes(t, false)]),
  rule(QUOTES, (t) => [latexQuotes(t, false)]),
  rule(MISCSYMBOL),
  rule(`\\0|${SPACES}|[\\u200B\\u200E\\u200F\\uFEFF]`, skip),
  rule(NEWLINE, skip),
  rule(ci('&nbsp;'), skip),
];

const CODE_SPACE = 0x20;
const CODE_COMMA = 0x2c;
const CODE_PERIOD = 0x2e;

function isAsciiLetter(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
}

/** The SPACE macro's characters: a space run is skipped whole (stopping early would let e.g. URL rules start at a U+00A0). */
function isPtbSpace(c: number): boolean {
  return c === CODE_SPACE || c === 0x09 || c === 0xa0 || (c >= 0x2000 && c <= 0x200a) || c === 0x3000;
}

/** Words for which a rule listed before WORD (cannot, gonna, …) wins the tie at the same length. */
const TIED_BEFORE_WORD = /^(?:cannot|gonna|gotta|lemme|gimme|wanna)$/i;

/**
 * Fast paths, same result as trying every rule (checked against the rules on the golden probes,
 * the real captions and random strings). Returns the end of the token at `pos` — its text is
 * `line.slice(pos, end)`, or nothing for spaces — or -1: use the rules.
 *  - A space and the SPACE characters after it are skipped (SPACES; no other rule starts with a space).
 *  - An ASCII-letter run followed by a space, the end of the line, or a comma that is itself
 *    followed by a space or the end, is one token, its own text. WORD matches exactly the run;
 *    the rules that could match more need something else inside or right after it (a dot, an
 *    apostrophe, a hyphen, a slash, @, &, $, a digit), except ABBREV4 with its trailing SPACE,
 *    which wins by one character but emits the same text and consumes the same run. Rules listed
 *    before WORD tie only on the contractions of TIED_BEFORE_WORD.
 *  - A comma or period followed by the end, a letter or a space (a period: a space not followed
 *    by another period) is a one-character token: NUMBER needs a digit after it, the ellipsis
 *    rules more periods, and no other rule starts with either.
 */
function fastTokenEnd(line: string, pos: number): number {
  const c = line.charCodeAt(pos);
  const at = (i: number) => (i < line.length ? line.charCodeAt(i) : -1);
  if (c === CODE_SPACE) {
    let end = pos + 1;
    while (isPtbSpace(at(end))) end++;
    return end;
  }
  if (c === CODE_COMMA || c === CODE_PERIOD) {
    const next = at(pos + 1);
    const ok = next === -1 || isAsciiLetter(next) || (next === CODE_SPACE && (c === CODE_COMMA || at(pos + 2) !== CODE_PERIOD));
    return ok ? pos + 1 : -1;
  }
  if (!isAsciiLetter(c)) return -1;
  let end = pos + 1;
  while (isAsciiLetter(at(end))) end++;
  const next = at(end);
  if (next === CODE_COMMA) {
    const after = at(end + 1);
    if (after !== -1 && after !== CODE_SPACE) return -1;
  } else if (next !== -1 && next !== CODE_SPACE) return -1;
  if ((end - pos === 5 || end - pos === 6) && TIED_BEFORE_WORD.test(line.slice(pos, end))) return -1;
  return end;
}

/** Raw PTB tokens of one line, before lower-casing and before the coco-caption filter. */
export function ptbLexTokens(line: string): string[] {
  const tokens: string[] = [];
  let pos = 0;
  while (pos < line.length) {
    const fastEnd = fastTokenEnd(line, pos);
    if (fastEnd >= 0) {
      if (line.charCodeAt(pos) !== CODE_SPACE) tokens.push(line.slice(pos, fastEnd));
      pos = fastEnd;
      continue;
    }
    let best: { rule: Rule; text: string; total: number } | undefined;
    for (const r of RULES) {
      r.re.lastIndex = pos;
      const m = r.re.exec(line);
      if (!m) continue;
      const text = m.groups!.m!;
      const total = text.length + (m.groups!.t?.length ?? 0);
      if (total > 0 && (!best || total > best.total)) best = { rule: r, text, total };
    }
    if (!best) {
      // Untokenizable character (e.g. emoji): deleted, one code point at a time.
      pos += line.codePointAt(pos)! > 0xffff ? 2 : 1;
      continue;
    }
    const consumed = best.rule.consume ? best.rule.consume(best.text) : best.text.length;
    const emitted = best.rule.action(best.text);
    if (emitted) tokens.push(...emitted);
    pos += consumed;
  }
  return tokens;
}

/** PTB tokens of one caption as `-lowerCase` prints them (Java toLowerCase(Locale.ENGLISH)). */
export function ptbTokens(text: string, opts: PtbOptions = {}): string[] {
  return ptbLexTokens(preprocess(text, opts)).map((t) => t.toLowerCase());
}

function preprocess(text: string, opts: PtbOptions): string {
  // coco-caption replaces newlines by spaces before writing one caption per line.
  let line = text.replace(/\n/g, ' ');
  // densevid/SODA: `''.join(c if ord(c) < 128 else ' ')` — per code point.
  if (opts.stripNonAscii) line = line.replace(/[^\x00-\x7f]/gu, ' ');
  return line;
}

/** One caption as coco-caption's PTBTokenizer wrapper returns it: PTB tokens minus PUNCTUATIONS, space-joined. */
export function ptbTokenize(text: string, opts: PtbOptions = {}): string {
  return ptbTokens(text, opts)
    .filter((t) => !COCO_PUNCTUATIONS.has(t))
    .join(' ');
}

export function ptbTokenizeAll(texts: string[], opts: PtbOptions = {}): string[] {
  return texts.map((t) => ptbTokenize(t, opts));
}
