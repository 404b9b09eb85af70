/**
 * The Snowball English (Porter2) stemmer, ported from the Snowball algorithm that METEOR 1.5 ships as
 * org.tartarus.snowball.ext.englishStemmer (spec meteor.md §2: the version with the gener/commun/arsen
 * R1 prefixes, the Step 1a us/ss rules and the exception lists below). Strings are indexed in UTF-16
 * code units, as the Java stemmer does.
 */

const EXCEPTIONS1: ReadonlyMap<string, string> = new Map([
  ['skis', 'ski'], ['skies', 'sky'], ['dying', 'die'], ['lying', 'lie'], ['tying', 'tie'],
  ['idly', 'idl'], ['gently', 'gentl'], ['ugly', 'ugli'], ['early', 'earli'], ['only', 'onli'],
  ['singly', 'singl'],
  ['sky', 'sky'], ['news', 'news'], ['howe', 'howe'], ['atlas', 'atlas'], ['cosmos', 'cosmos'],
  ['bias', 'bias'], ['andes', 'andes'],
]);

/** Words left alone after Step 1a. */
const EXCEPTIONS2 = new Set(['inning', 'outing', 'canning', 'herring', 'earring', 'proceed', 'exceed', 'succeed']);

const isVowel = (c: string | undefined): boolean => c === 'a' || c === 'e' || c === 'i' || c === 'o' || c === 'u' || c === 'y';
const DOUBLES = new Set(['bb', 'dd', 'ff', 'gg', 'mm', 'nn', 'pp', 'rr', 'tt']);
const VALID_LI = new Set(['c', 'd', 'e', 'g', 'h', 'k', 'm', 'n', 'r', 't']);

/** Position just after the first non-vowel that follows a vowel, searching from `from`; -1 if none. */
function afterVowelNonVowel(w: string, from: number): number {
  let i = from;
  while (i < w.length && !isVowel(w[i])) i++;
  while (i < w.length && isVowel(w[i])) i++;
  return i < w.length ? i + 1 : -1;
}

/** Snowball `shortv` ending at position `end` (exclusive). */
function endsInShortSyllable(w: string, end: number): boolean {
  const c = w[end - 1];
  const v = w[end - 2];
  if (end < 2 || isVowel(c) || !isVowel(v)) return false;
  if (end === 2) return true; // non-v v atlimit: a vowel at the start followed by a non-vowel
  const b = w[end - 3];
  return !isVowel(b) && c !== 'w' && c !== 'x' && c !== 'Y';
}

/** Longest suffix of `w` from `suffixes` (sorted longest first), or undefined. */
function longestSuffix(w: string, suffixes: readonly string[]): string | undefined {
  return suffixes.find((s) => w.endsWith(s));
}

const byLengthDesc = (xs: string[]): string[] => [...xs].sort((a, b) => b.length - a.length);

const STEP1B = byLengthDesc(['eed', 'eedly', 'ed', 'edly', 'ing', 'ingly']);
const STEP2: ReadonlyMap<string, string> = new Map([
  ['tional', 'tion'], ['enci', 'ence'], ['anci', 'ance'], ['abli', 'able'], ['entli', 'ent'],
  ['izer', 'ize'], ['ization', 'ize'], ['ational', 'ate'], ['ation', 'ate'], ['ator', 'ate'],
  ['alism', 'al'], ['aliti', 'al'], ['alli', 'al'], ['fulness', 'ful'], ['ousli', 'ous'],
  ['ousness', 'ous'], ['iveness', 'ive'], ['iviti', 'ive'], ['biliti', 'ble'], ['bli', 'ble'],
  ['ogi', 'og'], ['fulli', 'ful'], ['lessli', 'less'], ['li', ''],
]);
const STEP2_KEYS = byLengthDesc([...STEP2.keys()]);
const STEP3: ReadonlyMap<string, string> = new Map([
  ['tional', 'tion'], ['ational', 'ate'], ['alize', 'al'], ['icate', 'ic'], ['iciti', 'ic'],
  ['ical', 'ic'], ['ful', ''], ['ness', ''], ['ative', ''],
]);
const STEP3_KEYS = byLengthDesc([...STEP3.keys()]);
const STEP4_KEYS = byLengthDesc([
  'al', 'ance', 'ence', 'er', 'ic', 'able', 'ible', 'ant', 'ement', 'ment', 'ent', 'ism', 'ate',
  'iti', 'ous', 'ive', 'ize', 'ion',
]);

