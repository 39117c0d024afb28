import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { combinedRequestItems, messageText, type ChatMessage, type CombinedRequestItem } from '@conveyor/contracts';
import { nowMs, stampToken } from './token-stamp.util';

/**
 * How one answer is paced, read from the request's `model` (`ttft=50,tps=20,tokens=32,jitter=50`), so one mock
 * process serves every scenario and the catalogue picks the behaviour. Defaults: no wait, 32 tokens all at once.
 */
export interface Pacing {
  ttftMs: number;
  /** A random extra wait of up to this many ms before the first token, so concurrent streams are not in lockstep. */
  jitterMs: number;
  /** Tokens per second after the first; 0 writes them all at once. */
  tokensPerSecond: number;
  tokens: number;
}

export function parsePacing(model: string): Pacing {
  const pacing: Pacing = { ttftMs: 0, jitterMs: 0, tokensPerSecond: 0, tokens: 32 };
  for (const part of model.split(',')) {
    const [key, value] = part.split('=');
    const n = Number(value);
    if (!Number.isFinite(n) || n < 0) continue;
    if (key === 'ttft') pacing.ttftMs = n;
    else if (key === 'tps') pacing.tokensPerSecond = n;
    else if (key === 'tokens') pacing.tokens = Math.max(1, Math.floor(n));
    else if (key === 'jitter') pacing.jitterMs = n;
  }
  return pacing;
}

interface ChatBody {
  model?: string;
  stream?: boolean;
  messages?: Array<{ role: string; content: unknown }>;
}

/**
 * A fast OpenAI-compatible upstream for benchmarks and fault runs: `POST …/chat/completions` streamed (SSE, with
 * `include_usage`) or not, paced per request, each token stamped with its sequence and send time. It counts
 * calls per request marker (the first user message's text), which is how the fault suite counts provider calls
 * per job. `GET /stats` answers the counts; `GET /stats/calls?marker=…` each call of one marker (when it came, how
 * long it lasted, whether it was answered in full or the caller hung up first); `POST /stats/reset` clears them. Prompt tokens are counted as a
 * quarter of the messages' characters. A combined batch request (docs/batching.md) gets the JSON of answers, each
 * `tokens` words long, all paced as one stream.
 */
export class BenchUpstream {
  private calls = 0;
  private readonly byMarker = new Map<string, number>();
  private readonly callsOfMarker = new Map<string, MarkerCall[]>();
  private constructor(private readonly server: Server) {}

