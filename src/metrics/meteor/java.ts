/**
 * The original METEOR 1.5 jar as one long-lived `-stdio` child process, spoken to as coco-caption's
 * wrapper does: one `SCORE` line per item (answer: a stats line), then one `EVAL` line (answer: one
 * segment score per item, then the aggregate).
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { InputError } from '../../errors.js';
import type { CaptionItem, CorpusScore } from '../caption-types.js';
import { singleLine, wrapperScoreLine } from './protocol.js';

export interface JavaMeteorOptions {
  jar: string;
  /** The java executable; MMDUET_JAVA overrides the default `java`. */
  java?: string;
  /** Arguments after the jar; the references use `- - -stdio -l en -norm`. */
  args?: string[];
  /** Memory flag as the wrappers pass it. */
  maxHeap?: string;
}

export const JAVA_METEOR_ARGS = ['-', '-', '-stdio', '-l', 'en', '-norm'];

/** Checks that java runs and the jar exists; throws a one-line InputError otherwise. */
export function checkJavaMeteor(opts: JavaMeteorOptions): void {
  if (!existsSync(opts.jar)) throw InputError.at(opts.jar, undefined, 'the METEOR 1.5 jar (meteor-1.5.jar) for --meteor implementation java', 'no such file');
  const java = opts.java ?? process.env.MMDUET_JAVA ?? 'java';
  const probe = spawnSync(java, ['-version'], { stdio: 'ignore', timeout: 30_000 });
  if (probe.error || probe.status !== 0) {
    throw new InputError(`METEOR implementation 'java' needs a Java runtime: could not run \`${java} -version\` (${probe.error?.message ?? `exit ${probe.status}`})`);
  }
}

export class JavaMeteorProcess {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly waiting: { resolve: (line: string) => void; reject: (e: Error) => void }[] = [];
  private readonly buffered: string[] = [];
  private stderrTail = '';
  private exited: Error | undefined;
  /** Calls are serialised: the protocol has one conversation at a time. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly opts: JavaMeteorOptions) {
    const java = opts.java ?? process.env.MMDUET_JAVA ?? 'java';
    this.child = spawn(java, [`-Xmx${opts.maxHeap ?? '2G'}`, '-jar', opts.jar, ...(opts.args ?? JAVA_METEOR_ARGS)], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child.stdin.setDefaultEncoding('utf8');
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      const w = this.waiting.shift();
      if (w) w.resolve(line);
      else this.buffered.push(line);
    });
    this.child.stderr.on('data', (d: Buffer) => {
      this.stderrTail = (this.stderrTail + d.toString('utf8')).slice(-2000);
    });
    const fail = (e: Error): void => {
      this.exited = e;
      for (const w of this.waiting.splice(0)) w.reject(e);
    };
    this.child.on('error', (e) => fail(new InputError(`METEOR jar ${opts.jar}: could not start java (${e.message})`)));
    this.child.on('exit', (code, signal) => {
      const last = this.stderrTail.trim().split('\n').pop() ?? '';
      fail(new InputError(`METEOR jar ${opts.jar}: the java process ended (${signal ?? `exit ${code}`})${last ? `: ${last}` : ''}`));
    });
    this.idle();
  }

  /** Lets Node exit while no request is in flight. */
  private idle(): void {
    this.child.unref();
    for (const s of [this.child.stdin, this.child.stdout, this.child.stderr]) (s as unknown as { unref?: () => void }).unref?.();
  }

  private busy(): void {
    this.child.ref();
    for (const s of [this.child.stdin, this.child.stdout, this.child.stderr]) (s as unknown as { ref?: () => void }).ref?.();
  }

  private readLine(): Promise<string> {
    const line = this.buffered.shift();
    if (line !== undefined) return Promise.resolve(line);
    if (this.exited) return Promise.reject(this.exited);
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  private write(line: string): void {
    if (this.exited) throw this.exited;
    this.child.stdin.write(`${line}\n`);
  }

  private number(line: string, what: string): number {
    const v = Number(line.trim());
    if (line.trim() === '' || Number.isNaN(v)) throw new InputError(`METEOR jar ${this.opts.jar}: expected ${what}, found ${JSON.stringify(line.slice(0, 120))}`);
    return v;
  }

  async score(items: readonly CaptionItem[]): Promise<CorpusScore> {
    const run = async (): Promise<CorpusScore> => {
      if (items.length === 0) return { corpus: NaN, perItem: [] };
      this.busy();
      try {
        const stats: string[] = [];
        for (const it of items) {
          this.write(wrapperScoreLine(singleLine(it.candidate), it.references.map(singleLine)));
          stats.push((await this.readLine()).trim());
        }
        this.write(['EVAL', ...stats].join(' ||| '));
        const perItem: number[] = [];
        for (let k = 0; k < items.length; k++) perItem.push(this.number(await this.readLine(), 'a segment score'));
        return { corpus: this.number(await this.readLine(), 'the aggregate score'), perItem };
      } finally {
        this.idle();
      }
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  async close(): Promise<void> {
    if (this.exited) return;
    const ended = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill(), 5000);
    await ended;
    clearTimeout(timer);
  }
}
