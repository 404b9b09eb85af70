/**
 * METEOR 1.5's paraphrase table (edu.cmu.meteor.aligner.ParaphraseTransducer): `paraphrase-en.gz`, gzipped
 * UTF-8 text, three lines per entry: a probability (never used by METEOR), the reference phrase, the
 * paraphrase. Phrases are split like Java's StringTokenizer (space, tab, CR, LF, FF). The source keeps a
 * trie over the reference phrases; a lookup at position `start` walks it and reports every entry whose
 * reference phrase matches there, shortest phrase first, entries of one phrase in file order.
 *
 * The real table is large (59 MB compressed), so the trie lives in typed arrays: nodes are ints, the
 * transitions one open-addressing hash keyed by (node, word id), the emitted entries linked lists.
 */
import { createReadStream } from 'node:fs';
import { resolve } from 'node:path';
import { createGunzip } from 'node:zlib';
import { InputError } from '../../errors.js';
import { assertReadableFile, sha256File } from '../../io/files.js';

/** A growable Int32Array. */
class IntVec {
  data: Int32Array;
  length = 0;
  constructor(capacity = 1024) {
    this.data = new Int32Array(capacity);
  }
  push(v: number): number {
    if (this.length === this.data.length) {
      const bigger = new Int32Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length] = v;
    return this.length++;
  }
}

const NONE = -1;

/** Trie transitions (node, word) -> child in one open-addressing table. */
class TransitionTable {
  private parents = new Int32Array(1 << 16).fill(NONE);
  private words = new Int32Array(1 << 16);
  private children = new Int32Array(1 << 16);
  private size = 0;

  private slot(parent: number, word: number): number {
    const mask = this.parents.length - 1;
    let k = (Math.imul(parent, 0x9e3779b1) ^ Math.imul(word + 0x7f4a7c15, 0x85ebca6b)) & mask;
    while (this.parents[k] !== NONE && (this.parents[k] !== parent || this.words[k] !== word)) k = (k + 1) & mask;
    return k;
  }

  get(parent: number, word: number): number {
    const k = this.slot(parent, word);
    return this.parents[k] === NONE ? NONE : this.children[k]!;
  }

  set(parent: number, word: number, child: number): void {
    if ((this.size + 1) * 2 > this.parents.length) this.grow();
    const k = this.slot(parent, word);
    if (this.parents[k] === NONE) this.size++;
    this.parents[k] = parent;
    this.words[k] = word;
    this.children[k] = child;
  }

  private grow(): void {
    const { parents, words, children } = this;
    this.parents = new Int32Array(parents.length * 2).fill(NONE);
    this.words = new Int32Array(parents.length * 2);
    this.children = new Int32Array(parents.length * 2);
    this.size = 0;
    for (let k = 0; k < parents.length; k++) if (parents[k] !== NONE) this.set(parents[k]!, words[k]!, children[k]!);
  }
}

/** What the scorer's description says about the table it read. */
export interface ParaphraseSource {
  file: string;
  sha256: string;
  entries: number;
}

export class ParaphraseTable {
  private readonly vocab = new Map<string, number>();
  private readonly transitions = new TransitionTable();
  /** Per trie node (0 = root): first and last emitted entry, NONE when none. */
  private readonly emitHead = new IntVec();
  private readonly emitTail = new IntVec();
  /** Per entry: the next entry emitted by the same node, and its paraphrase as a slice of `words`. */
  private readonly nextEmit = new IntVec();
  private readonly paraphraseStart = new IntVec();
  private readonly paraphraseLength = new IntVec();
  private readonly paraphraseWords = new IntVec();
  source: ParaphraseSource | undefined;

  constructor() {
    this.newNode();
  }

  get entries(): number {
    return this.nextEmit.length;
  }

  private newNode(): number {
    this.emitTail.push(NONE);
    return this.emitHead.push(NONE);
  }

  /** The source's `map`: word ids in order of first appearance. */
  private map(word: string): number {
    let id = this.vocab.get(word);
    if (id === undefined) this.vocab.set(word, (id = this.vocab.size));
    return id;
  }

  /** Adds one entry (its reference phrase to the trie, its paraphrase to the list), as the source does. */
  add(reference: readonly string[], paraphrase: readonly string[]): void {
    const refIds = reference.map((w) => this.map(w));
    const entry = this.nextEmit.push(NONE);
    this.paraphraseStart.push(this.paraphraseWords.length);
    this.paraphraseLength.push(paraphrase.length);
    for (const w of paraphrase) this.paraphraseWords.push(this.map(w));
    let node = 0;
    for (const id of refIds) {
      let child = this.transitions.get(node, id);
      if (child === NONE) this.transitions.set(node, id, (child = this.newNode()));
      node = child;
    }
    const tail = this.emitTail.data[node]!;
    if (tail === NONE) this.emitHead.data[node] = entry;
    else this.nextEmit.data[tail] = entry;
    this.emitTail.data[node] = entry;
  }

