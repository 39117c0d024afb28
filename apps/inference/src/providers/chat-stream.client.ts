import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import OpenAI from 'openai';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';

export interface ChatStreamClientOptions {
  /** The API's base URL (`…/v1`); the client posts to `<baseURL>/chat/completions`. */
  baseURL: string;
  apiKey: string;
  /** How long to wait for the upstream to start answering (its response headers). */
  timeoutMs: number;
}

/**
 * OpenAI's streamed Chat Completions over node:http(s) with a keep-alive agent: the hot path of every job. The
 * SDK's fetch-based stream costs about a millisecond of CPU per call in web streams, abort signals and its SSE
 * decoder; this reads the SSE lines straight off the socket. Failures are the SDK's own error classes, made the
 * way the SDK makes them (a status error from the body and headers, a connection error, a timeout, an `error`
 * event inside the stream), so one classifier reads both.
 */
export class ChatStreamClient {
  private readonly url: URL;
  private readonly agent: HttpAgent;
  private readonly send: typeof httpRequest;

  constructor(private readonly options: ChatStreamClientOptions) {
    this.url = new URL(`${options.baseURL.replace(/\/+$/, '')}/chat/completions`);
    const secure = this.url.protocol === 'https:';
    this.agent = secure ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true });
    this.send = secure ? httpsRequest : httpRequest;
  }

  /** The chunks of one streamed completion, up to `[DONE]`; it returns once the server has ended the response. */
  async *stream(body: object, signal: AbortSignal): AsyncGenerator<ChatCompletionChunk> {
    // A listener added to a signal that already fired never runs: such a call must not start, nor read on.
    if (signal.aborted) throw abortError(signal);
    const response = await this.open(JSON.stringify(body), signal);
    // Headers are only read for an error: built on demand, as the SDK's errors carry them.
    const headers = () => headersOf(response);
    const onAbort = () => response.destroy();
    let done = false;
    signal.addEventListener('abort', onAbort, { once: true });
    if (signal.aborted) onAbort();
    try {
      if (response.statusCode === undefined || response.statusCode < 200 || response.statusCode >= 300) throw await statusError(response, headers());
      response.setEncoding('utf8');
      let buffered = '';
      let event: string | null = null;
      let data: string[] = [];
      // Read to the response's end even after `[DONE]` (as the SDK does): leaving the loop early would destroy the
      // socket instead of handing it back to the pool for the next call.
      for await (const text of response as AsyncIterable<string>) {
        if (done) continue;
        buffered += text;
        for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
          const line = buffered.charCodeAt(nl - 1) === 13 ? buffered.slice(0, nl - 1) : buffered.slice(0, nl);
          buffered = buffered.slice(nl + 1);
          if (line !== '') {
            const colon = line.indexOf(':');
            const field = colon < 0 ? line : line.slice(0, colon);
            const value = colon < 0 ? '' : line.slice(line.charCodeAt(colon + 1) === 32 ? colon + 2 : colon + 1);
            if (field === 'data') data.push(value);
            else if (field === 'event') event = value;
            continue;
          }
          // A blank line ends an event (comments and events without data carry nothing).
          if (data.length > 0) {
            const payload = data.join('\n');
            if (payload.startsWith('[DONE]')) {
              done = true;
              break;
            }
            yield chunkOf(payload, event, headers);
          }
          [event, data] = [null, []];
        }
      }
      const last = data.join('\n');
      if (!done && data.length > 0 && !last.startsWith('[DONE]')) yield chunkOf(last, event, headers);
    } finally {
      signal.removeEventListener('abort', onAbort);
      // A throw or the caller's break: the socket must not go back to the pool mid-response.
      if (!response.complete) response.destroy();
    }
  }

  private open(body: string, signal: AbortSignal): Promise<IncomingMessage> {
    return new Promise<IncomingMessage>((resolve, reject) => {
      const req = this.send(this.url, {
        method: 'POST',
        agent: this.agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          accept: 'text/event-stream',
          authorization: `Bearer ${this.options.apiKey}`,
        },
      });
      const timer = setTimeout(() => fail(new OpenAI.APIConnectionTimeoutError()), this.options.timeoutMs);
      const onAbort = () => fail(abortError(signal));
      const settle = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
      };
      const fail = (err: Error) => {
        settle();
        req.destroy();
        reject(err);
      };
      req.once('response', (response) => {
        settle();
        resolve(response);
      });
      req.once('error', (err) => fail(new OpenAI.APIConnectionError({ cause: err })));
      signal.addEventListener('abort', onAbort, { once: true });
      if (signal.aborted) return onAbort();
      req.end(body);
    });
  }
}

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('aborted');
}

function chunkOf(payload: string, event: string | null, headers: () => Headers): ChatCompletionChunk {
  const parsed = JSON.parse(payload) as ChatCompletionChunk & { error?: object; message?: string };
  if (event === 'error') throw new OpenAI.APIError(undefined, parsed.error ?? parsed, parsed.message, headers());
  if (parsed.error) throw new OpenAI.APIError(undefined, parsed.error, undefined, headers());
  return parsed;
}

/** The SDK's error for a non-2xx answer: from the JSON error body, or the raw text when it is not JSON. */
async function statusError(response: IncomingMessage, headers: Headers): Promise<Error> {
  response.setEncoding('utf8');
  let text = '';
  try {
    for await (const part of response as AsyncIterable<string>) text += part;
  } catch {
    // A body cut short still leaves the status to go by.
  }
  let json: object | undefined;
  try {
    json = JSON.parse(text) as object;
  } catch {
    json = undefined;
  }
  return OpenAI.APIError.generate(response.statusCode, json, json ? undefined : text || undefined, headers);
}

function headersOf(response: IncomingMessage): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(response.headers)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
  }
  return headers;
}
