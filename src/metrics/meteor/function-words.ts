/**
 * METEOR 1.5's English function-word list (resources/function/english.words), the 93 entries in file
 * order as transcribed in spec meteor.md §16. It is a frequency list: it includes punctuation, `-lrb-`,
 * `'s`, `'t` and words such as `said` and `people`. A token is a function word when its lowercased form
 * is an entry; the list is used only for counting, never for matching.
 */
export const ENGLISH_FUNCTION_WORDS: readonly string[] = [
  'the', ',', '.', 'to', 'of', 'and', 'a', 'in', 'that', 'for', '"', 'is', 'on', "'s", 'it', 'with', 'was',
  'as', 'said', 'at', 'he', 'by', 'be', 'from', 'have', 'has', 'are', 'his', 'but', 'an', 'this', 'not', 'i',
  'will', '\u2019', 'they', ')', '-rrb-', '(', '-lrb-', 'who', 'their', 'had', 'we', 'which', 'were', 'been',
  'more', 'or', 's', 'its', 'would', 'about', 'new', 'one', 'after', 'you', ':', 'also', 'up', 'when', 'there',
  'than', '$', 'all', 'out', 'her', 'people', 'she', 'year', 'two', '-', 'can', 'if', 'last', 'first', '\u201C',
  'over', 'other', '\u201D', 'into', 'some', 'what', 'so', '--', 'no', 'time', 'years', 'could', '?', "'t",
  '\u2014', "'",
];

const FUNCTION_WORD_SET: ReadonlySet<string> = new Set(ENGLISH_FUNCTION_WORDS);

export function isFunctionWord(lowercasedToken: string): boolean {
  return FUNCTION_WORD_SET.has(lowercasedToken);
}