  static async start(port = 0): Promise<BenchUpstream> {
    const upstream: BenchUpstream = new BenchUpstream(createServer((req, res) => void upstream.handle(req, res)));
    upstream.server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => upstream.server.listen(port, '127.0.0.1', resolve));
    return upstream;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method === 'GET' && req.url === '/stats') return json(res, 200, { calls: this.calls, by_marker: Object.fromEntries(this.byMarker) });
    if (req.method === 'GET' && req.url?.startsWith('/stats/calls?')) {
      const marker = new URL(req.url, 'http://upstream').searchParams.get('marker') ?? '';
      return json(res, 200, { calls: this.callsOfMarker.get(marker) ?? [] });
    }
    if (req.method === 'POST' && req.url === '/stats/reset') {
      this.calls = 0;
      this.byMarker.clear();
      this.callsOfMarker.clear();
      return json(res, 200, { ok: true });
    }
    if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions'))
      return json(res, 404, { error: { message: 'not found', type: 'invalid_request_error', param: null, code: null } });
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ChatBody;
    this.calls++;
    const marker = body.messages?.find((m) => m.role === 'user')?.content;
    if (typeof marker === 'string') {
      this.byMarker.set(marker, (this.byMarker.get(marker) ?? 0) + 1);
      const call: MarkerCall = { at: new Date().toISOString(), ms: null, answered: null };
      this.callsOfMarker.set(marker, [...(this.callsOfMarker.get(marker) ?? []), call]);
      const began = Date.now();
      res.once('close', () => {
        call.ms = Date.now() - began;
        call.answered = res.writableFinished;
      });
    }
    const model = body.model ?? 'mock';
    const pacing = parsePacing(model);
    const promptTokens = Math.max(1, Math.ceil((body.messages ?? []).reduce((n, m) => n + messageText(m as ChatMessage).length, 0) / 4));
    const wait = pacing.ttftMs + Math.random() * pacing.jitterMs;
    if (wait > 0) await sleep(wait);
    const items = combinedRequestItems((body.messages ?? []) as ChatMessage[]);
    if (items) return this.combined(res, body.stream === true, model, pacing, items, promptTokens);
    if (body.stream) return this.stream(res, model, pacing, promptTokens);
    let text = '';
    for (let i = 0; i < pacing.tokens; i++) text += stampToken(i);
    json(res, 200, {
      id: `chatcmpl-${this.calls}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model,
      choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
      usage: usage(promptTokens, pacing.tokens),
    });
  }

  /** The answers of a combined request as its JSON object, `tokens` words each, paced like one long answer. */
  private async combined(
    res: ServerResponse,
    stream: boolean,
    model: string,
    pacing: Pacing,
    items: CombinedRequestItem[],
    promptTokens: number,
  ): Promise<void> {
    const pieces: string[] = ['{"answers":['];
    for (const [n, item] of items.entries()) {
      for (let i = 0; i < pacing.tokens; i++) pieces.push(`${i === 0 ? `${n > 0 ? ',' : ''}{"index":${item.index},"text":"` : ' '}word${i}`);
      pieces.push('"}');
    }
    pieces.push(']}');
    const tokens = items.length * pacing.tokens;
    const id = `chatcmpl-${this.calls}`;
    const created = Math.floor(Date.now() / 1000);
    if (!stream) {
      return json(res, 200, {
        id,
        object: 'chat.completion',
        created,
        model,
        choices: [{ index: 0, message: { role: 'assistant', content: pieces.join('') }, finish_reason: 'stop' }],
        usage: usage(promptTokens, tokens),
      });
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const frame = (delta: object, finish: string | null = null) =>
      `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
    const interval = pacing.tokensPerSecond > 0 ? 1000 / pacing.tokensPerSecond : 0;
    const start = nowMs();
    let written = 0;
    for (const piece of pieces) {
      if (interval > 0 && piece.includes('word')) {
        const due = start + written++ * interval - nowMs();
        if (due > 0) await sleep(due);
      }
      if (res.destroyed) return;
      res.write(frame({ content: piece }));
    }
    res.end(
      `${frame({}, 'stop')}data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [], usage: usage(promptTokens, tokens) })}\n\ndata: [DONE]\n\n`,
    );
  }

  private async stream(res: ServerResponse, model: string, pacing: Pacing, promptTokens: number): Promise<void> {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const id = `chatcmpl-${this.calls}`;
    const created = Math.floor(Date.now() / 1000);
    const frame = (delta: object, finish: string | null = null) =>
      `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
    let gone = false;
    res.once('close', () => (gone = true));
    res.write(frame({ role: 'assistant', content: '' }));
    const interval = pacing.tokensPerSecond > 0 ? 1000 / pacing.tokensPerSecond : 0;
    const start = nowMs();
    let batch = '';
    for (let i = 0; i < pacing.tokens && !gone; i++) {
      if (interval > 0 && i > 0) {
        // Paced from the start, not from the last write, so timer lateness does not accumulate.
        const due = start + i * interval - nowMs();
        if (due > 0) await sleep(due);
        res.write(frame({ content: stampToken(i) }));
      } else if (interval > 0) {
        res.write(frame({ content: stampToken(i) }));
      } else {
        batch += frame({ content: stampToken(i) });
      }
    }
    if (gone) return;
    res.end(
      `${batch}${frame({}, 'stop')}data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [], usage: usage(promptTokens, pacing.tokens) })}\n\ndata: [DONE]\n\n`,
    );
  }
}

/** One call of a marker: when it came, and once it is over, how long it took and whether the answer was sent in full. */
interface MarkerCall {
  at: string;
  ms: number | null;
  answered: boolean | null;
}

const usage = (prompt: number, tokens: number) => ({ prompt_tokens: prompt, completion_tokens: tokens, total_tokens: prompt + tokens });

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