  /** The source's `translate`: a word's id, or -1 for a word the table does not contain. */
  translate(word: string): number {
    return this.vocab.get(word) ?? NONE;
  }

  /**
   * The source's `getReferencePaths`: [length, entry, length, entry, ...] for every entry whose reference
   * phrase is `ids[start .. start+length-1]`, by increasing length, entries of one length in file order.
   */
  referencePaths(ids: ArrayLike<number>, start: number): number[] {
    const out: number[] = [];
    let node = 0;
    for (let k = 0; start + k < ids.length; k++) {
      const word = ids[start + k]!;
      node = word === NONE ? NONE : this.transitions.get(node, word);
      if (node === NONE) break;
      for (let e = this.emitHead.data[node]!; e !== NONE; e = this.nextEmit.data[e]!) out.push(k + 1, e);
    }
    return out;
  }

  /** Word ids of an entry's paraphrase. */
  paraphrase(entry: number): Int32Array {
    const start = this.paraphraseStart.data[entry]!;
    return this.paraphraseWords.data.subarray(start, start + this.paraphraseLength.data[entry]!);
  }
}

/** Java StringTokenizer's default delimiters. */
const TOKEN_DELIMITERS = /[ \t\n\r\f]+/;
/** A probability line: a decimal number (METEOR skips it; a non-number means the entries are misaligned). */
const PROBABILITY = /^[ \t]*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?[ \t]*$/;
const ENTRY_FORMAT = 'paraphrase-en.gz entries of 3 lines (probability, phrase, paraphrase)';

function tokens(line: string): string[] {
  return line.split(TOKEN_DELIMITERS).filter((t) => t.length > 0);
}

/** Feeds lines to a table, checking the 3-line entry format; line numbers are 1-based. */
class TableParser {
  private lineNumber = 0;
  private pending: string[] = [];
  constructor(
    readonly table: ParaphraseTable,
    private readonly file: string,
  ) {}

  line(text: string): void {
    this.lineNumber++;
    const role = this.pending.length;
    if (role === 0 && !PROBABILITY.test(text)) {
      throw InputError.at(this.file, `line ${this.lineNumber}`, `a probability line (${ENTRY_FORMAT})`, JSON.stringify(text.slice(0, 60)));
    }
    if (role > 0 && tokens(text).length === 0) {
      throw InputError.at(this.file, `line ${this.lineNumber}`, `a ${role === 1 ? 'phrase' : 'paraphrase'} of one or more words (${ENTRY_FORMAT})`, 'an empty line');
    }
    this.pending.push(text);
    if (this.pending.length === 3) {
      this.table.add(tokens(this.pending[1]!), tokens(this.pending[2]!));
      this.pending = [];
    }
  }

  end(): void {
    if (this.pending.length > 0) {
      throw InputError.at(this.file, `line ${this.lineNumber}`, `${ENTRY_FORMAT}; the file ends inside an entry`, `${this.pending.length} of its 3 lines`);
    }
    if (this.table.entries === 0) throw InputError.at(this.file, undefined, ENTRY_FORMAT, 'no entries');
  }
}

/** Streams the gzipped table into a new ParaphraseTable. Lines end at LF, CR LF or a lone CR (Java readLine). */
async function readTable(file: string): Promise<ParaphraseTable> {
  assertReadableFile(file);
  const parser = new TableParser(new ParaphraseTable(), file);
  const text = createReadStream(file).pipe(createGunzip());
  text.setEncoding('utf8');
  let carry = '';
  const lines = (chunk: string): void => {
    const parts = (carry + chunk).split('\n');
    carry = parts.pop()!;
    for (const part of parts) for (const line of part.replace(/\r$/, '').split('\r')) parser.line(line);
  };
  try {
    for await (const chunk of text) lines(chunk as string);
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw InputError.at(file, undefined, 'a gzip-compressed METEOR paraphrase table (paraphrase-en.gz)', `unreadable data (${(err as Error).message})`);
  }
  if (carry.length > 0) for (const line of carry.replace(/\r$/, '').split('\r')) parser.line(line);
  parser.end();
  parser.table.source = { file, sha256: sha256File(file), entries: parser.table.entries };
  return parser.table;
}

/** One load per table per process: callers may ask for a scorer per video. */
const loaded = new Map<string, Promise<ParaphraseTable>>();

export function loadParaphraseTable(file: string): Promise<ParaphraseTable> {
  const key = resolve(file);
  let table = loaded.get(key);
  if (!table) {
    table = readTable(file);
    loaded.set(key, table);
    table.catch(() => loaded.delete(key));
  }
  return table;
}