export function snowballEnglishStem(input: string): string {
  const exception = EXCEPTIONS1.get(input);
  if (exception !== undefined) return exception;
  if (input.length < 3) return input;

  // Prelude: drop a leading apostrophe; mark consonant y (initial, or after a vowel) as Y.
  let w = input.startsWith("'") ? input.slice(1) : input;
  const chars = w.split('');
  for (let i = 0; i < chars.length; i++) {
    if (chars[i] === 'y' && (i === 0 || isVowel(chars[i - 1]))) chars[i] = 'Y';
  }
  w = chars.join('');

  // Regions.
  let p1 = w.length;
  let p2 = w.length;
  const prefix = ['gener', 'commun', 'arsen'].find((p) => w.startsWith(p));
  const r1 = prefix !== undefined ? prefix.length : afterVowelNonVowel(w, 0);
  if (r1 >= 0) {
    p1 = r1;
    const r2 = afterVowelNonVowel(w, r1);
    if (r2 >= 0) p2 = r2;
  }

  // Step 1a.
  const apostrophe = longestSuffix(w, ["'s'", "'s", "'"]);
  if (apostrophe) w = w.slice(0, -apostrophe.length);
  const s1a = longestSuffix(w, ['sses', 'ied', 'ies', 'us', 'ss', 's']);
  if (s1a === 'sses') w = w.slice(0, -2);
  else if (s1a === 'ied' || s1a === 'ies') w = w.slice(0, -3) + (w.length - 3 >= 2 ? 'i' : 'ie');
  else if (s1a === 's') {
    // Delete when a vowel occurs before the letter that precedes the s.
    const before = w.slice(0, -2);
    if ([...before].some((c) => isVowel(c))) w = w.slice(0, -1);
  }

  if (!EXCEPTIONS2.has(w)) {
    w = step1b(w, p1);
    // Step 1c.
    const last = w[w.length - 1];
    if ((last === 'y' || last === 'Y') && w.length > 2 && !isVowel(w[w.length - 2])) w = w.slice(0, -1) + 'i';
    w = replaceInRegion(w, STEP2_KEYS, p1, (suffix, stem) => {
      if (suffix === 'ogi') return stem.endsWith('l') ? stem + 'og' : undefined;
      if (suffix === 'li') return VALID_LI.has(stem[stem.length - 1] ?? '') ? stem : undefined;
      return stem + STEP2.get(suffix)!;
    });
    w = replaceInRegion(w, STEP3_KEYS, p1, (suffix, stem) => {
      if (suffix === 'ative') return stem.length >= p2 ? stem : undefined;
      return stem + STEP3.get(suffix)!;
    });
    w = replaceInRegion(w, STEP4_KEYS, p2, (suffix, stem) => {
      if (suffix === 'ion') return stem.endsWith('s') || stem.endsWith('t') ? stem : undefined;
      return stem;
    });
    // Step 5.
    const stem = w.slice(0, -1);
    if (w.endsWith('e') && (stem.length >= p2 || (stem.length >= p1 && !endsInShortSyllable(w, stem.length)))) w = stem;
    else if (w.endsWith('l') && stem.length >= p2 && stem.endsWith('l')) w = stem;
  }
  return w.replace(/Y/g, 'y');
}

function step1b(w: string, p1: number): string {
  const suffix = longestSuffix(w, STEP1B);
  if (suffix === undefined) return w;
  const stem = w.slice(0, -suffix.length);
  if (suffix === 'eed' || suffix === 'eedly') return stem.length >= p1 ? stem + 'ee' : w;
  if (![...stem].some((c) => isVowel(c))) return w;
  if (stem.endsWith('at') || stem.endsWith('bl') || stem.endsWith('iz')) return stem + 'e';
  if (DOUBLES.has(stem.slice(-2))) return stem.slice(0, -1);
  // Snowball `atmark p1 test shortv`: the word is now exactly its region before R1, ending short.
  if (stem.length === p1 && endsInShortSyllable(stem, stem.length)) return stem + 'e';
  return stem;
}

/**
 * Snowball `[substring] Rx among(...)`: the longest matching suffix decides; when it is not inside the
 * region, or its action fails (returns undefined), the step does nothing.
 */
function replaceInRegion(
  w: string,
  suffixes: readonly string[],
  regionStart: number,
  action: (suffix: string, stem: string) => string | undefined,
): string {
  const suffix = longestSuffix(w, suffixes);
  if (suffix === undefined) return w;
  const stem = w.slice(0, -suffix.length);
  if (stem.length < regionStart) return w;
  return action(suffix, stem) ?? w;
}
