/**
 * A local HTTP server speaking the parts of the OpenAI API the judge uses (chat completions, files, batches),
 * with scripted replies. For tests and the judge benchmark only: binds 127.0.0.1 on a free port.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { lexicalScore } from './lexical.js';

export interface ChatRequestInfo {
  /** 1-based arrival order over all chat requests (batch lines included). */
  n: number;
  via: 'chat' | 'batch';
  body: any;
  question: string;
  gold: string;
  pred: string;
  authorization: string | undefined;
}

export interface FakeReply {
  status?: number;
  headers?: Record<string, string>;
  /** Reply text of a 200 answer. */
  content?: string;
  delayMs?: number;
  /** Never answer (the client times out or is killed). */
  hang?: boolean;
}

export interface FakeServerOptions {
  /** Default: 200 with the lexical score of (gold, pred) as the reply. */
  handler?: (req: ChatRequestInfo) => FakeReply | Promise<FakeReply>;
  latencyMs?: number;
  /** Batch polls answered "in_progress" before a batch completes. */
  batchPolls?: number;
  /** Called on every chat request before it is answered. */
  onRequest?: (req: ChatRequestInfo) => void;
}

export interface FakeServer {
  baseUrl: string;
  requests: ChatRequestInfo[];
  batchesCreated: number;
  close(): Promise<void>;
}

const USER_RE = /^Question: ([\s\S]*)\nGround Truth Answer: ([\s\S]*)\nPredicted Answer: ([\s\S]*)$/;

function parseUser(body: any): { question: string; gold: string; pred: string } {
  const msgs = Array.isArray(body?.messages) ? body.messages : [];
  const m = USER_RE.exec(String(msgs[msgs.length - 1]?.content ?? ''));
  return { question: m?.[1] ?? '', gold: m?.[2] ?? '', pred: m?.[3] ?? '' };
}

const defaultHandler = (r: ChatRequestInfo): FakeReply => ({ content: String(lexicalScore(r.gold, r.pred)) });

function completion(content: string, body: any) {
  return {
    id: 'chatcmpl-fake',
    object: 'chat.completion',
    created: 0,
    model: body?.model ?? 'fake',
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 100, completion_tokens: 1, total_tokens: 101 },
  };
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

function send(res: ServerResponse, status: number, json: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(json));
}

export async function startFakeOpenAI(opts: FakeServerOptions = {}): Promise<FakeServer> {
  const handler = opts.handler ?? defaultHandler;
  const requests: ChatRequestInfo[] = [];
  const files = new Map<string, string>();
  const batches = new Map<string, { input: string; polls: number; output?: string; errors?: string }>();
  let ids = 0;
  const state: FakeServer = { baseUrl: '', requests, batchesCreated: 0, close: async () => {} };
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  const judge = async (body: any, via: ChatRequestInfo['via'], authorization: string | undefined): Promise<{ status: number; headers: Record<string, string>; json: unknown } | null> => {
    const info: ChatRequestInfo = { n: requests.length + 1, via, body, ...parseUser(body), authorization };
    requests.push(info);
    opts.onRequest?.(info);
    const r = await handler(info);
    if (r.hang) return null;
    if (opts.latencyMs) await sleep(opts.latencyMs);
    if (r.delayMs) await sleep(r.delayMs);
    const status = r.status ?? 200;
    const json = status === 200 ? completion(r.content ?? '', body) : { error: { message: `scripted ${status}`, type: 'fake', code: null } };
    return { status, headers: r.headers ?? {}, json };
  };

  const finishBatch = async (b: { input: string; output?: string; errors?: string }) => {
    const out: string[] = [];
    const err: string[] = [];
    for (const line of b.input.split('\n').filter((l) => l.trim() !== '')) {
      const req = JSON.parse(line);
      const r = await judge(req.body, 'batch', undefined);
      if (r && r.status === 200) out.push(JSON.stringify({ id: `r${++ids}`, custom_id: req.custom_id, response: { status_code: 200, body: r.json }, error: null }));
      else if (r) err.push(JSON.stringify({ id: `r${++ids}`, custom_id: req.custom_id, response: { status_code: r.status, body: r.json }, error: null }));
      // A hung line is simply absent: the client must notice it is unaccounted for.
    }
    b.output = `file-out-${++ids}`;
    files.set(b.output, out.join('\n') + (out.length ? '\n' : ''));
    if (err.length) {
      b.errors = `file-err-${++ids}`;
      files.set(b.errors, err.join('\n') + '\n');
    }
  };

  const batchJson = (id: string, b: { polls: number; output?: string; errors?: string }, status: string) => ({
    id,
    object: 'batch',
    endpoint: '/v1/chat/completions',
    completion_window: '24h',
    status,
    input_file_id: 'x',
    output_file_id: b.output ?? null,
    error_file_id: b.errors ?? null,
    created_at: 0,
    request_counts: { total: 0, completed: 0, failed: 0 },
  });

  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://x');
      const path = url.pathname.replace(/^\/v1/, '');
      const raw = await readBody(req);
      if (req.method === 'POST' && path === '/chat/completions') {
        const r = await judge(JSON.parse(raw.toString('utf8')), 'chat', req.headers.authorization);
        if (r === null) return; // hang: the socket stays open until the client gives up or the server closes
        return send(res, r.status, r.json, r.headers);
      }
      if (req.method === 'POST' && path === '/files') {
        const form = await new Request('http://x', { method: 'POST', headers: { 'content-type': String(req.headers['content-type']) }, body: new Uint8Array(raw) }).formData();
        const file = form.get('file') as Blob;
        const id = `file-${++ids}`;
        files.set(id, await file.text());
        return send(res, 200, { id, object: 'file', bytes: file.size, created_at: 0, filename: 'x.jsonl', purpose: 'batch', status: 'processed' });
      }
      const content = /^\/files\/([^/]+)\/content$/.exec(path);
      if (req.method === 'GET' && content) {
        const text = files.get(content[1]!);
        if (text === undefined) return send(res, 404, { error: { message: 'no such file' } });
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        return res.end(text);
      }
      if (req.method === 'POST' && path === '/batches') {
        const body = JSON.parse(raw.toString('utf8'));
        const input = files.get(body.input_file_id);
        if (input === undefined) return send(res, 404, { error: { message: 'no such input file' } });
        const id = `batch-${++ids}`;
        batches.set(id, { input, polls: 0 });
        state.batchesCreated++;
        return send(res, 200, batchJson(id, batches.get(id)!, 'validating'));
      }
      const batch = /^\/batches\/([^/]+)$/.exec(path);
      if (req.method === 'GET' && batch) {
        const b = batches.get(batch[1]!);
        if (!b) return send(res, 404, { error: { message: 'no such batch' } });
        if (b.polls++ < (opts.batchPolls ?? 1)) return send(res, 200, batchJson(batch[1]!, b, 'in_progress'));
        if (!b.output) await finishBatch(b);
        return send(res, 200, batchJson(batch[1]!, b, 'completed'));
      }
      send(res, 404, { error: { message: `no route ${req.method} ${path}` } });
    } catch (e) {
      send(res, 500, { error: { message: (e as Error).message } });
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  state.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  state.close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return state;
}
